"""Tests for the opening-hours engine (services_directory.hours).

Expected instants are hand-computed and written with explicit offsets: CET is +01:00
(winter), CEST is +02:00 (summer). In 2027 summer time starts Sunday 28 March
(02:00 CET → 03:00 CEST, also Easter Sunday) and ends Sunday 31 October
(03:00 CEST → 02:00 CET).
"""

from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import pairwise

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services_directory.hours import (
    HORIZON,
    OSLO,
    DateException,
    HolidayPolicy,
    Schedule,
    Span,
    WeeklyRule,
    is_public_holiday,
    public_holiday_name,
)

CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = (MON, TUE, WED, THU, FRI)
ALL_DAYS = range(7)


def span(opens: str, closes: str) -> Span:
    return Span(time.fromisoformat(opens), time.fromisoformat(closes))


def weekly(days, opens: str, closes: str) -> tuple[WeeklyRule, ...]:
    return tuple(WeeklyRule(day, span(opens, closes)) for day in days)


def cet(*args) -> datetime:
    return datetime(*args, tzinfo=CET)


def cest(*args) -> datetime:
    return datetime(*args, tzinfo=CEST)


FULL_DAY = span("00:00", "00:00")
ALWAYS_OPEN = Schedule(weekly=weekly(ALL_DAYS, "00:00", "00:00"))
OFFICE = Schedule(weekly=weekly(WEEKDAYS, "09:00", "15:00"))
OFFICE_CLOSED_ON_HOLIDAYS = Schedule(
    weekly=weekly(WEEKDAYS, "09:00", "15:00"), holiday_policy=HolidayPolicy.CLOSED
)
WEEKDAY_NIGHTS = Schedule(weekly=weekly(WEEKDAYS, "15:00", "08:00"))
# Alarmtelefonen for barn og unge, as registered: weekdays 15–08, round the clock at
# weekends and on public holidays.
ALARMTELEFONEN = Schedule(
    weekly=weekly(WEEKDAYS, "15:00", "08:00") + weekly((SAT, SUN), "00:00", "00:00"),
    holiday_policy=HolidayPolicy.OWN_HOURS,
    holiday_spans=(FULL_DAY,),
)


# --- Public holidays -----------------------------------------------------------------


def test_public_holidays_2027_are_exactly_the_statutory_ones():
    expected = {
        date(2027, 1, 1),  # New Year's Day
        date(2027, 3, 25),  # Maundy Thursday
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 28),  # Easter Sunday
        date(2027, 3, 29),  # Easter Monday
        date(2027, 5, 1),  # Labour Day
        date(2027, 5, 6),  # Ascension Day
        date(2027, 5, 16),  # Whit Sunday
        date(2027, 5, 17),  # Constitution Day and Whit Monday
        date(2027, 12, 25),  # Christmas Day
        date(2027, 12, 26),  # Boxing Day
    }
    days = (date(2027, 1, 1) + timedelta(days=n) for n in range(365))
    assert {day for day in days if is_public_holiday(day)} == expected


def test_ordinary_sundays_and_christmas_eve_are_not_public_holidays():
    assert not is_public_holiday(date(2027, 3, 7))  # an ordinary Sunday
    assert not is_public_holiday(date(2027, 12, 24))
    assert not is_public_holiday(date(2027, 12, 31))


def test_public_holiday_names_include_both_when_two_coincide():
    nb_name = public_holiday_name(date(2027, 5, 17))
    assert "Grunnlovsdag" in nb_name
    assert "Andre pinsedag" in nb_name
    assert "Constitution Day" in public_holiday_name(date(2027, 5, 17), language="en")
    assert public_holiday_name(date(2027, 3, 26)) == "Langfredag"
    assert public_holiday_name(date(2027, 5, 18)) is None


def test_public_holiday_lookup_rejects_datetimes():
    with pytest.raises(TypeError):
        is_public_holiday(datetime(2027, 5, 17, 12, tzinfo=OSLO))


# --- Crossing midnight ---------------------------------------------------------------


def test_weekday_night_span_runs_into_the_next_morning():
    # Monday 6 September 2027.
    assert WEEKDAY_NIGHTS.is_open(cest(2027, 9, 6, 23, 0))
    assert WEEKDAY_NIGHTS.is_open(cest(2027, 9, 7, 7, 59))
    assert not WEEKDAY_NIGHTS.is_open(cest(2027, 9, 7, 8, 0))
    assert WEEKDAY_NIGHTS.closes_at(cest(2027, 9, 6, 23, 0)) == cest(2027, 9, 7, 8, 0)
    assert WEEKDAY_NIGHTS.next_opening(cest(2027, 9, 7, 8, 0)) == cest(2027, 9, 7, 15, 0)


