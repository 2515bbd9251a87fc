from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from assessment.subjects import MINIMUM_SECRET_BYTES
from kernel.errors import InfrastructureMisconfigured
from kernel.settings import ServiceSettings


class AssessmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASSESSMENT_")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/assessment"
    # RPO1: the initial assessment is due about three months after the case opens; one month is used in
    # detention (set 30).
    initial_assessment_days: int = Field(90, ge=1, le=365)
    annual_assessment_days: int = Field(365, ge=1, le=730)
    # The establishments' rooms (`contracts.rooms`, ADR 29): with a list, an interview is held in its rooms only.
    rooms_file: Path | None = None
    # How often the scheduler looks for items that became overdue.
    deadline_check_seconds: float = Field(60, gt=0)
    # How long each category of a person's data is kept, in years from the closure of their last case (the
    # end of the measure or the release): the data controller's figures, set as JSON
    # (ASSESSMENT_RETENTION_YEARS='{"spip_followup": 5, ...}'). One key seals all of a person's data
    # (ADR 24): the longest period decides when they are erased. The consultation journal has its own.
    retention_years: dict[str, int] = Field(
        default_factory=lambda: {"spip_followup": 5, "ipro_pathway": 5, "programme_participation": 5},
        min_length=1,
    )
    # How often the scheduler looks for people whose retention has run.
    erasure_check_seconds: float = Field(3600, gt=0)
    # The key the persons' subject ids are derived with (assessment.subjects): a pseudonymisation key kept
    # apart from the data, never in a database (a mounted secret in production; `make up` generates one
    # under var/keys). Changing it changes every id to come: it is not rotated (ADR 24). Required to start
    # (`bootstrap.create_app`), so that a service without it refuses to start rather than answer 500 to the
    # first case opened; tools that only read the service's settings (its topics, its database) do without.
    subject_id_secret: SecretStr | None = None

    @field_validator("subject_id_secret")
    @classmethod
    def _subject_id_secret_is_long_enough(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(secret.get_secret_value().encode()) < MINIMUM_SECRET_BYTES:
            raise ValueError(f"ASSESSMENT_SUBJECT_ID_SECRET must hold at least {MINIMUM_SECRET_BYTES} bytes")
        return secret

    def subject_id_key(self) -> bytes:
        if self.subject_id_secret is None:
            raise InfrastructureMisconfigured(
                f"set ASSESSMENT_SUBJECT_ID_SECRET (at least {MINIMUM_SECRET_BYTES} bytes; `make up` generates "
                "one under var/keys): the persons' subject ids are derived from it"
            )
        return self.subject_id_secret.get_secret_value().encode()
