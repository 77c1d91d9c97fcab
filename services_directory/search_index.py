"""The operator search's in-memory index: filters, "open at", ranking and cards without SQL.

A search during a call must answer in well under 50 ms, also with 20 operators at once on
a small server. Ranking 20,000 services in SQL costs tens of milliseconds per search (every
candidate's distance, hours and filters), so each process keeps in memory what a search
needs:

- what a filter asks for, as sets of service ids per term, language and covered area, and
  the current vocabulary by code (so checking the parameters costs no query either);
- each service's points, age limits and ``hours.Schedule`` (the reference "open at"
  engine; ``ServiceQuerySet.open_at`` is its SQL mirror for the public API);
- per caller municipality, the local, regional and national services sorted by distance;
- for services outside the caller's area, latitude-sorted lists (all services, and the
  services of each filter term) walked outwards from the caller until no closer service
  can be left;
- every word of every service's and organisation's name, for the name search;
- the rows a result card shows (service, organisation, channels, locations), made into
  model instances when a card is first shown.

The index is never stale: database triggers (``services_directory.triggers``) stamp a new
token on every write to a directory table, and each search first reads that token (one
indexed row) and rebuilds the index when it has changed. Free shelter places and error
reports change all the time and are read fresh for every search.

Nothing here keeps what was searched for: every per-search memo lives in the request.
The one thing that grows with use is the set of cards made so far (which services have
been shown since the last rebuild, with no time or order), and it stays in memory.

The ranking is the same as ``ServiceQuerySet.ranked_for`` (``tests/test_search_ranking.py``
holds them together): local, regional, national, outside; nearest first within each
group, no location last, then name and id.
"""

from __future__ import annotations

import gc
import heapq
import math
import threading
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS
from rapidfuzz import fuzz, process

from services_directory import hours
from services_directory.models import (
    ContactChannel,
    ErrorReport,
    Location,
    Municipality,
    OpeningHours,
    Organization,
    Service,
    ShelterCapacity,
)
from services_directory.models.changes import DIRECTORY, FEEDBACK, current_tokens
from services_directory.models.directory import build_schedule
from services_directory.models.queries import EARTH_RADIUS_KM, MAX_WORDS, NAME_FIELDS, Coverage

# Vocabularies a card shows; topics, target groups, types and languages also filter.
FILTER_RELATIONS = ("service_types", "topics", "target_groups", "languages")
CARD_RELATIONS = ("service_types", "topics", "target_groups", "languages", "accessibility")
# Indel similarity (0-100) of a typed word to a word of a name that still counts as a
# typo: "krisesentret" ~ "krisesenteret" is 96, but "regional" ~ "national" only 62.
SIMILAR = 80
# From this many services on, the index is exempted from garbage collection.
FREEZE_FROM = 2_000
# Below this many candidates, measure them all rather than walk outwards from the caller.
DIRECT_SCAN = 500


class _HoursRow(NamedTuple):
    """An OpeningHours row as build_schedule reads it, without a model instance."""

    kind: str
    weekday: int | None
    opens: time | None
    closes: time | None
    valid_from: date | None
    valid_to: date | None

    @property
    def span(self) -> hours.Span | None:
        if self.opens is None or self.closes is None:
            return None
        return hours.Span(self.opens, self.closes)


@dataclass(slots=True)
class Entry:
    pk: int
    name: str  # bokmål name: ties are broken by it, as in ranked_for
    active: bool  # temporarily closed services are listed but never open
    national: bool
    min_age: int | None
    max_age: int | None
    has_phone: bool
    schedule: hours.Schedule
    # (latitude, longitude, cos(latitude)) in radians, one per located address
    points: tuple[tuple[float, float, float], ...] = ()
    # relation name -> the service's terms (Topic, Language, ... instances)
    terms: dict[str, tuple] = field(default_factory=dict)


