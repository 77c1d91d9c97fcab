"""The search (desk, staff API, public API) against a brute-force reference.

The reference reads every service from the database and applies each rule the slow,
obvious way: filter, place in a coverage group, measure, sort on coverage group,
distance, bokmål name and id. Every filter is covered (topic, group, type, age,
language, open at, name) and the public API's own order (active services only,
distances from public addresses, by name without a place). Confidential addresses are
measured from their municipality at the desk and not at all in the public order.
"""

import math
import random
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.http import QueryDict
from rapidfuzz import fuzz

from services_directory import search
from services_directory.models import (
    ContactChannel,
    County,
    Language,
    Location,
    Municipality,
    OpeningHours,
    Service,
    TargetGroup,
)
from services_directory.search_index import MAX_WORDS, SIMILAR, Coverage
from tests.factories import make_service

OSLO = ZoneInfo("Europe/Oslo")
CALLERS = ["0301", "1804", "5501", "5612", "4601", "1515", "3301", "1871"]
TOPICS = ["voldtekt", "incest", "partnervold"]
GROUPS = ["kvinner", "menn", "unge"]
TYPES = ["krisesenter", "overgrepsmottak", "hjelpetelefon"]
LANGUAGES = ["nb", "en", "ar", "se"]
WORDS = ["krisesenter", "overgrepsmottak", "støttesenter", "linje", "Bodø", "Oslo", "Sámi"]
MOMENTS = [
    datetime(2027, 3, 1, 12, 0, tzinfo=OSLO),  # a Monday noon
    datetime(2027, 3, 6, 2, 30, tzinfo=OSLO),  # a Saturday night
    datetime(2027, 5, 17, 12, 0, tzinfo=OSLO),  # a public holiday
    datetime(2027, 3, 3, 10, 0, tzinfo=OSLO),  # a dated exception
]
NAME_QUERIES = ["krise", "krisesentret", "oslo linje", "SÁMI", "mottak", "bodo", "org"]
SPANS = [(time(8), time(16)), (time(22), time(6)), (time(0), time(0)), (time(10), time(14))]


@pytest.fixture(scope="module")
def directory(django_db_setup, django_db_blocker):
    """Made once for the module, in a transaction rolled back at its end: searching is
    read-only, and this is the slow part. Gives the published services as the
    reference reads them."""
    with django_db_blocker.unblock(), transaction.atomic():
        _scatter(random.Random(7))
        _loaded.extend(
            Service.objects.published()
            .select_related("organization")
            .prefetch_related(
                "topics", "target_groups", "service_types", "languages", "locations",
                "coverage_municipalities", "coverage_counties", "opening_hours",
                "channels", "locations__municipality",
            )
        )  # fmt: skip
        yield
        _loaded.clear()
        transaction.set_rollback(True)


_loaded: list[Service] = []


def _scatter(rng: random.Random) -> None:
    municipalities = list(Municipality.objects.filter(is_active=True).order_by("number"))
    counties = list(County.objects.filter(is_active=True))
    languages = list(Language.objects.filter(code__in=LANGUAGES))
    for n in range(70):
        name = " ".join(rng.sample(WORDS, rng.randint(1, 2))) + f" {n:02d}"
        service = make_service(
            # A few share a name, so ties fall back to the id.
            "Tvilling" if n % 23 == 0 else name,
            covers_whole_country=rng.random() < 0.12,
            topics=rng.sample(TOPICS, rng.randint(0, 2)),
            groups=rng.sample(GROUPS, rng.randint(0, 1)),
            types=rng.sample(TYPES, rng.randint(0, 1)),
            min_age=rng.choice([None, None, 16, 18]),
            max_age=rng.choice([None, None, None, 25]),
            status=rng.choice(["active"] * 6 + ["temporarily_closed", "inactive"]),
            is_published=rng.random() < 0.93,
            holiday_policy=rng.choice(["normal", "closed", "own"]),
        )
        service.name_en = f"Service {n}" if rng.random() < 0.3 else ""
        service.save()
        service.languages.set(rng.sample(languages, rng.randint(0, 2)))
        if rng.random() < 0.45:
            service.coverage_municipalities.set(rng.sample(municipalities, rng.randint(1, 3)))
        if rng.random() < 0.25:
            service.coverage_counties.set(rng.sample(counties, 1))
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            m = rng.choice(municipalities)
            secret = rng.random() < 0.3
            Location.objects.create(
                service=service,
                municipality=m,
                # A confidential address off its municipality's point, so measuring
                # from the address itself would show.
                latitude=m.latitude + (0.1 if secret else 0.0),
                longitude=m.longitude,
                is_confidential=secret,
            )
        if rng.random() < 0.7:
            ContactChannel.objects.create(service=service, kind="phone", value="+4722225555")
        opens, closes = rng.choice(SPANS)
        for weekday in rng.sample(range(7), rng.randint(0, 7)):
            OpeningHours.objects.create(
                service=service, weekday=weekday, opens=opens, closes=closes
            )
        if rng.random() < 0.3:
            OpeningHours.objects.create(
                service=service, kind="holiday", opens=time(12), closes=time(18)
            )
        if rng.random() < 0.2:
            OpeningHours.objects.create(
                service=service,
                kind="exception",
                valid_from=date(2027, 3, 3),
                valid_to=date(2027, 3, 4),
                **rng.choice([{}, {"opens": time(9), "closes": time(11)}]),
            )


