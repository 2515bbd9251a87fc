from pathlib import Path

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class ProgrammesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROGRAMMES_")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/programmes"
    # The catalogue's reference data (JSON list of programme definitions); the shipped one if unset.
    catalogue_file: Path | None = None
    # The establishments' rooms (`contracts.rooms`, ADR 29): with a list, a group meets only in its rooms.
    rooms_file: Path | None = None
    # How often a seat freed by a release is looked for and given to the waiting list.
    seat_filler_seconds: float = 2.0