@dataclass(frozen=True)
class Feedback:
    """Open error reports per service and the shelters' free places: small, changing all
    day, reloaded on their own token without rebuilding the index."""

    token: int | None = None
    error_reports: Counter = field(default_factory=Counter)
    capacity: dict[int, ShelterCapacity] = field(default_factory=dict)
    loaded: bool = False

    @classmethod
    def load(cls, token: int | None) -> Feedback:
        return cls(
            token=token,
            error_reports=Counter(ErrorReport.objects.open().values_list("service_id", flat=True)),
            capacity={report.service_id: report for report in ShelterCapacity.objects.all()},
            loaded=True,
        )


@dataclass(slots=True)
class Card:
    service: Service  # with its organisation
    channels: list[ContactChannel]  # in the editors' order
    locations: list[Location]  # each with its municipality and county


class _Stored:
    """One model's rows kept as tuples; instances are made from them on demand, as the
    ORM itself does (``Model.from_db``)."""

    def __init__(self, model) -> None:
        self.model = model
        self.attnames = [field.attname for field in model._meta.concrete_fields]

    def rows(self, queryset) -> Iterable[tuple]:
        if hasattr(queryset, "rewrite"):
            # modeltranslation would read "name" as "name_<active language>".
            queryset = queryset.rewrite(False)
        return queryset.values_list(*self.attnames)

    def getter(self, *names: str) -> Callable[[tuple], Any]:
        """Read fields by name from a row (one name: the value; several: a tuple)."""
        return itemgetter(*(self.attnames.index(name) for name in names))

    def instance(self, row: tuple):
        return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, row)


@dataclass(slots=True)
class Ranked:
    entry: Entry
    coverage: Coverage
    distance_km: float | None


@dataclass
class Query:
    """What a search asks for, in index terms. ``ids`` narrows to a precomputed set
    (e.g. the services a name search found in SQL); None means no such limit."""

    terms: list[tuple[str, object]] = field(default_factory=list)
    language: str | None = None
    age: int | None = None
    open_at: datetime | None = None
    needs_phone: bool = False
    ids: set[int] | None = None


def _point(latitude: float, longitude: float) -> tuple[float, float, float]:
    lat = math.radians(latitude)
    return (lat, math.radians(longitude), math.cos(lat))


