"""Opening-hours engine: is a service open right now, and when does that change?

Pure Python (no Django imports) so models can build a ``Schedule`` once and cache it.

Semantics
---------
* All wall-clock times are Europe/Oslo (``OSLO``). Instants are compared in UTC.
* A ``Span`` belongs to the day it STARTS on. ``closes <= opens`` means it ends on
  the next day ("15:00–08:00"); ``opens == closes`` means 24 hours from ``opens``
  (so 00:00–00:00 is midnight to midnight, 23 or 25 real hours on DST days).
* Each local calendar day D gets its spans from, in priority order:

  1. a ``DateException`` covering D: its spans (none = closed). If several cover D,
     the first one listed wins;
  2. if D is a Norwegian public holiday: CLOSED → none, OWN_HOURS → ``holiday_spans``,
     NORMAL → the weekly rules;
  3. the weekly rules for D's weekday.

* An overnight span started on D runs into D+1 regardless of D+1's rules. The open
  intervals are the union of all spans; overlapping or touching intervals merge.
* Nonexistent local times (02:00–02:59 on the spring-forward night) mean the instant
  the clocks jump (03:00 CEST). Ambiguous times on the fall-back night mean the first
  occurrence (CEST).
* Intervals are half-open: open at the start instant, closed at the end instant.
* Inputs must be timezone-aware (``ValueError`` otherwise); outputs are aware
  datetimes in Europe/Oslo. Python compares and subtracts two datetimes that share a
  tzinfo by wall clock, and never finds a time in the repeated autumn hour equal to one
  in another zone, so convert results to UTC before doing arithmetic on them.
* ``next_opening``/``closes_at`` look at most ``HORIZON`` (400 days) ahead and return
  None for anything beyond.
* Public holidays are the statutory ones only (``holidays.Norway`` without Sundays).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays

OSLO = ZoneInfo("Europe/Oslo")
HORIZON = timedelta(days=400)

_ONE_DAY = timedelta(days=1)
_DAY_US = 24 * 60 * 60 * 1_000_000  # a wall-clock day in microseconds

# (start, end): an open interval, half-open. A plain tuple rather than a NamedTuple: the
# search asks ``is_open`` of thousands of schedules, and building tuples costs less.
Interval = tuple[datetime, datetime]


# --- Public holidays -----------------------------------------------------------------


@lru_cache(maxsize=128)
def _holidays_in(year: int, language: str) -> dict[date, str]:
    calendar = holidays.Norway(years=year, include_sundays=False, language=language)
    return dict(calendar)


def _holiday_language(language: str) -> str:
    return "en_US" if _is_english(language) else "no"


def _check_date(d: date) -> None:
    # datetime is a date subclass but never equals a date key, which would silently miss.
    if isinstance(d, datetime):
        raise TypeError("expected a date, not a datetime")


def is_public_holiday(d: date) -> bool:
    """True if ``d`` is a Norwegian public holiday (ordinary Sundays are not)."""
    _check_date(d)
    return d in _holidays_in(d.year, "no")


def public_holiday_name(d: date, language: str = "nb") -> str | None:
    """The holiday's name ("Andre pinsedag; Grunnlovsdag" when two coincide), or None."""
    _check_date(d)
    return _holidays_in(d.year, _holiday_language(language)).get(d)