def test_next_opening_while_open_is_the_start_of_the_following_interval():
    assert WEEKDAY_NIGHTS.next_opening(cest(2027, 9, 6, 23, 0)) == cest(2027, 9, 7, 15, 0)


def test_interval_start_is_inclusive_and_end_exclusive():
    assert not WEEKDAY_NIGHTS.is_open(cest(2027, 9, 10, 14, 59, 59, 999999))
    assert WEEKDAY_NIGHTS.is_open(cest(2027, 9, 10, 15, 0))
    assert not OFFICE.is_open(cest(2027, 9, 10, 15, 0))


def test_friday_night_span_ends_saturday_morning():
    # Friday 10 September 2027; Saturday and Sunday have no spans of their own.
    assert WEEKDAY_NIGHTS.is_open(cest(2027, 9, 10, 15, 0))
    assert WEEKDAY_NIGHTS.is_open(cest(2027, 9, 11, 7, 59))
    assert not WEEKDAY_NIGHTS.is_open(cest(2027, 9, 11, 8, 0))
    assert WEEKDAY_NIGHTS.closes_at(cest(2027, 9, 10, 15, 0)) == cest(2027, 9, 11, 8, 0)
    assert WEEKDAY_NIGHTS.next_opening(cest(2027, 9, 11, 8, 0)) == cest(2027, 9, 13, 15, 0)


def test_overlapping_and_touching_spans_merge_into_one_interval():
    # Weekday nights, whole weekend days and Sunday night: Friday 15:00 to Monday 08:00.
    schedule = Schedule(
        weekly=weekly(WEEKDAYS, "15:00", "08:00")
        + weekly((SAT, SUN), "00:00", "00:00")
        + weekly((SUN,), "15:00", "08:00")
    )
    friday = cest(2027, 9, 10, 16, 0)
    assert schedule.closes_at(friday) == cest(2027, 9, 13, 8, 0)
    assert schedule.next_opening(friday) == cest(2027, 9, 13, 15, 0)
    assert schedule.intervals(cest(2027, 9, 10, 12, 0), cest(2027, 9, 14, 0, 0)) == [
        (cest(2027, 9, 10, 15, 0), cest(2027, 9, 13, 8, 0)),
        (cest(2027, 9, 13, 15, 0), cest(2027, 9, 14, 0, 0)),
    ]


def test_span_ending_at_midnight():
    schedule = Schedule(weekly=weekly((FRI,), "18:00", "00:00"))
    assert schedule.is_open(cest(2027, 9, 10, 23, 59))
    assert not schedule.is_open(cest(2027, 9, 11, 0, 0))
    assert schedule.closes_at(cest(2027, 9, 10, 18, 0)) == cest(2027, 9, 11, 0, 0)


# --- Alarmtelefonen ------------------------------------------------------------------


def test_alarmtelefonen_is_open_all_day_on_a_wednesday_17_may():
    # 17 May 2028 is a Wednesday and only Constitution Day.
    assert ALARMTELEFONEN.is_open(cest(2028, 5, 17, 12, 0))


def test_alarmtelefonen_is_open_on_saturday_noon():
    assert ALARMTELEFONEN.is_open(cest(2027, 9, 11, 12, 0))


def test_alarmtelefonen_is_closed_on_an_ordinary_tuesday_morning():
    tuesday = cest(2027, 9, 7, 10, 0)
    assert not ALARMTELEFONEN.is_open(tuesday)
    assert ALARMTELEFONEN.closes_at(tuesday) is None
    assert ALARMTELEFONEN.next_opening(tuesday) == cest(2027, 9, 7, 15, 0)


def test_alarmtelefonen_is_not_always_open():
    assert not ALARMTELEFONEN.is_always_open()


# --- Public holiday policies ---------------------------------------------------------


def test_closed_policy_skips_easter_and_reopens_after_easter_monday():
    assert not OFFICE_CLOSED_ON_HOLIDAYS.is_open(cet(2027, 3, 26, 10, 0))  # Good Friday
    # Easter Monday 29 March is a holiday too; summer time has started by Tuesday.
    assert OFFICE_CLOSED_ON_HOLIDAYS.next_opening(cet(2027, 3, 26, 10, 0)) == cest(
        2027, 3, 30, 9, 0
    )
    assert not OFFICE_CLOSED_ON_HOLIDAYS.is_open(cet(2027, 3, 25, 10, 0))  # Maundy Thursday
    assert OFFICE_CLOSED_ON_HOLIDAYS.is_open(cet(2027, 3, 24, 10, 0))
    assert OFFICE_CLOSED_ON_HOLIDAYS.closes_at(cet(2027, 3, 24, 10, 0)) == cet(2027, 3, 24, 15, 0)
    assert OFFICE_CLOSED_ON_HOLIDAYS.next_opening(cet(2027, 3, 24, 10, 0)) == cest(
        2027, 3, 30, 9, 0
    )