def _km(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """Haversine, as ``queries.haversine_km`` computes it in SQL."""
    h = math.sin((b[0] - a[0]) / 2) ** 2 + a[2] * b[2] * math.sin((b[1] - a[1]) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(math.sqrt(h), 1.0))


def _nearest_km(origin, entry: Entry) -> float | None:
    if not entry.points:
        return None
    return min(_km(origin, point) for point in entry.points)


def _order(item: tuple[float | None, Entry]):
    distance, entry = item
    return (distance is None, distance or 0.0, entry.name, entry.pk)


class SearchIndex:
    def __init__(self, token: int | None) -> None:
        self.token = token
        self.entries: dict[int, Entry] = {}
        self.by_term: dict[tuple[str, object], set[int]] = defaultdict(set)
        self.by_municipality: dict[int, set[int]] = defaultdict(set)
        self.by_county: dict[int, set[int]] = defaultdict(set)
        self.national: set[int] = set()
        self.municipalities: dict[int, tuple[int, tuple[float, float, float] | None]] = {}
        self._by_latitude: list[tuple[float, tuple[float, float, float], Entry]] = []
        self._latitudes: list[float] = []
        self._walks: dict[tuple[str, object], tuple[list, list[float]]] = {}
        # by name: the services without a location, everyone, national ones, the others
        self._unlocated: list[Entry] = []
        self._by_name: list[Entry] = []
        self._national_by_name: list[Entry] = []
        self._others_by_name: list[Entry] = []
        self._groups: dict[int, tuple[list, list, list, set[int]]] = {}
        self._cards: dict[int, Card] = {}
        self.feedback = Feedback()
        self._services, self._channels = _Stored(Service), _Stored(ContactChannel)
        self._locations = _Stored(Location)
        self._service_rows: dict[int, tuple] = {}
        self._channel_rows: dict[int, list[tuple]] = defaultdict(list)
        self._location_rows: dict[int, list[tuple]] = defaultdict(list)
        self.organizations: dict[int, Organization] = {}
        # relation -> code -> term, for checking search parameters without a query
        self.codes: dict[str, dict[str, object]] = {}
        self.municipality_objects: dict[int, Municipality] = {}
        self._schedules: dict[tuple, hours.Schedule] = {}
        # Each word of a service's names (every language) and its organisation's name.
        self._name_words: dict[str, set[int]] = defaultdict(set)
        self._vocabulary: list[str] = []

    # --- Building ---

    @classmethod
    def build(cls, token: int | None) -> SearchIndex:
        index = cls(token)
        index._load()
        return index

    def _load(self) -> None:
        published = Service.objects.published()
        self._load_rows(published)
        hour_rows: dict[int, list[_HoursRow]] = defaultdict(list)
        rows = OpeningHours.objects.filter(service__in=published.values("pk"), channel__isnull=True)
        for service_id, *row in rows.order_by("service_id", "pk").values_list(
            "service_id", "kind", "weekday", "opens", "closes", "valid_from", "valid_to"
        ):
            hour_rows[service_id].append(_HoursRow(*row))
        # Everything else comes from the rows just read for the cards.
        service_fields = self._services.getter(
            "id", "name_nb", "status", "covers_whole_country", "min_age", "max_age",
            "holiday_policy", "organization_id",
        )  # fmt: skip
        names = self._services.getter(*NAME_FIELDS)
        is_phone = self._channels.getter("kind")
        coordinates = self._locations.getter("latitude", "longitude")
        for row in self._service_rows.values():
            pk, name, status, national, min_age, max_age, policy, org = service_fields(row)
            points = [
                _point(latitude, longitude)
                for latitude, longitude in map(coordinates, self._location_rows.get(pk, ()))
                if latitude is not None and longitude is not None
            ]
            self.entries[pk] = Entry(
                pk=pk,
                name=name or "",
                active=status == Service.Status.ACTIVE,
                national=national,
                min_age=min_age,
                max_age=max_age,
                has_phone=any(
                    is_phone(channel) == ContactChannel.Kind.PHONE
                    for channel in self._channel_rows.get(pk, ())
                ),
                schedule=self._schedule(policy, tuple(hour_rows.get(pk, ()))),
                points=tuple(points),
            )
            if national:
                self.national.add(pk)
            for text in (*names(row), self.organizations[org].name):
                for word in (text or "").casefold().split():
                    self._name_words[word].add(pk)
        self._vocabulary = list(self._name_words)
        for relation in CARD_RELATIONS:
            self._add_terms(relation)
        self._add_pairs("coverage_municipalities", self.by_municipality)
        self._add_pairs("coverage_counties", self.by_county)
        for pk, municipality in self.municipality_objects.items():
            located = municipality.latitude is not None and municipality.longitude is not None
            point = _point(municipality.latitude, municipality.longitude) if located else None
            self.municipalities[pk] = (municipality.county_id, point)
        self._by_latitude = sorted(
            ((point[0], point, entry) for entry in self.entries.values() for point in entry.points),
            key=lambda item: item[0],
        )
        self._latitudes = [item[0] for item in self._by_latitude]
        # The same walk per filter term: a search for a rare topic walks only its services.
        for key, ids in self.by_term.items():
            if key[0] in FILTER_RELATIONS:
                items = [item for item in self._by_latitude if item[2].pk in ids]
                self._walks[key] = (items, [item[0] for item in items])
        self._unlocated = sorted(
            (entry for entry in self.entries.values() if not entry.points),
            key=lambda entry: (entry.name, entry.pk),
        )
        self._by_name = sorted(self.entries.values(), key=lambda entry: (entry.name, entry.pk))
        self._national_by_name = [entry for entry in self._by_name if entry.national]
        self._others_by_name = [entry for entry in self._by_name if not entry.national]
        # Every caller municipality's own ranking, so that no search waits for it.
        for municipality_pk in self.municipalities:
            self._groups[municipality_pk] = self._groups_for(municipality_pk)

    def _load_rows(self, published) -> None:
        """The rows result cards are made from, kept as tuples."""
        ids = published.values("pk")
        service_pk = self._services.getter("id")
        for row in self._services.rows(published):
            self._service_rows[service_pk(row)] = row
        service_of = self._channels.getter("service_id")
        channels = ContactChannel.objects.filter(service__in=ids).order_by("position", "pk")
        for row in self._channels.rows(channels):
            self._channel_rows[service_of(row)].append(row)
        service_of = self._locations.getter("service_id")
        locations = Location.objects.filter(service__in=ids).order_by("pk")
        for row in self._locations.rows(locations):
            self._location_rows[service_of(row)].append(row)
        self.organizations = {org.pk: org for org in Organization.objects.all()}
        self.municipality_objects = {m.pk: m for m in Municipality.objects.select_related("county")}

    def _schedule(self, policy: str, rows: tuple[_HoursRow, ...]) -> hours.Schedule:
        # Most services share their hours with many others ("Mon-Fri 08-16"): one
        # Schedule each, which also shares its cached answers.
        key = (policy, rows)
        schedule = self._schedules.get(key)
        if schedule is None:
            schedule = self._schedules[key] = build_schedule(rows, policy)
        return schedule

    def _pairs(self, relation: str) -> Iterator[tuple[int, object]]:
        through = getattr(Service, relation).through
        column = Service._meta.get_field(relation).m2m_reverse_name()
        for service_id, value in through.objects.values_list("service_id", column):
            if service_id in self.entries:
                yield service_id, value

    def _add_pairs(self, relation: str, target: dict) -> None:
        for service_id, value in self._pairs(relation):
            target[value].add(service_id)

    def _add_terms(self, relation: str) -> None:
        """The terms of ``relation`` (kept for the cards), which services have each, and
        each service's terms in the vocabulary's own order."""
        model = Service._meta.get_field(relation).related_model
        terms = {term.pk: term for term in model._default_manager.all()}
        self.codes[relation] = {
            term.code: term for term in terms.values() if getattr(term, "is_active", True)
        }
        position = {pk: n for n, pk in enumerate(terms)}
        per_service: dict[int, list] = defaultdict(list)
        for service_id, pk in self._pairs(relation):
            self.by_term[(relation, pk)].add(service_id)
            per_service[service_id].append(pk)
        for service_id, pks in per_service.items():
            pks.sort(key=position.__getitem__)
            self.entries[service_id].terms[relation] = tuple(terms[pk] for pk in pks)

    # --- Searching ---

    def named(self, text: str) -> set[int]:
        """Services with every word of ``text`` in their names or their organisation's:
        as a substring ("senter" finds "Krisesenteret"), or for words of four letters or
        more, as a near miss ("krisesentret" finds it too)."""
        result: set[int] | None = None
        for word in text.casefold().split()[:MAX_WORDS]:
            found: set[int] = set()
            for known in self._vocabulary:
                if word in known:
                    found |= self._name_words[known]
            if len(word) >= 4:
                for known, _score, _n in process.extract(
                    word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=SIMILAR, limit=None
                ):
                    found |= self._name_words[known]
            result = found if result is None else result & found
        return result if result is not None else set(self.entries)

    def rank(self, query: Query, municipality: Municipality | None, limit: int) -> list[Ranked]:
        accept, allowed = self._acceptor(query)
        if municipality is None or municipality.pk not in self.municipalities:
            return self._rank_without_place(accept, limit)
        origin = self.municipalities[municipality.pk][1]
        local, regional, national, covered = self._groups[municipality.pk]
        results: list[Ranked] = []
        for coverage, group in (
            (Coverage.LOCAL, local),
            (Coverage.REGIONAL, regional),
            (Coverage.NATIONAL, national),
        ):
            for distance, entry in group:
                if len(results) == limit:
                    return results
                if accept(entry):
                    results.append(Ranked(entry, coverage, distance))
        need = limit - len(results)
        if need > 0 and origin is not None:
            if allowed is not None and len(allowed) < DIRECT_SCAN:
                # Few candidates: measuring them all beats walking the whole directory.
                results += self._nearest_of(origin, allowed - covered, accept, need)
            else:
                results += self._nearest_outside(origin, covered, accept, need, self._walk(query))
            need = limit - len(results)
        if need > 0:
            # Without a caller point nobody has a distance: everyone outside, by name.
            for entry in self._by_name if origin is None else self._unlocated:
                if entry.pk not in covered and accept(entry):
                    results.append(Ranked(entry, Coverage.OUTSIDE, None))
                    if len(results) == limit:
                        break
        return results

    def _acceptor(self, query: Query) -> tuple[Callable[[Entry], bool], set[int] | None]:
        """A test for the per-service filters, and the set the set filters allow (None:
        no set filter given)."""
        sets = [self.by_term.get(key, set()) for key in query.terms]
        if query.language is not None:
            sets.append(self.by_term.get(("languages", query.language), set()))
        if query.ids is not None:
            sets.append(query.ids)
        allowed: set[int] | None = None
        if sets:
            allowed = set.intersection(*sorted(sets, key=len))
        age, moment, needs_phone = query.age, query.open_at, query.needs_phone
        open_now: dict[int, bool] = {}

        def accept(entry: Entry) -> bool:
            if allowed is not None and entry.pk not in allowed:
                return False
            if age is not None and (
                (entry.min_age is not None and entry.min_age > age)
                or (entry.max_age is not None and entry.max_age < age)
            ):
                return False
            if needs_phone and not entry.has_phone:
                return False
            if moment is None:
                return True
            if not entry.active:
                return False
            # Last: the only check that costs more than a lookup. Services share
            # schedules, so each distinct one is asked once per search.
            key = id(entry.schedule)
            verdict = open_now.get(key)
            if verdict is None:
                verdict = open_now[key] = entry.schedule.is_open(moment)
            return verdict

        return accept, allowed

    def _rank_without_place(self, accept, limit: int) -> list[Ranked]:
        results = []
        for coverage, group in (
            (Coverage.NATIONAL, self._national_by_name),
            (Coverage.OUTSIDE, self._others_by_name),
        ):
            for entry in group:
                if len(results) == limit:
                    return results
                if accept(entry):
                    results.append(Ranked(entry, coverage, None))
        return results

    def _groups_for(self, municipality_pk: int):
        """Local, regional and national services sorted by distance, for one caller
        municipality, and all three together."""
        county, origin = self.municipalities[municipality_pk]
        local_ids = self.by_municipality.get(municipality_pk, set())
        regional_ids = self.by_county.get(county, set()) - local_ids
        national_ids = self.national - local_ids - regional_ids

        def by_distance(ids: Iterable[int]) -> list[tuple[float | None, Entry]]:
            items = []
            for pk in ids:
                entry = self.entries[pk]
                distance = None if origin is None else _nearest_km(origin, entry)
                items.append((distance, entry))
            return sorted(items, key=_order)

        return (
            by_distance(local_ids),
            by_distance(regional_ids),
            by_distance(national_ids),
            local_ids | regional_ids | national_ids,
        )

    def _walk(self, query: Query) -> tuple[list, list[float]]:
        """The shortest latitude-sorted list that still holds every candidate."""
        keys = list(query.terms)
        if query.language is not None:
            keys.append(("languages", query.language))
        walks = [self._walks.get(key, ([], [])) for key in keys]
        everything = (self._by_latitude, self._latitudes)
        return min(walks, key=lambda walk: len(walk[0]), default=everything)

    def _nearest_outside(
        self, origin, covered: set[int], accept, need: int, walk: tuple[list, list[float]]
    ) -> list[Ranked]:
        """The ``need`` nearest accepted services outside ``covered``: walk the
        latitude-sorted points outwards from the caller; a point d radians of latitude
        away is at least R·d km away, so the walk stops once that bound passes the
        ``need``-th best distance found."""
        found: dict[int, float] = {}
        verdicts: dict[int, bool] = {}
        points, latitudes = walk
        below = bisect_left(latitudes, origin[0]) - 1
        above = below + 1
        threshold = math.inf
        steps = 0
        while below >= 0 or above < len(points):
            if above >= len(points) or (
                below >= 0 and origin[0] - latitudes[below] <= latitudes[above] - origin[0]
            ):
                latitude, point, entry = points[below]
                below -= 1
            else:
                latitude, point, entry = points[above]
                above += 1
            if EARTH_RADIUS_KM * abs(latitude - origin[0]) > threshold:
                break
            pk = entry.pk
            if pk in covered:
                continue
            verdict = verdicts.get(pk)
            if verdict is None:
                verdict = verdicts[pk] = accept(entry)
            if not verdict:
                continue
            distance = _km(origin, point)
            if distance < found.get(pk, math.inf):
                found[pk] = distance
                steps += 1
                if len(found) >= need and (steps >= need or threshold == math.inf):
                    threshold = heapq.nsmallest(need, found.values())[-1]
                    steps = 0
        nearest = heapq.nsmallest(
            need,
            ((distance, self.entries[pk]) for pk, distance in found.items()),
            key=_order,
        )
        return [Ranked(entry, Coverage.OUTSIDE, distance) for distance, entry in nearest]

    def _nearest_of(self, origin, pks: set[int], accept, need: int) -> list[Ranked]:
        located = [
            (_nearest_km(origin, entry), entry)
            for pk in pks
            if (entry := self.entries.get(pk)) is not None and entry.points
        ]
        located.sort(key=_order)
        results = []
        for distance, entry in located:  # nearest first, so "open at" is asked lazily
            if accept(entry):
                results.append(Ranked(entry, Coverage.OUTSIDE, distance))
                if len(results) == need:
                    break
        return results

    # --- Cards ---

    def cards(self, pks: list[int]) -> dict[int, Card]:
        """What the result cards show (not free places: those are read fresh), made from
        the rows kept in memory, without a query."""
        cards = {}
        for pk in pks:
            card = self._cards.get(pk)
            if card is None and pk in self._service_rows:
                card = self._cards[pk] = self._card(pk)
            if card is not None:
                cards[pk] = card
        return cards

    def _card(self, pk: int) -> Card:
        service = self._services.instance(self._service_rows[pk])
        service.organization = self.organizations[service.organization_id]
        channels = [self._channels.instance(row) for row in self._channel_rows.get(pk, ())]
        locations = []
        for row in self._location_rows.get(pk, ()):
            location = self._locations.instance(row)
            location.municipality = self.municipality_objects[location.municipality_id]
            locations.append(location)
        return Card(service, channels, locations)


_current: SearchIndex | None = None
_building = threading.Lock()


def current_index() -> SearchIndex:
    """This process's index, rebuilt first if the directory has changed since, with the
    current error reports and free places."""
    global _current
    # Read the tokens before the data: a write in between only costs another load.
    tokens = current_tokens()
    token, feedback = tokens.get(DIRECTORY), tokens.get(FEEDBACK)
    index = _current
    if index is None or index.token != token:
        with _building:
            index = _current
            if index is None or index.token != token:
                index = _current = SearchIndex.build(token)
                if len(index.entries) >= FREEZE_FROM:
                    # A big index is hundreds of thousands of long-lived objects: keep
                    # the cyclic garbage collector from walking them in every full
                    # collection. The old index is released first, so none of it
                    # stays frozen.
                    gc.unfreeze()
                    gc.collect()
                    gc.freeze()
    if index.feedback.token != feedback or not index.feedback.loaded:
        index.feedback = Feedback.load(feedback)
    return index


def clear() -> None:
    global _current
    _current = None
