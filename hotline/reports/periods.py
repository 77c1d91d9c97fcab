"""Report periods: fixed quarters of whole ISO weeks, in Oslo time.

The reports show one quarter at a time, never an arbitrary range. Quarters never
overlap, so there is no pair of questions whose difference isolates a week (or a day):
each set of calls a report counts is asked about in exactly one way, and its noisy
figure is the same on every asking (docs/disclosure-control.md, "Fixed periods").

A quarter is made of the ISO weeks whose Thursday falls in it (ISO 8601's own rule for
the year a week belongs to), so quarters are whole weeks, follow one another without a
gap, and fit the report summary, which counts calls per week. The current quarter is
never shown: its figures would change with every call closed.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

OSLO = ZoneInfo("Europe/Oslo")
EARLIEST_YEAR = 2000
QUARTER_PATTERN = re.compile(r"(\d{4})-Q([1-4])")


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_complete_sunday(today: date | None = None) -> date:
    today = today or timezone.localdate(timezone=OSLO)
    return monday(today) - timedelta(days=1)


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=OSLO)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @classmethod
    def parse(cls, text: str) -> "Quarter | None":
        """``2026-Q3``; None for anything else."""
        match = QUARTER_PATTERN.fullmatch(text)
        return cls(int(match[1]), int(match[2])) if match else None

    @classmethod
    def of_week(cls, day: date) -> "Quarter":
        """The quarter the week of ``day`` belongs to: the one its Thursday is in."""
        thursday = monday(day) + timedelta(days=3)
        return cls(thursday.year, (thursday.month - 1) // 3 + 1)

    @classmethod
    def latest_complete(cls, today: date | None = None) -> "Quarter":
        """The last quarter whose every week has ended."""
        last_sunday = last_complete_sunday(today)
        quarter = cls.of_week(last_sunday)
        return quarter if quarter.last == last_sunday else quarter.previous

    @classmethod
    def complete(cls, today: date | None = None) -> list["Quarter"]:
        """Every quarter a report can show, newest first."""
        quarter, quarters = cls.latest_complete(today), []
        while quarter.year >= EARLIEST_YEAR:
            quarters.append(quarter)
            quarter = quarter.previous
        return quarters

    @property
    def slug(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return _("Q%(number)s %(year)s") % {"number": self.number, "year": self.year}

    @property
    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    @property
    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    @property
    def first(self) -> date:
        """The Monday of the quarter's first week (the week of its first Thursday)."""
        first_day = date(self.year, 3 * self.number - 2, 1)
        thursday = first_day + timedelta(days=(3 - first_day.weekday()) % 7)
        return thursday - timedelta(days=3)

    @property
    def last(self) -> date:
        """The Sunday of the quarter's last week."""
        return self.next.first - timedelta(days=1)

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

    def buckets(self) -> list[date]:
        """The Monday of every week, in order: the time series is weekly."""
        return [self.first + timedelta(weeks=n) for n in range(self.weeks)]

    @staticmethod
    def bucket_label(day: date) -> str:
        year, week, _weekday = day.isocalendar()
        return _("week %(week)s, %(year)s") % {"week": week, "year": year}

    def as_filters(self) -> dict[str, str]:
        """The weeks shown, for the export log."""
        return {"first_day": self.first.isoformat(), "last_day": self.last.isoformat()}

    def iso_weeks(self) -> tuple[str, str]:
        first, last = self.first.isocalendar(), self.last.isocalendar()
        return f"{first.year}-W{first.week:02d}", f"{last.year}-W{last.week:02d}"