def test_normal_policy_keeps_weekly_hours_on_holidays():
    assert OFFICE.is_open(cet(2027, 3, 26, 10, 0))  # Good Friday


def test_closed_policy_over_new_year():
    # 1 January 2027 is a Friday.
    assert OFFICE_CLOSED_ON_HOLIDAYS.next_opening(cet(2026, 12, 31, 16, 0)) == cet(2027, 1, 4, 9)


def test_overnight_span_started_before_a_holiday_is_not_cut_by_it():
    schedule = Schedule(
        weekly=weekly(ALL_DAYS, "22:00", "06:00"), holiday_policy=HolidayPolicy.CLOSED
    )
    assert schedule.is_open(cet(2027, 1, 1, 3, 0))
    assert schedule.closes_at(cet(2026, 12, 31, 22, 0)) == cet(2027, 1, 1, 6, 0)
    # No span starts on the holiday itself.
    assert not schedule.is_open(cet(2027, 1, 1, 23, 0))
    assert schedule.next_opening(cet(2027, 1, 1, 6, 0)) == cet(2027, 1, 2, 22, 0)


def test_holiday_hours_replace_the_weekly_spans_that_would_start_that_day():
    # The Wednesday night span is not started on a holiday with its own hours.
    schedule = Schedule(
        weekly=weekly(WEEKDAYS, "15:00", "08:00"),
        holiday_policy=HolidayPolicy.OWN_HOURS,
        holiday_spans=(span("10:00", "14:00"),),
    )
    assert schedule.is_open(cest(2028, 5, 17, 7, 0))  # Tuesday's night span
    assert schedule.is_open(cest(2028, 5, 17, 12, 0))
    assert not schedule.is_open(cest(2028, 5, 17, 16, 0))
    assert schedule.next_opening(cest(2028, 5, 17, 12, 0)) == cest(2028, 5, 18, 15, 0)


def test_ascension_day_2027():
    assert not OFFICE_CLOSED_ON_HOLIDAYS.is_open(cest(2027, 5, 6, 10, 0))
    assert OFFICE_CLOSED_ON_HOLIDAYS.next_opening(cest(2027, 5, 6, 10, 0)) == cest(2027, 5, 7, 9)


def test_whit_monday_coincides_with_constitution_day_2027():
    assert not OFFICE_CLOSED_ON_HOLIDAYS.is_open(cest(2027, 5, 17, 10, 0))
    assert OFFICE_CLOSED_ON_HOLIDAYS.next_opening(cest(2027, 5, 14, 16, 0)) == cest(
        2027, 5, 18, 9, 0
    )


def test_own_hours_over_easter_including_the_dst_night():
    schedule = Schedule(holiday_policy=HolidayPolicy.OWN_HOURS, holiday_spans=(FULL_DAY,))
    assert schedule.intervals(cet(2027, 3, 24, 0, 0), cest(2027, 3, 31, 0, 0)) == [
        (cet(2027, 3, 25, 0, 0), cet(2027, 3, 27, 0, 0)),  # Maundy Thursday, Good Friday
        (cet(2027, 3, 28, 0, 0), cest(2027, 3, 30, 0, 0)),  # Easter Sunday, Easter Monday
    ]
    assert not schedule.is_open(cet(2027, 3, 27, 12, 0))  # Easter Saturday


def test_own_hours_at_christmas():
    schedule = Schedule(
        weekly=weekly(WEEKDAYS, "09:00", "15:00"),
        holiday_policy=HolidayPolicy.OWN_HOURS,
        holiday_spans=(span("10:00", "14:00"),),
    )
    assert schedule.is_open(cet(2026, 12, 24, 14, 30))  # Christmas Eve is a working day
    assert not schedule.is_open(cet(2026, 12, 25, 9, 59))  # Christmas Day, a Friday
    assert schedule.is_open(cet(2026, 12, 25, 12, 0))
    assert schedule.is_open(cet(2026, 12, 26, 12, 0))  # Boxing Day, a Saturday
    assert schedule.next_opening(cet(2026, 12, 26, 14, 0)) == cet(2026, 12, 28, 9, 0)


# --- Dated exceptions ----------------------------------------------------------------