# --- Data structures -----------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Span:
    """Open from ``opens`` to ``closes`` (next day if ``closes <= opens``)."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("span times are Oslo wall-clock times and must be naive")

    @property
    def is_full_day(self) -> bool:
        """24 hours from ``opens``."""
        return self.opens == self.closes

    @property
    def ends_next_day(self) -> bool:
        return self.closes <= self.opens


# The spans that start on one day (or make up one rule), sorted.
DaySpans = tuple[Span, ...]


@dataclass(frozen=True)
class WeeklyRule:
    weekday: int  # 0 = Monday ... 6 = Sunday
    span: Span

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")


class HolidayPolicy(StrEnum):
    NORMAL = "normal"  # weekly rules apply on public holidays too
    CLOSED = "closed"  # closed on public holidays
    OWN_HOURS = "own"  # holiday_spans apply on public holidays instead of the weekly rules


@dataclass(frozen=True)
class DateException:
    """Dates ``start``..``end`` (inclusive) use ``spans`` instead of the usual rules.

    No spans means closed on those dates.
    """

    start: date
    end: date
    spans: DaySpans = ()

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("exception ends before it starts")
        object.__setattr__(self, "spans", tuple(self.spans))

    def covers(self, d: date) -> bool:
        return self.start <= d <= self.end


@dataclass(frozen=True)
class Schedule:
    weekly: tuple[WeeklyRule, ...] = ()
    holiday_policy: HolidayPolicy = HolidayPolicy.NORMAL
    holiday_spans: DaySpans = ()
    exceptions: tuple[DateException, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists and plain strings from callers, but store hashable, validated values.
        object.__setattr__(self, "weekly", tuple(self.weekly))
        object.__setattr__(self, "holiday_policy", HolidayPolicy(self.holiday_policy))
        object.__setattr__(self, "holiday_spans", tuple(self.holiday_spans))
        object.__setattr__(self, "exceptions", tuple(self.exceptions))

    # A cached_property writes straight into __dict__, which a frozen dataclass allows.
    @cached_property
    def _weekly_spans(self) -> tuple[DaySpans, ...]:
        """Sorted, de-duplicated spans for each weekday, Monday first."""
        return tuple(
            tuple(sorted({rule.span for rule in self.weekly if rule.weekday == weekday}))
            for weekday in range(7)
        )

    @cached_property
    def never_opens(self) -> bool:
        """No span anywhere: closed whatever the date (saves a 400-day search)."""
        holiday = self.holiday_policy is HolidayPolicy.OWN_HOURS and self.holiday_spans
        return not (self.weekly or holiday or any(exception.spans for exception in self.exceptions))

    # --- Which spans apply on a day ---

    def spans_on(self, day: date) -> DaySpans:
        """The spans that START on local date ``day``."""
        for exception in self.exceptions:
            if exception.covers(day):
                return exception.spans
        if self.holiday_policy is not HolidayPolicy.NORMAL and is_public_holiday(day):
            if self.holiday_policy is HolidayPolicy.CLOSED:
                return ()
            return self.holiday_spans
        return self._weekly_spans[day.weekday()]

    def _day_intervals(self, day: date) -> list[Interval]:
        """UTC intervals of the spans starting on ``day``, sorted by start."""
        result = []
        for span in self.spans_on(day):
            start = _instant(day, span.opens)
            end = _instant(day + _ONE_DAY if span.ends_next_day else day, span.closes)
            if end > start:  # a span inside the spring-forward gap is empty
                result.append((start, end))
        result.sort()
        return result

    def _merged(self, first_day: date, last_day: date) -> Iterator[Interval]:
        """Merged UTC intervals of spans starting on ``first_day``..``last_day``.

        Starts only grow from one day to the next, so merging can stream. The last
        interval may continue past ``last_day``; callers account for that.
        """
        current: Interval | None = None
        day = first_day
        while day <= last_day:
            for start, end in self._day_intervals(day):
                if current is None:
                    current = (start, end)
                elif start <= current[1]:
                    current = (current[0], max(current[1], end))
                else:
                    yield current
                    current = (start, end)
            day += _ONE_DAY
        if current is not None:
            yield current

    # --- Queries ---

    def intervals(self, start: datetime, end: datetime) -> list[Interval]:
        """Merged open intervals overlapping ``[start, end)``, clipped to that window."""
        start_utc, end_utc = _to_utc(start), _to_utc(end)
        if end_utc <= start_utc:
            return []
        # Spans last at most a day (25 h on DST days), so one day back suffices.
        first_day = _local_date(start_utc) - _ONE_DAY
        result = []
        for open_at, close_at in self._merged(first_day, _local_date(end_utc)):
            if open_at >= end_utc:
                break
            if close_at > start_utc:
                result.append((_local(max(open_at, start_utc)), _local(min(close_at, end_utc))))
        return result

    def is_open(self, at: datetime) -> bool:
        if self.never_opens:
            _to_utc(at)  # still refuses a naive datetime
            return False
        at_utc = _to_utc(at)
        day = _local_date(at_utc)
        return any(
            start <= at_utc < end
            for previous_or_today in (day - _ONE_DAY, day)
            for start, end in self._day_intervals(previous_or_today)
        )

    def next_opening(self, at: datetime) -> datetime | None:
        """When it next opens: if closed at ``at``, the moment it opens; if open, the start
        of the next interval after the current one ends. None if beyond ``HORIZON``."""
        at_utc = _to_utc(at)
        if self.never_opens or self.is_always_open():
            return None
        horizon = at_utc + HORIZON
        for start, end in self._merged(_local_date(at_utc) - _ONE_DAY, _local_date(horizon)):
            if end <= at_utc:
                continue
            if start > at_utc:
                return _local(start) if start <= horizon else None
        return None

    def closes_at(self, at: datetime) -> datetime | None:
        """End of the open interval containing ``at``; None if closed at ``at`` or if it
        stays open beyond ``HORIZON``."""
        at_utc = _to_utc(at)
        if self.never_opens or self.is_always_open():
            return None
        horizon = at_utc + HORIZON
        for start, end in self._merged(_local_date(at_utc) - _ONE_DAY, _local_date(horizon)):
            if end <= at_utc:
                continue
            if start > at_utc:
                return None
            # Spans of days after the horizon date start after `horizon`, so an end at
            # or before it is final; a later end may be a truncated merge.
            return _local(end) if end <= horizon else None
        return None

    def is_always_open(self) -> bool:
        """Open around the clock, every day (computed once per schedule)."""
        return self._always_open

    @cached_property
    def _always_open(self) -> bool:
        """True if open around the clock on every day, holidays and exceptions included.

        Checked on wall-clock spans: every day must be covered from midnight to midnight
        by its own spans plus the previous day's overnight spans, for every pair of
        consecutive days that can occur. Holidays and exceptions may fall next to any
        weekday, so they are checked against all of them.
        """
        if self.holiday_policy is HolidayPolicy.CLOSED:
            return False
        weekly = self._weekly_spans
        replacements = [exception.spans for exception in self.exceptions]
        if self.holiday_policy is HolidayPolicy.OWN_HOURS:
            replacements.append(self.holiday_spans)
        if not all(_covers_day(weekly[weekday - 1], weekly[weekday]) for weekday in range(7)):
            return False
        for replacement in replacements:
            if not all(_covers_day(previous, replacement) for previous in (*weekly, *replacements)):
                return False
            if not all(_covers_day(replacement, following) for following in weekly):
                return False
        return True

    def summary(self, language: str = "nb") -> str:
        """Short human summary, in bokmål ("nb", the default) or English ("en*")."""
        words = _ENGLISH if _is_english(language) else _BOKMAL
        if self.is_always_open():
            return words.always_open
        parts = [
            f"{_day_range_label(first, last, words)} {_spans_text(spans, words)}"
            for first, last, spans in _group_weekdays(self._weekly_spans)
        ]
        own_hours = self.holiday_policy is HolidayPolicy.OWN_HOURS
        if own_hours and self.holiday_spans:
            parts.append(f"{words.holidays} {_spans_text(self.holiday_spans, words)}")
        if not parts:
            return words.no_hours
        if self.holiday_policy is HolidayPolicy.CLOSED or (own_hours and not self.holiday_spans):
            parts.append(words.closed_holidays)
        text = ", ".join(parts)
        return text[0].upper() + text[1:]


# --- Time conversion -----------------------------------------------------------------


def _to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(UTC)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(OSLO)


def _local_date(moment: datetime) -> date:
    return moment.astimezone(OSLO).date()


@lru_cache(maxsize=16_384)
def _instant(day: date, wall: time) -> datetime:
    """The UTC instant of Oslo wall-clock ``wall`` on ``day`` (see module docstring)."""
    local = datetime.combine(day, wall, tzinfo=OSLO)  # fold=0: first occurrence
    instant = local.astimezone(UTC)
    if instant.astimezone(OSLO).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    # Nonexistent: fold=1 gives an instant before the jump and fold=0 one after it.
    # Bisect whole seconds for the jump itself (tz transitions fall on whole seconds).
    before = int(local.replace(fold=1).timestamp())
    after = int(instant.timestamp()) + 1
    new_offset = instant.astimezone(OSLO).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, OSLO).utcoffset() == new_offset:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _wall_bounds(span: Span) -> tuple[int, int]:
    """Start and end in microseconds from the start day's local midnight."""
    opens, closes = _time_us(span.opens), _time_us(span.closes)
    return opens, closes + _DAY_US if span.ends_next_day else closes


