from pathlib import Path

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class ProjectionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROJECTIONS_")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/projections"
    # The establishments' rooms (`contracts.rooms`, ADR 29): the schedule identifies a room by its id there.
    rooms_file: Path | None = None