def test_closed_over_christmas_and_new_year():
    schedule = Schedule(
        weekly=weekly(WEEKDAYS, "09:00", "15:00"),
        exceptions=(DateException(date(2027, 12, 24), date(2028, 1, 2)),),
    )
    assert schedule.is_open(cet(2027, 12, 23, 14, 0))
    assert schedule.closes_at(cet(2027, 12, 23, 14, 0)) == cet(2027, 12, 23, 15, 0)
    assert schedule.next_opening(cet(2027, 12, 23, 15, 0)) == cet(2028, 1, 3, 9, 0)
    assert not schedule.is_open(cet(2027, 12, 27, 10, 0))
    assert not schedule.is_open(cet(2027, 12, 31, 10, 0))


def test_special_hours_replace_weekly_hours_on_a_range():
    schedule = Schedule(
        weekly=weekly(WEEKDAYS, "09:00", "15:00"),
        exceptions=(DateException(date(2027, 12, 27), date(2027, 12, 30), (span("10", "12"),)),),
    )
    assert not schedule.is_open(cet(2027, 12, 27, 9, 30))
    assert schedule.is_open(cet(2027, 12, 27, 11, 0))
    assert schedule.closes_at(cet(2027, 12, 27, 11, 0)) == cet(2027, 12, 27, 12, 0)
    assert not schedule.is_open(cet(2027, 12, 27, 13, 0))
    assert schedule.next_opening(cet(2027, 12, 27, 13, 0)) == cet(2027, 12, 28, 10, 0)
    assert schedule.next_opening(cet(2027, 12, 30, 12, 0)) == cet(2027, 12, 31, 9, 0)


def test_exception_overrides_holiday_policy():
    schedule = Schedule(
        weekly=weekly(WEEKDAYS, "09:00", "15:00"),
        holiday_policy=HolidayPolicy.CLOSED,
        exceptions=(DateException(date(2027, 5, 17), date(2027, 5, 17), (span("12", "16"),)),),
    )
    assert not schedule.is_open(cest(2027, 5, 17, 10, 0))
    assert schedule.is_open(cest(2027, 5, 17, 13, 0))


def test_closed_exception_does_not_cut_the_previous_night():
    schedule = Schedule(
        weekly=weekly(ALL_DAYS, "22:00", "06:00"),
        exceptions=(DateException(date(2027, 6, 1), date(2027, 6, 1)),),
    )
    assert schedule.is_open(cest(2027, 6, 1, 3, 0))
    assert not schedule.is_open(cest(2027, 6, 1, 23, 0))
    assert schedule.next_opening(cest(2027, 6, 1, 12, 0)) == cest(2027, 6, 2, 22, 0)


def test_first_listed_exception_wins_when_they_overlap():
    schedule = Schedule(
        exceptions=(
            DateException(date(2027, 6, 1), date(2027, 6, 1), (span("10", "11"),)),
            DateException(date(2027, 5, 30), date(2027, 6, 2), (span("12", "13"),)),
        )
    )
    assert schedule.is_open(cest(2027, 6, 1, 10, 30))
    assert not schedule.is_open(cest(2027, 6, 1, 12, 30))
    assert schedule.is_open(cest(2027, 6, 2, 12, 30))


# --- Daylight saving time ------------------------------------------------------------


def test_night_span_on_spring_forward_night_is_one_hour_shorter():
    schedule = Schedule(weekly=weekly((SAT,), "22:00", "06:00"))
    assert schedule.intervals(cet(2027, 3, 27, 0, 0), cest(2027, 3, 29, 0, 0)) == [
        (cet(2027, 3, 27, 22, 0), cest(2027, 3, 28, 6, 0)),
    ]
    assert schedule.is_open(datetime(2027, 3, 28, 1, 30, tzinfo=UTC))  # 03:30 CEST
    assert not schedule.is_open(datetime(2027, 3, 28, 4, 0, tzinfo=UTC))  # 06:00 CEST


def test_night_span_on_fall_back_night_is_one_hour_longer():
    schedule = Schedule(weekly=weekly((SAT,), "22:00", "06:00"))
    assert schedule.intervals(cest(2027, 10, 30, 0, 0), cet(2027, 11, 1, 0, 0)) == [
        (cest(2027, 10, 30, 22, 0), cet(2027, 10, 31, 6, 0)),
    ]
    # Both 02:30s of the repeated hour are inside the span.
    assert schedule.is_open(datetime(2027, 10, 31, 2, 30, fold=0, tzinfo=OSLO))
    assert schedule.is_open(datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=OSLO))
    assert schedule.closes_at(cest(2027, 10, 30, 23, 0)) == cet(2027, 10, 31, 6, 0)


