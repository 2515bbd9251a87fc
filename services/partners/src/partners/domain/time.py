"""Dates in the domain are the establishment's calendar days (a call closes at midnight in Arras, not UTC)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

ESTABLISHMENT_TIME_ZONE = ZoneInfo("Europe/Paris")


def local_date(moment: datetime) -> date:
    return moment.astimezone(ESTABLISHMENT_TIME_ZONE).date()
