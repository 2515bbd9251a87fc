from pathlib import Path

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class ProjectionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROJECTIONS_")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/projections"
    # The establishments' rooms (`contracts.rooms`, ADR 29): the schedule identifies a room by its id there.
    rooms_file: Path | None = None
    # The services' trusted checkpoint public keys (ADR 27: `<service>.pub`, and `<service>.<name>.pub` for past
    # keys), a folder the auditors keep, as `passerelle audit verify --checkpoint-keys` reads: never a key taken
    # from the checkpoint topics. Locally var/keys/checkpoints (`make up`); unset, no signature holds.
    checkpoint_public_keys: Path | None = None
    # How long a person's file stays marked stale before the refresher folds it again (its events settling):
    # a person whose events keep coming has their file folded once for the burst, not once a pass. A read in
    # between folds it itself. 0: at once.
    person_file_settle_seconds: float = 10.0