def test_full_day_span_lasts_23_hours_on_spring_forward_day():
    schedule = Schedule(weekly=weekly((SUN,), "00:00", "00:00"))
    [(opens, closes)] = schedule.intervals(cet(2027, 3, 27, 0, 0), cest(2027, 3, 30, 0, 0))
    assert (opens, closes) == (cet(2027, 3, 28, 0, 0), cest(2027, 3, 29, 0, 0))
    assert closes.astimezone(UTC) - opens.astimezone(UTC) == timedelta(hours=23)
    assert schedule.closes_at(cest(2027, 3, 28, 12, 0)) == cest(2027, 3, 29, 0, 0)


def test_full_day_span_lasts_25_hours_on_fall_back_day():
    schedule = Schedule(weekly=weekly((SUN,), "00:00", "00:00"))
    [(opens, closes)] = schedule.intervals(cest(2027, 10, 30, 0, 0), cet(2027, 11, 2, 0, 0))
    assert (opens, closes) == (cest(2027, 10, 31, 0, 0), cet(2027, 11, 1, 0, 0))
    assert closes.astimezone(UTC) - opens.astimezone(UTC) == timedelta(hours=25)


def test_nonexistent_opening_time_means_when_the_clocks_jump():
    schedule = Schedule(weekly=weekly((SUN,), "02:30", "03:30"))
    assert schedule.intervals(cet(2027, 3, 27, 0, 0), cest(2027, 3, 29, 0, 0)) == [
        (cest(2027, 3, 28, 3, 0), cest(2027, 3, 28, 3, 30)),
    ]
    assert schedule.next_opening(cet(2027, 3, 27, 12, 0)) == cest(2027, 3, 28, 3, 0)


def test_span_entirely_inside_the_spring_forward_gap_is_empty():
    schedule = Schedule(weekly=weekly((SUN,), "02:15", "02:45"))
    assert schedule.intervals(cet(2027, 3, 27, 0, 0), cest(2027, 3, 29, 0, 0)) == []
    assert not schedule.is_open(cest(2027, 3, 28, 3, 0))
    # The following Sunday it exists again.
    assert schedule.next_opening(cet(2027, 3, 27, 12, 0)) == cest(2027, 4, 4, 2, 15)


def test_ambiguous_time_on_fall_back_night_means_the_first_occurrence():
    schedule = Schedule(weekly=weekly((SUN,), "02:30", "04:00"))
    opens = schedule.next_opening(cest(2027, 10, 31, 0, 0))
    # Inter-zone == is always False for times in the repeated hour, so compare in UTC.
    assert opens.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert (opens.fold, opens.utcoffset()) == (0, timedelta(hours=2))
    assert schedule.closes_at(cest(2027, 10, 31, 2, 30)) == cet(2027, 10, 31, 4, 0)


def test_results_are_in_oslo_time():
    result = WEEKDAY_NIGHTS.next_opening(datetime(2027, 9, 7, 8, 0, tzinfo=UTC))
    assert result == cest(2027, 9, 7, 15, 0)
    assert result.tzinfo == OSLO
    assert result.utcoffset() == timedelta(hours=2)


# --- Horizon -------------------------------------------------------------------------


def test_always_open_service_never_closes_and_never_reopens():
    at = cest(2027, 6, 1, 12, 0)
    assert ALWAYS_OPEN.closes_at(at) is None
    assert ALWAYS_OPEN.next_opening(at) is None


def test_service_without_hours_never_opens():
    at = cest(2027, 6, 1, 12, 0)
    assert not Schedule().is_open(at)
    assert Schedule().next_opening(at) is None
    assert Schedule().closes_at(at) is None


def test_next_opening_looks_400_days_ahead():
    schedule = Schedule(
        exceptions=(DateException(date(2028, 7, 1), date(2028, 7, 1), (span("10", "12"),)),)
    )
    assert timedelta(days=400) == HORIZON
    assert schedule.next_opening(cest(2027, 6, 1, 12, 0)) == cest(2028, 7, 1, 10, 0)
    assert schedule.next_opening(cest(2027, 5, 1, 12, 0)) is None  # 427 days ahead


def test_closes_at_within_the_horizon():
    schedule = Schedule(
        weekly=weekly(ALL_DAYS, "00:00", "00:00"),
        exceptions=(DateException(date(2028, 3, 1), date(2028, 3, 1)),),
    )
    assert schedule.closes_at(cest(2027, 6, 1, 12, 0)) == cet(2028, 3, 1, 0, 0)
    assert schedule.next_opening(cest(2027, 6, 1, 12, 0)) == cet(2028, 3, 2, 0, 0)
    assert schedule.closes_at(cest(2027, 1, 1, 12, 0)) is None  # 425 days ahead


