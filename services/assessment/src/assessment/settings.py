from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class AssessmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASSESSMENT_")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/assessment"
    # RPO1: the initial assessment is due about three months after the case opens; one month is used in
    # detention (set 30).
    initial_assessment_days: int = Field(90, ge=1, le=365)
    annual_assessment_days: int = Field(365, ge=1, le=730)
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