# --- The reference ---------------------------------------------------------------------


def _km(lat1, lon1, lat2, lon2) -> float:
    """Spherical law of cosines: another formula than the one under test."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cos = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, cos)))


def _named(service: Service, text: str) -> bool:
    names = [getattr(service, f"name_{code}") for code in ("nb", "nn", "en", "se")]
    words = {
        word
        for name in (*names, service.organization.name)
        for word in (name or "").casefold().split()
    }

    def found(word: str) -> bool:
        return any(
            word in known or (len(word) >= 4 and fuzz.ratio(word, known) >= SIMILAR)
            for known in words
        )

    return all(found(word) for word in text.casefold().split()[:MAX_WORDS])


def _matches(service: Service, params: dict, at: datetime) -> bool:
    codes = {
        "topic": {t.code for t in service.topics.all()},
        "group": {t.code for t in service.target_groups.all()},
        "type": {t.code for t in service.service_types.all()},
    }
    for param, have in codes.items():
        if not set(params.get(param, [])) <= have:
            return False
    age = params.get("age")
    if age is not None and (
        (service.min_age is not None and service.min_age > age)
        or (service.max_age is not None and service.max_age < age)
    ):
        return False
    if params.get("language") and params["language"] not in {
        language.code for language in service.languages.all()
    }:
        return False
    if params.get("q") and not _named(service, params["q"]):
        return False
    if params.get("open"):
        return service.status == "active" and service.schedule().is_open(at)
    return True


def _coverage(service: Service, municipality: Municipality | None) -> Coverage:
    if municipality is not None:
        if municipality in service.coverage_municipalities.all():
            return Coverage.LOCAL
        if municipality.county in service.coverage_counties.all():
            return Coverage.REGIONAL
    return Coverage.NATIONAL if service.covers_whole_country else Coverage.OUTSIDE


def _distance(service, municipality, *, public: bool) -> float | None:
    """From the public addresses; at the desk, from the confidential addresses'
    municipalities when there are none, never from a confidential address itself."""
    origin = (municipality.latitude, municipality.longitude)
    locations = service.locations.all()
    points = [(loc.latitude, loc.longitude) for loc in locations if not loc.is_confidential]
    points = [point for point in points if point[0] is not None]
    if not points and not public:
        points = [
            (loc.municipality.latitude, loc.municipality.longitude)
            for loc in locations
            if loc.is_confidential
        ]
    return min((_km(*origin, *point) for point in points), default=None)


def reference(params: dict, number: str | None, at: datetime) -> list[tuple]:
    """The desk's order: (pk, coverage, distance) of every match."""
    municipality = (
        Municipality.objects.select_related("county").get(number=number) if number else None
    )
    rows = []
    for service in _loaded:
        if not _matches(service, params, at):
            continue
        coverage = _coverage(service, municipality)
        distance = None if municipality is None else _distance(service, municipality, public=False)
        rows.append((coverage, distance is None, distance or 0.0, service.name_nb, service.pk))
    rows.sort()
    return [(pk, coverage, None if none else distance) for coverage, none, distance, _, pk in rows]


def public_reference(params: dict, number: str | None, at: datetime) -> list[tuple]:
    municipality = (
        Municipality.objects.select_related("county").get(number=number) if number else None
    )
    rows = []
    for service in _loaded:
        if service.status != "active" or not _matches(service, params, at):
            continue
        if municipality is None:
            rows.append((0, False, 0.0, service.name_nb, service.pk, None, None))
            continue
        coverage = _coverage(service, municipality)
        distance = _distance(service, municipality, public=True)
        key = (coverage, distance is None, distance or 0.0, service.name_nb, service.pk)
        rows.append((*key, coverage, distance))
    rows.sort()
    return [(row[4], row[5], row[6]) for row in rows]


# --- Under test ------------------------------------------------------------------------


def _query(params: dict, number: str | None, **extra) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list):
            query.setlist(key, value)
        elif value is not None:
            query[key] = "1" if value is True else str(value)
    if number:
        query["municipality"] = number
    for key, value in extra.items():
        query[key] = value
    return query