def _covers_day(previous: Sequence[Span], today: Sequence[Span]) -> bool:
    """Do ``today``'s spans plus ``previous`` day's overnight spans cover the whole day?"""
    pieces = []
    for span in previous:
        start, end = _wall_bounds(span)
        if end > _DAY_US:
            pieces.append((max(start - _DAY_US, 0), end - _DAY_US))
    pieces.extend(_wall_bounds(span) for span in today)
    covered_until = 0
    for start, end in sorted(pieces):
        if start > covered_until:
            return False
        covered_until = max(covered_until, end)
    return covered_until >= _DAY_US


# --- Summary -------------------------------------------------------------------------


def _is_english(language: str) -> bool:
    return language.lower().startswith("en")


@dataclass(frozen=True)
class _Words:
    always_open: str
    no_hours: str
    weekdays: str
    daily: str
    holidays: str
    closed_holidays: str
    full_day: str
    and_: str
    days: tuple[str, str, str, str, str, str, str]


# Summaries are capitalised afterwards, so mid-sentence words are lower case in bokmål.
_BOKMAL = _Words(
    always_open="Døgnåpen",
    no_hours="Ingen åpningstider registrert",
    weekdays="hverdager",
    daily="daglig",
    holidays="helligdager",
    closed_holidays="stengt helligdager",
    full_day="døgnåpent",
    and_="og",
    days=("man", "tir", "ons", "tor", "fre", "lør", "søn"),
)
_ENGLISH = _Words(
    always_open="Open 24/7",
    no_hours="No opening hours registered",
    weekdays="Weekdays",
    daily="Daily",
    holidays="public holidays",
    closed_holidays="closed on public holidays",
    full_day="24 hours",
    and_="and",
    days=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
)