# --- Input validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda at: OFFICE.is_open(at),
        lambda at: OFFICE.next_opening(at),
        lambda at: OFFICE.closes_at(at),
        lambda at: OFFICE.intervals(at, at + timedelta(days=1)),
        lambda at: OFFICE.intervals(cet(2027, 1, 1), at),
    ],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2027, 6, 1, 12, 0))


def test_invalid_weekday_and_backwards_exception_are_rejected():
    with pytest.raises(ValueError):
        WeeklyRule(7, span("09:00", "15:00"))
    with pytest.raises(ValueError):
        DateException(date(2027, 1, 2), date(2027, 1, 1))


def test_schedules_are_hashable_and_normalise_their_inputs():
    from_lists = Schedule(
        weekly=list(weekly(WEEKDAYS, "09:00", "15:00")),
        holiday_policy="closed",
    )
    assert from_lists == OFFICE_CLOSED_ON_HOLIDAYS
    assert hash(from_lists) == hash(OFFICE_CLOSED_ON_HOLIDAYS)
    assert from_lists.holiday_policy is HolidayPolicy.CLOSED
    with pytest.raises(ValueError):
        Schedule(holiday_policy="sometimes")


def test_empty_window_has_no_intervals():
    at = cest(2027, 9, 7, 16, 0)
    assert WEEKDAY_NIGHTS.intervals(at, at) == []
    assert WEEKDAY_NIGHTS.intervals(at, at - timedelta(hours=1)) == []


# --- Always open ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (ALWAYS_OPEN, True),
        # Every day 08:00 to 08:00 the next day also covers the clock.
        (Schedule(weekly=weekly(ALL_DAYS, "08:00", "08:00")), True),
        (Schedule(weekly=weekly(ALL_DAYS, "00:00", "23:59")), False),
        (Schedule(weekly=weekly((MON, TUE, THU, FRI, SAT, SUN), "00:00", "00:00")), False),
        (Schedule(weekly=ALWAYS_OPEN.weekly, holiday_policy=HolidayPolicy.CLOSED), False),
        (
            Schedule(
                weekly=ALWAYS_OPEN.weekly,
                holiday_policy=HolidayPolicy.OWN_HOURS,
                holiday_spans=(FULL_DAY,),
            ),
            True,
        ),
        (
            Schedule(
                weekly=ALWAYS_OPEN.weekly,
                holiday_policy=HolidayPolicy.OWN_HOURS,
                holiday_spans=(span("10:00", "14:00"),),
            ),
            False,
        ),
        # A midnight-to-midnight holiday leaves 00–08 the next morning uncovered.
        (
            Schedule(
                weekly=weekly(ALL_DAYS, "08:00", "08:00"),
                holiday_policy=HolidayPolicy.OWN_HOURS,
                holiday_spans=(FULL_DAY,),
            ),
            False,
        ),
        (
            Schedule(
                weekly=weekly(ALL_DAYS, "08:00", "08:00"),
                holiday_policy=HolidayPolicy.OWN_HOURS,
                holiday_spans=(span("08:00", "08:00"),),
            ),
            True,
        ),
        (
            Schedule(
                weekly=ALWAYS_OPEN.weekly,
                exceptions=(DateException(date(2027, 6, 1), date(2027, 6, 3)),),
            ),
            False,
        ),
        (
            Schedule(
                weekly=ALWAYS_OPEN.weekly,
                exceptions=(DateException(date(2027, 6, 1), date(2027, 6, 3), (FULL_DAY,)),),
            ),
            True,
        ),
        (Schedule(), False),
        (OFFICE, False),
    ],
)
def test_is_always_open(schedule, expected):
    assert schedule.is_always_open() is expected


