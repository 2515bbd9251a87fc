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
