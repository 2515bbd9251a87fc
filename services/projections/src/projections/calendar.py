"""Dates in the read views are the establishment's calendar days (an accreditation ends at midnight in
Arras, not UTC), as in the partners service."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

ESTABLISHMENT_TIME_ZONE = ZoneInfo("Europe/Paris")


def local_date(moment: datetime) -> date:
    return moment.astimezone(ESTABLISHMENT_TIME_ZONE).date()