class _WeekdayRun(NamedTuple):
    """Weekdays ``first``..``last`` (0 = Monday), all open with the same ``spans``."""

    first: int
    last: int
    spans: DaySpans


def _group_weekdays(weekly_spans: tuple[DaySpans, ...]) -> list[_WeekdayRun]:
    """Runs of consecutive weekdays with identical, non-empty spans."""
    runs: list[_WeekdayRun] = []
    for weekday, spans in enumerate(weekly_spans):
        if not spans:
            continue
        if runs and runs[-1].last == weekday - 1 and runs[-1].spans == spans:
            runs[-1] = runs[-1]._replace(last=weekday)
        else:
            runs.append(_WeekdayRun(weekday, weekday, spans))
    return runs


def _day_range_label(first: int, last: int, words: _Words) -> str:
    if (first, last) == (0, 4):
        return words.weekdays
    if (first, last) == (0, 6):
        return words.daily
    days = words.days
    return days[first] if first == last else f"{days[first]}–{days[last]}"


def _spans_text(spans: Sequence[Span], words: _Words) -> str:
    return f" {words.and_} ".join(_span_text(span, words) for span in sorted(spans))


def _span_text(span: Span, words: _Words) -> str:
    # 08:00–08:00 is as much "24 hours" as 00:00–00:00; operators need the gist.
    if span.is_full_day:
        return words.full_day
    return f"{_clock(span.opens)}–{_clock(span.closes)}"


def _clock(t: time) -> str:
    return f"{t.hour:02d}" if t.minute == 0 else f"{t.hour:02d}:{t.minute:02d}"


__all__ = [
    "HORIZON",
    "OSLO",
    "DateException",
    "DaySpans",
    "HolidayPolicy",
    "Interval",
    "Schedule",
    "Span",
    "WeeklyRule",
    "is_public_holiday",
    "public_holiday_name",
]
