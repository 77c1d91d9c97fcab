"""The desk's in-memory index must rank exactly as the SQL reference ``ranked_for`` does,
filters included, for any caller and any limit."""

import random
from datetime import UTC, datetime, time

import pytest
from django.db import transaction

from services_directory import search_index
from services_directory.models import County, Location, Municipality, OpeningHours, Service, Topic
from tests.conftest import make_service

CALLERS = ["0301", "1804", "5501", "5612", "4601", "1515", "3301"]
MONDAY_NOON = datetime(2027, 3, 1, 11, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scattered(django_db_setup, django_db_blocker):
    """Made once for the module (in a transaction rolled back at its end): ranking is
    read-only, and this is the slow part."""
    with django_db_blocker.unblock(), transaction.atomic():
        _scatter()
        yield
        transaction.set_rollback(True)


def _scatter():
    rng = random.Random(5)
    municipalities = list(Municipality.objects.active().order_by("number"))
    counties = list(County.objects.active())
    for n in range(45):
        service = make_service(
            f"Service {n:02d}",
            covers_whole_country=rng.random() < 0.1,
            topics=rng.sample(["voldtekt", "incest", "partnervold"], rng.randint(0, 2)),
            min_age=rng.choice([None, None, 18]),
        )
        if rng.random() < 0.5:
            service.coverage_municipalities.set(rng.sample(municipalities, rng.randint(1, 3)))
        if rng.random() < 0.3:
            service.coverage_counties.set(rng.sample(counties, 1))
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            m = rng.choice(municipalities)
            Location.objects.create(
                service=service, municipality=m, latitude=m.latitude, longitude=m.longitude
            )
        if rng.random() < 0.5:
            for weekday in range(5):
                OpeningHours.objects.create(
                    service=service, weekday=weekday, opens=time(8), closes=time(16)
                )
    # Two services at the same place: ties are broken by name, then id.
    oslo = Municipality.objects.get(number="0301")
    for name in ("Twin", "Twin"):
        twin = make_service(name)
        Location.objects.create(
            service=twin, municipality=oslo, latitude=oslo.latitude, longitude=oslo.longitude
        )


def _index_ranking(municipality, limit, **query):
    ranked = search_index.current_index().rank(search_index.Query(**query), municipality, limit)
    return [(r.entry.pk, int(r.coverage), r.distance_km) for r in ranked]


def _sql_ranking(municipality, queryset):
    return [(s.pk, s.coverage_rank, s.distance_km) for s in queryset.ranked_for(municipality)]


def _same(head, reference):
    assert [row[:2] for row in head] == [row[:2] for row in reference]
    assert [row[2] for row in head] == pytest.approx([row[2] for row in reference])


@pytest.mark.parametrize("number", [*CALLERS, None])
def test_the_index_ranks_as_the_database_does(scattered, db, number):
    municipality = Municipality.objects.get(number=number) if number else None
    everything = _sql_ranking(municipality, Service.objects.published())
    assert len(everything) == 47
    for limit in (1, 3, 10, 47, 100):
        _same(_index_ranking(municipality, limit), everything[:limit])


@pytest.mark.parametrize("number", [*CALLERS, None])
def test_filters_select_what_the_database_selects(scattered, db, number):
    municipality = Municipality.objects.get(number=number) if number else None
    voldtekt = Topic.objects.get(code="voldtekt")
    published = Service.objects.published()
    cases = [
        ({"terms": [("topics", voldtekt.pk)]}, published.with_all_codes("topics", ["voldtekt"])),
        ({"age": 16}, published.for_age(16)),
        ({"open_at": MONDAY_NOON}, published.open_at(MONDAY_NOON)),
        (
            {"terms": [("topics", voldtekt.pk)], "open_at": MONDAY_NOON, "age": 30},
            published.with_all_codes("topics", ["voldtekt"]).for_age(30).open_at(MONDAY_NOON),
        ),
    ]
    for query, queryset in cases:
        reference = _sql_ranking(municipality, queryset)
        assert reference, query  # the fixture leaves something to find
        for limit in (1, 5, 100):
            _same(_index_ranking(municipality, limit, **query), reference[:limit])