# --- Summaries -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "nb", "en"),
    [
        (ALWAYS_OPEN, "Døgnåpen", "Open 24/7"),
        (OFFICE, "Hverdager 09–15", "Weekdays 09–15"),
        (
            Schedule(weekly=weekly((MON, TUE, WED, THU), "19:00", "21:00")),
            "Man–tor 19–21",
            "Mon–Thu 19–21",
        ),
        (
            Schedule(weekly=weekly(WEEKDAYS, "18:30", "22:30")),
            "Hverdager 18:30–22:30",
            "Weekdays 18:30–22:30",
        ),
        (
            ALARMTELEFONEN,
            "Hverdager 15–08, lør–søn døgnåpent, helligdager døgnåpent",
            "Weekdays 15–08, Sat–Sun 24 hours, public holidays 24 hours",
        ),
        (
            OFFICE_CLOSED_ON_HOLIDAYS,
            "Hverdager 09–15, stengt helligdager",
            "Weekdays 09–15, closed on public holidays",
        ),
        (Schedule(), "Ingen åpningstider registrert", "No opening hours registered"),
        (
            Schedule(holiday_policy=HolidayPolicy.CLOSED),
            "Ingen åpningstider registrert",
            "No opening hours registered",
        ),
        (Schedule(weekly=weekly(ALL_DAYS, "10:00", "14:00")), "Daglig 10–14", "Daily 10–14"),
        (
            Schedule(weekly=weekly(WEEKDAYS, "09:00", "15:00") + weekly((SAT,), "10:00", "14:00")),
            "Hverdager 09–15, lør 10–14",
            "Weekdays 09–15, Sat 10–14",
        ),
        (
            Schedule(
                weekly=weekly((MON,), "12:00", "15:00")
                + weekly((MON,), "09:00", "11:00")
                + weekly((WED,), "10:00", "14:00")
            ),
            "Man 09–11 og 12–15, ons 10–14",
            "Mon 09–11 and 12–15, Wed 10–14",
        ),
        (
            Schedule(weekly=weekly(ALL_DAYS, "00:00", "00:00"), holiday_policy="closed"),
            "Daglig døgnåpent, stengt helligdager",
            "Daily 24 hours, closed on public holidays",
        ),
        (
            Schedule(
                weekly=weekly(WEEKDAYS, "09:00", "15:00"),
                holiday_policy=HolidayPolicy.CLOSED,
                holiday_spans=(span("10:00", "14:00"),),  # ignored unless OWN_HOURS
            ),
            "Hverdager 09–15, stengt helligdager",
            "Weekdays 09–15, closed on public holidays",
        ),
        (
            Schedule(weekly=weekly(WEEKDAYS, "09:00", "15:00"), holiday_policy="own"),
            "Hverdager 09–15, stengt helligdager",
            "Weekdays 09–15, closed on public holidays",
        ),
        (
            Schedule(holiday_policy="own", holiday_spans=(span("10:00", "14:00"),)),
            "Helligdager 10–14",
            "Public holidays 10–14",
        ),
    ],
)
def test_summary(schedule, nb, en):
    assert schedule.summary() == nb
    assert schedule.summary("nb") == nb
    assert schedule.summary("en") == en


# --- Properties ----------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

DST_CHANGES = [
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
    datetime(2027, 10, 31, 1, 0, tzinfo=UTC),
    datetime(2028, 3, 26, 1, 0, tzinfo=UTC),
    datetime(2028, 10, 29, 1, 0, tzinfo=UTC),
]

instants = st.one_of(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2029, 1, 1), timezones=st.just(UTC)
    ),
    st.builds(
        lambda change, minutes: change + timedelta(minutes=minutes),
        st.sampled_from(DST_CHANGES),
        st.integers(min_value=-30 * 60, max_value=30 * 60),
    ),
)

# Times cluster on the hour and include the DST-sensitive 02:xx and midnight.
wall_times = st.builds(
    time, st.sampled_from([0, 1, 2, 3, 6, 8, 9, 12, 15, 20, 22, 23]), st.sampled_from([0, 30])
)
spans = st.builds(Span, wall_times, wall_times)
rule_lists = st.lists(st.builds(WeeklyRule, st.integers(0, 6), spans), max_size=8)
exception_lists = st.lists(
    st.builds(
        lambda start, length, day_spans: DateException(
            start, start + timedelta(days=length), tuple(day_spans)
        ),
        st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
        st.integers(0, 10),
        st.lists(spans, max_size=2),
    ),
    max_size=3,
)
schedules = st.builds(
    Schedule,
    weekly=rule_lists.map(tuple),
    holiday_policy=st.sampled_from(HolidayPolicy),
    holiday_spans=st.lists(spans, max_size=2).map(tuple),
    exceptions=exception_lists.map(tuple),
)


@PROPERTY_SETTINGS
@given(at=instants)
def test_always_open_service_is_never_closed(at):
    assert ALWAYS_OPEN.is_open(at)
    assert ALWAYS_OPEN.closes_at(at) is None
    assert ALWAYS_OPEN.next_opening(at) is None


def utc(moment: datetime | None) -> datetime | None:
    # Results are Oslo datetimes; == and - between them go by wall clock (see module docs).
    return None if moment is None else moment.astimezone(UTC)


