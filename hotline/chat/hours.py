"""The chat's opening hours, read by the same hours engine as the services' (holidays
included), from CHAT_HOURS and CHAT_HOLIDAY_HOURS."""

from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from services_directory.hours import HolidayPolicy, Schedule, Span, WeeklyRule


def _span(text: str, name: str) -> Span:
    try:
        opens, closes = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ImproperlyConfigured(f'{name}={text!r} is not "HH:MM-HH:MM".') from None
    return Span(opens, closes)


def chat_schedule() -> Schedule:
    span = _span(settings.CHAT_HOURS, "CHAT_HOURS")
    weekly = tuple(WeeklyRule(day, span) for day in range(7))
    holiday = settings.CHAT_HOLIDAY_HOURS.strip().lower()
    if holiday == "normal":
        return Schedule(weekly=weekly)
    if holiday == "closed":
        return Schedule(weekly=weekly, holiday_policy=HolidayPolicy.CLOSED)
    return Schedule(
        weekly=weekly,
        holiday_policy=HolidayPolicy.OWN_HOURS,
        holiday_spans=(_span(holiday, "CHAT_HOLIDAY_HOURS"),),
    )


def is_open(at: datetime) -> bool:
    return chat_schedule().is_open(at)


def next_opening(at: datetime) -> datetime | None:
    return chat_schedule().next_opening(at)