def desk(params: dict, number: str | None, at: datetime, limit: int) -> list[tuple]:
    form = search.SearchForm(_query(params, number, limit=str(limit)))
    assert form.is_valid(), form.errors
    result = search.run_search({**form.cleaned_data, "at": at}, index=form.index)
    return [(hit.service.pk, hit.coverage, hit.distance_km) for hit in result.hits]


def public(params: dict, number: str | None, at: datetime) -> list[tuple]:
    form = search.SearchForm(_query(params, number))
    assert form.is_valid(), form.errors
    matches, _ = search.public_order(form.cleaned_data, at, index=form.index)
    return [tuple(match) for match in matches]


def _same(found: list[tuple], expected: list[tuple]) -> None:
    assert [row[:2] for row in found] == [row[:2] for row in expected]
    assert [row[2] for row in found] == pytest.approx([row[2] for row in expected], abs=1e-6)


FILTERS = [
    {},
    {"topic": ["voldtekt"]},
    {"topic": ["voldtekt", "incest"]},
    {"group": ["kvinner"]},
    {"type": ["krisesenter"]},
    {"age": 17},
    {"age": 30},
    {"language": "ar"},
    {"open": True},
    {"q": "krisesentret"},
    {"q": "oslo linje"},
    {"topic": ["partnervold"], "open": True, "age": 20},
]


@pytest.mark.parametrize("number", [*CALLERS, None])
@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(map(str, p.items())) or "all")
def test_the_desk_ranks_as_the_reference(directory, db, number, params):
    at = MOMENTS[0]
    expected = reference(params, number, at)
    for limit in (1, 5, 100):
        _same(desk(params, number, at, limit), expected[:limit])


@pytest.mark.parametrize("at", MOMENTS, ids=lambda m: m.isoformat())
@pytest.mark.parametrize("number", ["0301", "1804", None])
def test_open_at_agrees_with_the_reference(directory, db, at, number):
    expected = reference({"open": True}, number, at)
    assert expected  # something is open at every moment tried
    _same(desk({"open": True}, number, at, 100), expected)


@pytest.mark.parametrize("q", NAME_QUERIES)
def test_the_name_search_agrees_with_the_reference(directory, db, q):
    expected = reference({"q": q}, "1804", MOMENTS[0])
    _same(desk({"q": q}, "1804", MOMENTS[0], 100), expected)


def test_random_combinations_agree_with_the_reference(directory, db):
    rng = random.Random(3)
    for _ in range(40):
        params = {
            "topic": rng.sample(TOPICS, rng.choice([0, 0, 1])),
            "group": rng.sample(GROUPS, rng.choice([0, 0, 1])),
            "type": rng.sample(TYPES, rng.choice([0, 0, 1])),
            "age": rng.choice([None, None, 15, 19, 40]),
            "language": rng.choice([None, None, *LANGUAGES]),
            "open": rng.random() < 0.4,
            "q": rng.choice([None, None, None, *NAME_QUERIES]),
        }
        params = {key: value for key, value in params.items() if value not in (None, [], False)}
        number, at = rng.choice([*CALLERS, None]), rng.choice(MOMENTS)
        expected = reference(params, number, at)
        limit = rng.choice([1, 3, 20])
        _same(desk(params, number, at, limit), expected[:limit])
        _same(public(params, number, at), public_reference(params, number, at))


@pytest.mark.parametrize("number", [*CALLERS, None])
@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(map(str, p.items())) or "all")
def test_the_public_order_is_the_reference(directory, db, number, params):
    at = MOMENTS[0]
    _same(public(params, number, at), public_reference(params, number, at))


def test_the_public_order_never_measures_from_a_confidential_address(directory, db):
    hidden = Location.objects.filter(is_confidential=True, service__is_published=True)
    service = hidden.exclude(service__locations__is_confidential=False).first().service
    number = service.locations.first().municipality.number
    (match,) = [m for m in public({}, number, MOMENTS[0]) if m[0] == service.pk]
    assert match[2] is None  # a shelter with only a secret address has no distance at all


def test_the_acute_strip_is_the_nearest_open_phone(directory, db):
    for number in CALLERS:
        municipality = Municipality.objects.get(number=number)
        hit = search.nearest_open(municipality, MOMENTS[0])
        phones = {s.pk for s in _loaded if any(c.kind == "phone" for c in s.channels.all())}
        phoned = [row for row in reference({"open": True}, number, MOMENTS[0]) if row[0] in phones]
        assert (hit.service.pk, hit.coverage) == phoned[0][:2]


def test_the_filters_are_not_vacuous(directory, db):
    """Each filter of FILTERS keeps some services and drops others."""
    everything = reference({}, None, MOMENTS[0])
    for params in FILTERS[1:]:
        kept = reference(params, None, MOMENTS[0])
        assert 0 < len(kept) < len(everything), params
    assert TargetGroup.objects.filter(code="kvinner").exists()
