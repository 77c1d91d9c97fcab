"""``Service.objects.open_at(t)`` (SQL) must agree with ``Schedule.is_open(t)`` (Python)."""

import random
from datetime import date, datetime, time, timedelta

import pytest

from services_directory.hours import OSLO
from services_directory.models import OpeningHours, Service
from tests.conftest import make_service

POLICIES = ["normal", "closed", "own"]
CLOCK = [time(h, m) for h in range(24) for m in (0, 30)]


def _random_schedule(service: Service, rng: random.Random) -> None:
    for weekday in range(7):
        for _ in range(rng.choice([0, 1, 1, 2])):
            OpeningHours.objects.create(
                service=service, weekday=weekday, opens=rng.choice(CLOCK), closes=rng.choice(CLOCK)
            )
    if rng.random() < 0.5:
        OpeningHours.objects.create(
            service=service, kind="holiday", opens=rng.choice(CLOCK), closes=rng.choice(CLOCK)
        )
    if rng.random() < 0.4:
        start = date(2026, 12, rng.randint(20, 31))
        closed = rng.random() < 0.5
        OpeningHours.objects.create(
            service=service,
            kind="exception",
            valid_from=start,
            valid_to=start + timedelta(days=rng.randint(0, 3)) if rng.random() < 0.5 else None,
            opens=None if closed else rng.choice(CLOCK),
            closes=None if closed else rng.choice(CLOCK),
        )


@pytest.fixture
def services(db):
    rng = random.Random(20261127)
    created = []
    for n in range(40):
        service = make_service(
            f"Random {n}",
            holiday_policy=rng.choice(POLICIES),
            status=rng.choice(["active"] * 5 + ["temporarily_closed"]),
        )
        _random_schedule(service, rng)
        created.append(service)
    always = make_service("Always")
    for weekday in range(7):
        OpeningHours.objects.create(service=always, weekday=weekday, opens=time(0), closes=time(0))
    return [*created, always]


def _moments(rng: random.Random) -> list[datetime]:
    fixed = [
        # Christmas, New Year, 17 May, Easter 2027 and the nights after them.
        datetime(2026, 12, 24, 23, 45),
        datetime(2026, 12, 25, 0, 15),
        datetime(2026, 12, 26, 7, 59),
        datetime(2027, 1, 1, 0, 0),
        datetime(2027, 1, 1, 12, 0),
        datetime(2027, 3, 28, 9, 0),
        datetime(2027, 3, 29, 1, 0),
        datetime(2027, 5, 17, 23, 59),
        datetime(2027, 5, 18, 3, 0),
        datetime(2026, 12, 21, 10, 0),
    ]
    base = datetime(2026, 12, 1)
    randoms = [base + timedelta(minutes=rng.randrange(0, 60 * 24 * 200)) for _ in range(60)]
    # Stay off the autumn fall-back hour, where wall-clock and instant comparisons part.
    return [m.replace(tzinfo=OSLO) for m in fixed + randoms if not (m.month == 10 and m.hour == 2)]


@pytest.mark.django_db
def test_open_at_matches_the_hours_engine(services):
    rng = random.Random(7)
    pks = [s.pk for s in services]
    loaded = list(Service.objects.filter(pk__in=pks).prefetch_related("opening_hours"))
    sizes = []
    for moment in _moments(rng):
        in_sql = set(
            Service.objects.filter(pk__in=pks).open_at(moment).values_list("pk", flat=True)
        )
        in_python = {s.pk for s in loaded if s.status == "active" and s.schedule().is_open(moment)}
        assert in_sql == in_python, moment
        sizes.append(len(in_sql))
    # The comparison means something only if the random schedules open and close.
    assert min(sizes) < 10 < max(sizes)


@pytest.mark.django_db
def test_open_at_keeps_temporarily_closed_services_out(db):
    service = make_service("Paused", status=Service.Status.TEMPORARILY_CLOSED)
    for weekday in range(7):
        OpeningHours.objects.create(service=service, weekday=weekday, opens=time(0), closes=time(0))
    moment = datetime(2027, 2, 3, 12, tzinfo=OSLO)
    assert not Service.objects.filter(pk=service.pk).open_at(moment).exists()


@pytest.mark.django_db
def test_overnight_span_is_open_after_midnight(db):
    service = make_service("Night line")
    OpeningHours.objects.create(service=service, weekday=4, opens=time(22), closes=time(6))
    friday_late = datetime(2027, 2, 5, 23, tzinfo=OSLO)
    saturday_early = datetime(2027, 2, 6, 5, 59, tzinfo=OSLO)
    saturday_six = datetime(2027, 2, 6, 6, tzinfo=OSLO)
    qs = Service.objects.filter(pk=service.pk)
    assert qs.open_at(friday_late).exists()
    assert qs.open_at(saturday_early).exists()
    assert not qs.open_at(saturday_six).exists()


@pytest.mark.django_db
def test_open_at_refuses_a_naive_datetime(db):
    with pytest.raises(ValueError, match="aware"):
        Service.objects.open_at(datetime(2027, 1, 1, 12))
