"""``nearest_first`` (grouped queries, growing circles) must return exactly the head of
``ranked_for`` (one query that ranks everything), for any caller and any limit."""

import random

import pytest

from services_directory.models import County, Location, Municipality, Service
from tests.conftest import make_service

CALLERS = ["0301", "1804", "5501", "5612", "4601", "1515", "3301"]


@pytest.fixture
def scattered(db):
    rng = random.Random(5)
    municipalities = list(Municipality.objects.active().order_by("number"))
    counties = list(County.objects.active())
    for n in range(45):
        service = make_service(f"Service {n:02d}", covers_whole_country=rng.random() < 0.1)
        if rng.random() < 0.5:
            service.coverage_municipalities.set(rng.sample(municipalities, rng.randint(1, 3)))
        if rng.random() < 0.3:
            service.coverage_counties.set(rng.sample(counties, 1))
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            m = rng.choice(municipalities)
            Location.objects.create(
                service=service, municipality=m, latitude=m.latitude, longitude=m.longitude
            )
    # Two services at the same place: ties are broken by name, then id.
    oslo = Municipality.objects.get(number="0301")
    for name in ("Twin", "Twin"):
        twin = make_service(name)
        Location.objects.create(
            service=twin, municipality=oslo, latitude=oslo.latitude, longitude=oslo.longitude
        )


@pytest.mark.parametrize("number", [*CALLERS, None])
def test_nearest_first_is_the_head_of_the_full_ranking(scattered, number):
    municipality = Municipality.objects.get(number=number) if number else None
    everything = list(Service.objects.published().ranked_for(municipality))
    assert len(everything) == 47
    for limit in (1, 3, 10, 47, 100):
        head = Service.objects.published().nearest_first(municipality, limit)
        assert [s.pk for s in head] == [s.pk for s in everything[:limit]]
        assert [s.coverage_rank for s in head] == [s.coverage_rank for s in everything[:limit]]
        assert [s.distance_km for s in head] == pytest.approx(
            [s.distance_km for s in everything[:limit]]
        )
