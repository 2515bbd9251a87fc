from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class IproSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IPRO_")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/ipro"
    # The initial interview's written synthesis is due this many working days after the pathway opens.
    synthesis_working_days: int = Field(5, ge=1, le=60)
    # A contract's trial period: at most one day per week of contract, and never more than this.
    trial_cap_days: int = Field(30, ge=0, le=90)
    # France Travail registration opens this many months before release or a sentence adjustment.
    france_travail_window_months: int = Field(6, ge=1, le=24)
    # How often the scheduler looks for syntheses that became overdue.
    deadline_check_seconds: float = Field(60, gt=0)
