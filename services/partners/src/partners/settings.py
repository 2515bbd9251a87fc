from pathlib import Path

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class PartnersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARTNERS_")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/partners"
    # The establishments' rooms (`contracts.rooms`, ADR 29): with a list, a session inside the walls is held
    # only in one of its call's establishment's rooms.
    rooms_file: Path | None = None
