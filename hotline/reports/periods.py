"""Report periods: whole ISO weeks in Oslo time, and the buckets of the time series.

A range always grows outwards to whole weeks (Monday 00:00 to Sunday 24:00), so two
ranges that differ by a day inside the same weeks give identical figures, and a single
day can never be isolated by differencing two ranges. The current week is never shown:
its figures would change with every call closed, and watching them change could reveal
a call.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

OSLO = ZoneInfo("Europe/Oslo")
DEFAULT_WEEKS = 52
EARLIEST = date(2000, 1, 1)
MAX_DAYS = 3653  # ten years


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_complete_sunday(today: date | None = None) -> date:
    today = today or timezone.localdate(timezone=OSLO)
    return monday(today) - timedelta(days=1)


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=OSLO)


@dataclass(frozen=True)
class Period:
    first: date  # a Monday
    last: date  # a Sunday
    clamped: bool = False  # the requested end reached into the current week

    @classmethod
    def snap(cls, start: date, end: date, *, clamped: bool = False) -> "Period":
        return cls(monday(start), monday(end) + timedelta(days=6), clamped)

    @property
    def start(self) -> datetime:
        """Monday 00:00, Oslo time (inclusive)."""
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        """The Monday after the last Sunday, 00:00 Oslo time (exclusive)."""
        return local_midnight(self.last + timedelta(days=1))

    @property
    def weeks(self) -> int:
        return (self.last - self.first).days // 7 + 1

    @property
    def bucket(self) -> str:
        """Day, week or month, by the length of the range."""
        if self.weeks <= 8:
            return "day"
        if self.weeks <= 26:
            return "week"
        return "month"

    def buckets(self) -> list[date]:
        """The first day of every bucket (as the database truncates), in order."""
        if self.bucket == "day":
            return [self.first + timedelta(days=n) for n in range(self.weeks * 7)]
        if self.bucket == "week":
            return [self.first + timedelta(weeks=n) for n in range(self.weeks)]
        months, month = [], self.first.replace(day=1)
        while month <= self.last:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months

    def bucket_label(self, day: date) -> str:
        if self.bucket == "day":
            return date_format(day, "D j. M Y")
        if self.bucket == "week":
            year, week, _weekday = day.isocalendar()
            return _("week %(week)s, %(year)s") % {"week": week, "year": year}
        return date_format(day, "F Y")

    def as_filters(self) -> dict[str, str]:
        """The weeks shown, for the export log and file names."""
        return {"first_day": self.first.isoformat(), "last_day": self.last.isoformat()}

    def iso_weeks(self) -> tuple[str, str]:
        first, last = self.first.isocalendar(), self.last.isocalendar()
        return f"{first.year}-W{first.week:02d}", f"{last.year}-W{last.week:02d}"