@PROPERTY_SETTINGS
@given(schedule=schedules, at=instants)
def test_open_and_closed_transitions_are_consistent(schedule, at):
    closes = utc(schedule.closes_at(at))
    opens = utc(schedule.next_opening(at))
    tick = timedelta(microseconds=1)
    if schedule.is_open(at):
        if closes is not None:
            assert closes > at
            assert not schedule.is_open(closes)
            assert schedule.is_open(closes - tick)
            assert [tuple(map(utc, pair)) for pair in schedule.intervals(at, closes)] == [
                (at, closes)
            ]
        if opens is not None:
            assert closes is not None
            assert opens > closes
            assert schedule.is_open(opens)
    else:
        assert closes is None
        if opens is not None:
            assert opens > at
            assert schedule.is_open(opens)
            assert not schedule.is_open(opens - tick)
            assert schedule.intervals(at, opens) == []


@PROPERTY_SETTINGS
@given(schedule=schedules, start=instants, hours=st.integers(1, 96))
def test_intervals_are_merged_clipped_and_agree_with_is_open(schedule, start, hours):
    end = start + timedelta(hours=hours)
    result = schedule.intervals(start, end)
    assert all(opens.tzinfo == OSLO and closes.tzinfo == OSLO for opens, closes in result)
    result = [(utc(opens), utc(closes)) for opens, closes in result]
    for opens, closes in result:
        assert start <= opens < closes <= end
        assert schedule.is_open(opens)
        assert schedule.is_open(closes - timedelta(microseconds=1))
        if closes < end:
            assert not schedule.is_open(closes)
    for (_, earlier_close), (later_open, _) in pairwise(result):
        assert earlier_close < later_open  # merged: gaps between intervals are real
    assert schedule.is_open(start) == bool(result and result[0][0] == start)


@PROPERTY_SETTINGS
@given(schedule=schedules, at=instants)
def test_is_open_matches_a_direct_reading_of_the_rules(schedule, at):
    # Independent oracle for the day-resolution rules; it skips spans touching the
    # spring-forward gap, whose clamping is tested explicitly above.
    local_day = at.astimezone(OSLO).date()
    norway = holidays.Norway(years=range(2025, 2030), include_sundays=False)
    expected = None
    for day in (local_day - timedelta(days=1), local_day):
        covering = [e for e in schedule.exceptions if e.start <= day <= e.end]
        if covering:
            day_spans = covering[0].spans
        elif day in norway and schedule.holiday_policy == "closed":
            day_spans = ()
        elif day in norway and schedule.holiday_policy == "own":
            day_spans = schedule.holiday_spans
        else:
            day_spans = [rule.span for rule in schedule.weekly if rule.weekday == day.weekday()]
        for day_span in day_spans:
            end_day = day + timedelta(days=1) if day_span.closes <= day_span.opens else day
            opens = datetime.combine(day, day_span.opens, tzinfo=OSLO)
            closes = datetime.combine(end_day, day_span.closes, tzinfo=OSLO)
            if _in_spring_gap(opens) or _in_spring_gap(closes):
                return
            if opens.astimezone(UTC) <= at < closes.astimezone(UTC):
                expected = True
    assert schedule.is_open(at) == bool(expected)


def _in_spring_gap(local: datetime) -> bool:
    return local.astimezone(UTC).astimezone(OSLO).replace(tzinfo=None) != local.replace(tzinfo=None)


@settings(max_examples=40, deadline=None)
@given(schedule=schedules)
def test_summary_never_fails(schedule):
    assert schedule.summary("nb")
    assert schedule.summary("en")


def test_alarmtelefonen_encoded_with_08_to_08_has_no_gaps():
    """Weekdays 15–08 plus 08–08 spans at weekends and on holidays: closed only in
    office hours on ordinary weekdays (00:00–00:00 weekend spans would leave Monday
    00–08 and the morning after a holiday uncovered)."""
    full = Span(time(8), time(8))
    schedule = Schedule(
        weekly=tuple(
            [WeeklyRule(d, Span(time(15), time(8))) for d in range(5)]
            + [WeeklyRule(5, full), WeeklyRule(6, full)]
        ),
        holiday_policy=HolidayPolicy.OWN_HOURS,
        holiday_spans=(full,),
    )
    friday = datetime(2027, 3, 5, 15, tzinfo=OSLO)
    assert schedule.closes_at(friday).astimezone(UTC) == datetime(2027, 3, 8, 8, tzinfo=OSLO)
    assert schedule.is_open(datetime(2027, 3, 8, 3, tzinfo=OSLO))  # Monday night
    assert schedule.is_open(datetime(2027, 5, 7, 7, tzinfo=OSLO))  # after Ascension Day
    assert not schedule.is_open(datetime(2027, 3, 9, 10, tzinfo=OSLO))  # ordinary Tuesday
    assert schedule.summary("nb") == "Hverdager 15–08, lør–søn døgnåpent, helligdager døgnåpent"
