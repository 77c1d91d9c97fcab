"""The one search: filters, "open at", names and ranking in memory, for the operator desk,
``/api/v1/search`` and the public API.

A search during a call must answer in well under 50 ms, also with 20 operators at once on
a small server, so each process keeps in memory what ranking needs (result cards are read
from the database, a page at a time):

- what a filter asks for, as sets of service ids per term, language and covered area, and
  the current vocabulary by code (so checking the parameters costs no query either);
- each service's points, age limits and ``hours.Schedule`` (shared between services with
  equal hours);
- per caller municipality, the local, regional and national services sorted by distance;
- for services outside the caller's area, latitude-sorted lists (all services, and the
  services of each filter term) walked outwards from the caller until no closer service
  can be left;
- every word of every service's and organisation's name, for the name search.

It is never stale. Database triggers (``services_directory.triggers``) log every changed
service, and each search first reads the log's newest id with the tokens (one query):
the services changed since are reloaded alone. A change to what every service refers to
(vocabularies, geography) rebuilds the whole index. Free shelter places and error
reports have a token of their own.

Nothing here keeps what was searched for: every per-search memo lives in the call.

The order: local, regional, national, outside the caller's area; nearest first within
each group, no location last, then the bokmål name and the id. ``tests/test_search_reference.py``
holds it to a brute-force reference.
"""

from __future__ import annotations

import gc
import heapq
import marshal
import math
import threading
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import IntEnum
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple, cast

from django.conf import settings
from django.db import models
from rapidfuzz import fuzz, process

from services_directory import compiled_sql, hours, search_cards
from services_directory.geo import EARTH_RADIUS_KM, Point, km_between
from services_directory.models import (
    ContactChannel,
    ErrorReport,
    Location,
    Municipality,
    OpeningHours,
    Service,
    ShelterCapacity,
)
from services_directory.models.directory import build_schedule, measured_points
from services_directory.models.index_state import (
    SERVICE_M2M,
    IndexState,
    changed_services,
    current_state,
)
from services_directory.models.vocabulary import FILTERABLE_VOCABULARIES, SERVICE_VOCABULARIES

# Vocabularies a result shows, and the ones a search filters on.
TERM_RELATIONS = SERVICE_VOCABULARIES
FILTER_RELATIONS = FILTERABLE_VOCABULARIES
NAME_FIELDS = tuple(f"name_{code}" for code in settings.MODELTRANSLATION_LANGUAGES)
MAX_WORDS = 5
# Indel similarity (0-100) of a typed word to a word of a name that still counts as a
# typo: "krisesentret" ~ "krisesenteret" is 96, but "regional" ~ "national" only 62.
SIMILAR = 80
# From this many services on, the index is exempted from garbage collection.
FREEZE_FROM = 2_000
# Below this many candidates, measure them all rather than walk outwards from the caller.
DIRECT_SCAN = 500
# A name word of more services than this keeps them in a set.
COMMON_WORD = 16
# Reloading more than this share of the directory (and this many services) costs more
# than rebuilding it.
REBUILD_SHARE = 0.25
REBUILD_FROM = 50


class Coverage(IntEnum):
    """How a service's coverage relates to the caller's municipality, best first."""

    LOCAL = 0
    REGIONAL = 1
    NATIONAL = 2
    OUTSIDE = 3

    @property
    def code(self) -> str:
        return self.name.lower()


class HoursRow(NamedTuple):
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


@dataclass(slots=True, eq=False)  # eq=False: entries are found by identity
class Entry:
    pk: int
    name: str  # bokmål name: ties are broken by it
    active: bool  # temporarily closed services are listed but never open
    national: bool
    min_age: int | None
    max_age: int | None
    has_phone: bool
    schedule: hours.Schedule
    # What its distances are measured from (models.directory.measured_points): its
    # public addresses, else its confidential ones' municipalities, never their own point.
    points: tuple[Point, ...] = ()
    public_points: tuple[Point, ...] = ()  # its public addresses only, for the public order
    # relation name -> the service's terms (Topic, Language, ... instances)
    terms: dict[str, tuple] = field(default_factory=dict)
    # Tuples, not sets: a handful of items each, times every service.
    municipalities: tuple[int, ...] = ()  # covered, by pk
    counties: tuple[int, ...] = ()
    words: tuple[str, ...] = ()  # of its names and its organisation's
    card: bytes = b""  # what its result card shows, see search_cards


@dataclass(frozen=True)
class Feedback:
    """Open error reports per service and the shelters' free places: small, changing all
    day, reloaded on their own token."""

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


class Ranked(NamedTuple):
    entry: Entry
    coverage: Coverage | None  # None: no caller place, so no coverage to speak of
    distance_km: float | None


@dataclass
class Query:
    """What a search asks for, in index terms. ``ids`` narrows to a precomputed set
    (e.g. the services a name search found); None means no such limit."""

    terms: list[tuple[str, object]] = field(default_factory=list)
    language: str | None = None
    age: int | None = None
    open_at: datetime | None = None
    needs_phone: bool = False
    active_only: bool = False
    ids: set[int] | None = None


Distanced = tuple[float | None, Entry]
Located = tuple[float, Point, Entry]  # (latitude, point, entry), sorted by latitude


def _order(item: Distanced) -> tuple:
    distance, entry = item
    return (distance is None, distance or 0.0, entry.name, entry.pk)


def _by_distance_from(origin: Point | None) -> Callable[[Entry], tuple]:
    """The order within a caller municipality's group: nearest to ``origin`` first."""

    def key(entry: Entry) -> tuple:
        return _order((_distance(origin, entry), entry))

    return key


def _distance(origin: Point | None, entry: Entry) -> float | None:
    return None if origin is None else _nearest_km(origin, entry.points)


def _name_order(entry: Entry) -> tuple[str, int]:
    return (entry.name, entry.pk)


def _latitude(item: Located) -> float:
    return item[0]


def _nearest_km(origin: Point, points: tuple[Point, ...]) -> float | None:
    return min((km_between(origin, point) for point in points), default=None)


def m2m_field(relation: str) -> models.ManyToManyField:
    """One of Service's many-to-many fields (typed: ``get_field`` may return anything)."""
    return cast(models.ManyToManyField, Service._meta.get_field(relation))


def _related_statement(pks: Collection[int]) -> compiled_sql.Read:
    """The many-to-many relations of a few services, in one plain SQL statement:
    compiling seven querysets would cost a reload more than running them."""
    ids = ", ".join(["%s"] * len(pks))
    # Only table and column names from the models go into the statement.
    sql = " UNION ALL ".join(
        # As text: languages are keyed by their code, the other terms by number.
        f"SELECT {n}, service_id, CAST({column} AS TEXT) FROM {table} "  # noqa: S608
        f"WHERE service_id IN ({ids})"
        for n, (table, column) in enumerate(_through().values())
    )
    return compiled_sql.plain(sql, [*pks] * len(SERVICE_M2M))


def _through() -> dict[str, tuple[str, str]]:
    """(through table, related column) of each many-to-many relation the index reads."""
    return {
        relation: (
            getattr(Service, relation).through._meta.db_table,
            m2m_field(relation).m2m_reverse_name(),
        )
        for relation in SERVICE_M2M
    }


def _related_of(found: Iterable[tuple]) -> Iterable[tuple[str, int, tuple]]:
    """(relation, service id, related ids) from the rows of ``_related_statement``."""
    keys = [m2m_field(name).related_model._meta.pk for name in SERVICE_M2M]
    grouped = defaultdict(list)
    for n, service_id, value in found:
        grouped[(SERVICE_M2M[n], service_id)].append(keys[n].to_python(value))
    for (relation, service_id), values in grouped.items():
        yield relation, service_id, tuple(values)


def _all_related() -> Iterable[tuple[str, int, tuple]]:
    """(relation, service id, related ids) for every service, streamed."""
    for relation, (_table, column) in _through().items():
        model = getattr(Service, relation).through
        rows = model.objects.values_list("service_id", column).order_by("service_id")
        # One tuple a service as read: lists for every service's terms while the
        # rest is built set a worker's memory peak.
        for service_id, group in groupby(_each(rows), key=itemgetter(0)):
            yield relation, service_id, tuple(value for _, value in group)


class ServiceRow(NamedTuple):
    """A service as the index reads it (``_services``)."""

    pk: int
    national: bool
    min_age: int | None
    max_age: int | None
    policy: str
    organization: int
    organization_name: str  # joined: a reload costs no query of its own for it
    names: tuple[str | None, ...]  # NAME_FIELDS
    descriptions: tuple[str | None, ...]  # search_cards.DESCRIPTION_COLUMNS
    columns: tuple  # search_cards.SERVICE_COLUMNS

    @classmethod
    def of(cls, row: tuple) -> ServiceRow:
        """The row of ``_services``' columns, named."""
        names = _HEAD + len(NAME_FIELDS)
        descriptions = names + len(search_cards.DESCRIPTION_COLUMNS)
        return cls._make(
            (*row[:_HEAD], row[_HEAD:names], row[names:descriptions], row[descriptions:])
        )


_HEAD = len(ServiceRow._fields) - 3  # the plain columns before the grouped ones
STATUS = search_cards.SERVICE_COLUMNS.index("status")


def _services(pks: Collection[int] | None) -> models.QuerySet:
    services = Service.objects.published()
    if pks is not None:
        services = services.filter(pk__in=pks)
    # modeltranslation would read "name" as "name_<active language>".
    return services.rewrite(False).values_list(
        "id", "covers_whole_country", "min_age", "max_age", "holiday_policy",
        "organization_id", "organization__name", *NAME_FIELDS,
        *search_cards.DESCRIPTION_COLUMNS, *search_cards.SERVICE_COLUMNS,
    )  # fmt: skip


class LocationRow(NamedTuple):
    """An address as the index reads it: its point for distances, the rest for the card."""

    latitude: float | None
    longitude: float | None
    card: tuple  # search_cards.LOCATION_COLUMNS

    @property
    def municipality(self) -> int:
        return self.card[_MUNICIPALITY]

    @property
    def is_confidential(self) -> bool:
        return self.card[_CONFIDENTIAL]


_MUNICIPALITY = search_cards.LOCATION_COLUMNS.index("municipality_id")
_CONFIDENTIAL = search_cards.LOCATION_COLUMNS.index("is_confidential")


def _rows_of(
    model: type[models.Model], fields: tuple[str, ...], then: tuple[str, ...] = (), **filters
) -> Callable:
    """A builder of the rows of ``model`` for the services ``pks``, ordered by service,
    then ``then``, then primary key."""

    def build(pks: Collection[int] | None) -> models.QuerySet:
        # A plain QuerySet: modeltranslation's would reorder the columns after the
        # statement, which a statement compiled once (see _rows) cannot do.
        rows: models.QuerySet = models.QuerySet(model).filter(**filters)
        if pks is not None:
            rows = rows.filter(service_id__in=pks)
        return rows.values_list("service_id", *fields).order_by("service_id", *then, "pk")

    return build


def _policies(pks: Collection[int] | None) -> models.QuerySet:
    """Which services are read (the published ones), with their holiday policy."""
    services = Service.objects.published()
    if pks is not None:
        services = services.filter(pk__in=pks)
    return services.rewrite(False).values_list("id", "holiday_policy")


# What the index reads of each service, by name.
_READS: dict[str, Callable[[Collection[int] | None], models.QuerySet]] = {
    "policies": _policies,
    "services": _services,
    "hours": _rows_of(OpeningHours, HoursRow._fields, channel__isnull=True),
    "channels": _rows_of(ContactChannel, search_cards.CHANNEL_COLUMNS, then=("position",)),
    "locations": _rows_of(Location, ("latitude", "longitude", *search_cards.LOCATION_COLUMNS)),
}
# A reload of at most this many services uses statements compiled once (compiled_sql).
FEW = 8


def _each(rows: models.QuerySet) -> Iterable:
    # A whole directory is read in chunks and kept only as what the index holds: its
    # rows at once would cost a worker more memory than the index itself.
    return rows.iterator(5_000)


class _Reads(NamedTuple):
    """The rows the index reads of some services (``_reads``)."""

    policies: Iterable[tuple]
    hours: Iterable[tuple]
    channels: Iterable[tuple]
    locations: Iterable[tuple]
    related: Iterable[tuple[str, int, tuple]]
    services: Iterable[tuple]


def _reads(pks: set[int] | None) -> _Reads:
    """The rows of every read for the services ``pks`` (None: all)."""
    if pks is None:  # streamed in chunks, one read after the other
        return _Reads(
            **{name: _each(build(None)) for name, build in _READS.items()},
            related=_all_related(),
        )
    if not pks:
        return _Reads(**{name: () for name in _Reads._fields})
    if len(pks) > FEW:
        return _Reads(
            **{name: build(pks) for name, build in _READS.items()},
            related=_related_of(compiled_sql.run([_related_statement(pks)])[0]),
        )
    # A reload after an edit: every read in one round trip.
    *found, related = compiled_sql.run(
        [
            *(compiled_sql.compiled(name, build, pks) for name, build in _READS.items()),
            _related_statement(pks),
        ]
    )
    return _Reads(**dict(zip(_READS, found, strict=True)), related=_related_of(related))


def _shared_tuple(share: Callable, values: dict[int, tuple], pk: int) -> tuple:
    found = tuple(sorted(values.pop(pk, ())))
    return share(found, found)


def _remove(items: list, item, key: Callable) -> None:
    """Take ``item`` out of ``items``, sorted by ``key``, found by identity."""
    position = bisect_left(items, key(item), key=key)
    while items[position] is not item:
        position += 1
    del items[position]


class _Walk:
    """Located points sorted by latitude, with their latitudes for bisecting."""

    __slots__ = ("items", "latitudes")

    def __init__(self, items: list[Located]) -> None:
        self.items = sorted(items, key=_latitude)
        self.latitudes = [item[0] for item in self.items]

    def add(self, item: Located) -> None:
        position = bisect_left(self.latitudes, item[0])
        self.items.insert(position, item)
        self.latitudes.insert(position, item[0])

    def remove(self, point: Point, entry: Entry) -> None:
        position = bisect_left(self.latitudes, point.latitude)
        while self.items[position][2] is not entry or self.items[position][1] != point:
            position += 1
        del self.items[position]
        del self.latitudes[position]


class _Groups(NamedTuple):
    """One caller municipality's local, regional and national services by distance
    (``_by_distance_from``). Entries only: their distances are measured again for the
    few a search returns, since a (distance, entry) pair for every service in every
    municipality's groups cost a worker 9 MB at 20,000 services."""

    local: list[Entry]
    regional: list[Entry]
    national: list[Entry]


class SearchIndex:
    def __init__(self, state: IndexState) -> None:
        self.token = state.directory
        # Every change up to this log entry is applied; its stamp tells the entry apart.
        self.position, self.stamp = state.newest_change, state.newest_stamp
        self.lock = threading.RLock()
        self.entries: dict[int, Entry] = {}
        self.by_term: dict[tuple[str, object], set[int]] = defaultdict(set)
        self.by_municipality: dict[int, set[int]] = defaultdict(set)
        self.by_county: dict[int, set[int]] = defaultdict(set)
        self.national: set[int] = set()
        # relation -> code -> term, for checking search parameters without a query
        self.codes: dict[str, dict[str, object]] = {}
        self._terms: dict[str, dict[object, object]] = {}  # relation -> pk -> term
        self._term_position: dict[str, dict[object, int]] = {}
        # municipality pk -> (county pk, point); county pk -> its municipalities
        self.municipalities: dict[int, tuple[int, Point | None]] = {}
        self._in_county: dict[int, list[int]] = defaultdict(list)
        self._groups: dict[int, _Groups] = {}
        self._all = _Walk([])
        self._walks: dict[tuple[str, object], _Walk] = {}
        # by name: the services without a location, national ones, the others
        self._unlocated: list[Entry] = []
        self._national_by_name: list[Entry] = []
        self._others_by_name: list[Entry] = []
        self._schedules: dict[tuple, hours.Schedule] = {}
        # Equal tuples and strings are kept once: there are few distinct ones.
        self._shared: dict = {}
        # The guidance library's token as last read (hotline.guide.library keys on it).
        self.guide_token: int | None = None
        # The terms' labels by relation and language, for the forms' choices (search.py).
        self.labels: dict[tuple[str, str | None], tuple[tuple[str, str], ...]] = {}
        # word -> the services using it: a tuple, as most words name one or two services;
        # a set for the few common ones ("krisesenter"), which edits change in place
        self._name_words: dict[str, tuple[int, ...] | set[int]] = {}
        self._vocabulary: list[str] = []  # the words, listed for the fuzzy matcher
        self.feedback = Feedback()
        self.organizations: dict[int, search_cards.CardOrganization] = {}
        self.municipality_objects: dict[int, Municipality] = {}

    # --- Building ---

    @classmethod
    def build(cls, state: IndexState) -> SearchIndex:
        index = cls(state)
        index._load_reference()
        words: dict[str, list[int]] = defaultdict(list)
        for entry in index._read(None):
            index._file(entry, words)
        index._name_words = {
            word: set(pks) if len(pks) > COMMON_WORD else tuple(pks) for word, pks in words.items()
        }
        index._sort()
        return index

    def _load_reference(self) -> None:
        for relation in TERM_RELATIONS:
            model = m2m_field(relation).related_model
            terms: dict[object, Any] = {term.pk: term for term in model._default_manager.all()}
            self._terms[relation] = terms
            self._term_position[relation] = {pk: n for n, pk in enumerate(terms)}
            self.codes[relation] = {
                term.code: term for term in terms.values() if getattr(term, "is_active", True)
            }
        for municipality in Municipality.objects.select_related("county"):
            self.municipality_objects[municipality.pk] = municipality
            located = municipality.latitude is not None and municipality.longitude is not None
            point = Point.at(municipality.latitude, municipality.longitude) if located else None
            self.municipalities[municipality.pk] = (municipality.county_id, point)
            self._in_county[municipality.county_id].append(municipality.pk)

    def _read(self, pks: set[int] | None) -> list[Entry]:
        """The published services among ``pks`` (None: all), as entries."""
        # The services' own rows come last, one at a time into their entries: all of
        # them at once (descriptions in every language) set a worker's memory peak.
        reads = _reads(pks)
        policies = dict(reads.policies)
        schedules: dict[int, hours.Schedule] = {}
        for service_id, group in groupby(reads.hours, key=itemgetter(0)):
            if service_id in policies:
                own = tuple(HoursRow(*row[1:]) for row in group)
                schedules[service_id] = self._schedule(policies[service_id], own)
        # Each service's channels and addresses, encoded as they are read: a whole
        # directory's rows at once would cost more memory than the cards kept.
        phones: set[int] = set()
        channels: dict[int, bytes] = {}
        for service_id, group in groupby(reads.channels, key=itemgetter(0)):
            if service_id in policies:
                own_channels = [row[1:] for row in group]
                if any(row[0] == ContactChannel.Kind.PHONE for row in own_channels):
                    phones.add(service_id)
                channels[service_id] = marshal.dumps(own_channels)
        # (own point, confidential, municipality's point) of each address: see
        # measured_points, the one rule for what a distance may be measured from.
        points: dict[int, list[tuple[Point | None, bool, Point | None]]] = defaultdict(list)
        addresses: dict[int, bytes] = {}
        for service_id, group in groupby(reads.locations, key=itemgetter(0)):
            if service_id in policies:
                own_locations = []
                for row in group:
                    location = LocationRow(row[1], row[2], row[3:])
                    secret = location.is_confidential
                    address = None
                    if (
                        location.latitude is not None
                        and location.longitude is not None
                        and not secret
                    ):
                        address = Point.at(location.latitude, location.longitude)
                    town = self.municipalities.get(location.municipality, (None, None))[1]
                    points[service_id].append((address, secret, town))
                    own_locations.append(location.card)
                addresses[service_id] = marshal.dumps(own_locations)
        share = self._shared.setdefault
        related: dict[str, dict[int, tuple]] = {name: {} for name in SERVICE_M2M}
        for relation, service_id, values in reads.related:
            if service_id in policies:
                related[relation][service_id] = share(values, values)

        entries = []
        empty = marshal.dumps([])
        for row in map(ServiceRow.of, reads.services):
            pk, organization, organization_name = row.pk, row.organization, row.organization_name
            known = self.organizations.get(organization)
            if known is None or known.name != organization_name:
                self.organizations[organization] = search_cards.CardOrganization(
                    organization, share(organization_name, organization_name)
                )
            located = points.get(pk, ())
            # The public order's points: public addresses only, never even a confidential
            # one's municipality, which public outputs leave out. With any, they are
            # also what the desk measures from: one tuple for both.
            public = measured_points(row for row in located if not row[1])
            words = {
                share(word, word)
                for text in (*row.names, organization_name)
                for word in (text or "").casefold().split()
            }
            terms = {}
            for relation in TERM_RELATIONS:
                found = related[relation].pop(pk, None)  # freed as used
                if found:
                    position = self._term_position[relation]
                    chosen = tuple(
                        self._terms[relation][value]
                        for value in sorted(found, key=position.__getitem__)
                    )
                    terms[relation] = share(chosen, chosen)
            entries.append(
                Entry(
                    pk=pk,
                    name=row.names[0] or "",
                    active=row.columns[STATUS] == Service.Status.ACTIVE,
                    national=row.national,
                    min_age=row.min_age,
                    max_age=row.max_age,
                    has_phone=pk in phones,
                    schedule=schedules.get(pk) or self._schedule(row.policy, ()),
                    points=public or measured_points(located),
                    public_points=public,
                    terms=terms,
                    municipalities=_shared_tuple(share, related["coverage_municipalities"], pk),
                    counties=_shared_tuple(share, related["coverage_counties"], pk),
                    words=tuple(sorted(words)),
                    card=search_cards.encode(
                        row.names,
                        organization,
                        row.descriptions,
                        row.columns,
                        # Taken out as used: the card keeps its own copy.
                        channels.pop(pk, empty),
                        addresses.pop(pk, empty),
                    ),
                )
            )
        return entries

    def _schedule(self, policy: str, rows: tuple[HoursRow, ...]) -> hours.Schedule:
        # Most services share their hours with many others ("Mon-Fri 08-16"): one
        # Schedule each, which also shares its cached answers.
        key = (policy, rows)
        schedule = self._schedules.get(key)
        if schedule is None:
            schedule = self._schedules[key] = build_schedule(rows, policy)
        return schedule

    def _file(self, entry: Entry, words: dict[str, list[int]] | None = None) -> None:
        """Add an entry to every set and dictionary (not the sorted lists). A build
        gathers the name words in ``words`` first, as lists."""
        pk = entry.pk
        self.entries[pk] = entry
        for relation, terms in entry.terms.items():
            for term in terms:
                self.by_term[(relation, term.pk)].add(pk)
        for municipality in entry.municipalities:
            self.by_municipality[municipality].add(pk)
        for county in entry.counties:
            self.by_county[county].add(pk)
        if entry.national:
            self.national.add(pk)
        for word in entry.words:
            holders = self._name_words.get(word, ())
            if words is not None:
                words[word].append(pk)
            elif isinstance(holders, set):
                holders.add(pk)
            elif len(holders) >= COMMON_WORD:
                self._name_words[word] = {*holders, pk}
            else:
                if not holders:
                    self._vocabulary.append(word)
                self._name_words[word] = (*holders, pk)

    def _unfile(self, entry: Entry) -> None:
        pk = entry.pk
        del self.entries[pk]
        for relation, terms in entry.terms.items():
            for term in terms:
                self.by_term[(relation, term.pk)].discard(pk)
        for municipality in entry.municipalities:
            self.by_municipality[municipality].discard(pk)
        for county in entry.counties:
            self.by_county[county].discard(pk)
        self.national.discard(pk)
        for word in entry.words:
            holders = self._name_words[word]
            if isinstance(holders, set):
                holders.discard(pk)
            else:
                holders = tuple(holder for holder in holders if holder != pk)
                self._name_words[word] = holders
            if not holders:
                del self._name_words[word]
                self._vocabulary.remove(word)

    def _sort(self) -> None:
        """Make every sorted list from the filed entries."""
        located = [
            (point.latitude, point, entry)
            for entry in self.entries.values()
            for point in entry.points
        ]
        self._all = _Walk(located)
        # The same walk per filter term: a search for a rare topic walks only its services.
        per_key: dict[tuple[str, object], list[Located]] = defaultdict(list)
        for item in self._all.items:
            for key in self._walk_keys(item[2]):
                per_key[key].append(item)
        self._walks = {key: _Walk(items) for key, items in per_key.items()}
        by_name = sorted(self.entries.values(), key=_name_order)
        self._unlocated = [entry for entry in by_name if not entry.points]
        self._national_by_name = [entry for entry in by_name if entry.national]
        self._others_by_name = [entry for entry in by_name if not entry.national]
        # Every caller municipality's own ranking, so that no search waits for it.
        for municipality in self.municipalities:
            self._groups[municipality] = self._groups_for(municipality)
        self._vocabulary = list(self._name_words)

    def _walk_keys(self, entry: Entry) -> Iterable[tuple[str, object]]:
        for relation in FILTER_RELATIONS:
            for term in entry.terms.get(relation, ()):
                yield (relation, term.pk)

    def _group_of(self, entry: Entry, municipality: int) -> int | None:
        """Which of the municipality's groups (0 local, 1 regional, 2 national) holds it."""
        county = self.municipalities[municipality][0]
        if municipality in entry.municipalities:
            return 0
        if county in entry.counties:
            return 1
        return 2 if entry.national else None

    def _groups_for(self, municipality: int) -> _Groups:
        county, origin = self.municipalities[municipality]
        local = self.by_municipality.get(municipality, set())
        regional = self.by_county.get(county, set()) - local
        national = self.national - local - regional

        def by_distance(ids: Iterable[int]) -> list[Entry]:
            return sorted(map(self.entries.__getitem__, ids), key=_by_distance_from(origin))

        return _Groups(by_distance(local), by_distance(regional), by_distance(national))

    # --- Keeping current ---

    def apply(self, pks: set[int], state: IndexState) -> None:
        """Reload the services ``pks``: the log's entries up to the state's are applied."""
        with self.lock:
            fresh = {entry.pk: entry for entry in self._read(pks)}
            for pk in pks:
                old = self.entries.get(pk)
                if old is not None:
                    self._unplace(old)
                    self._unfile(old)
                new = fresh.get(pk)
                if new is not None:
                    self._file(new)
                    self._place(new)
            self.position, self.stamp = state.newest_change, state.newest_stamp

    def _municipalities_of(self, entry: Entry) -> Iterable[int]:
        """The caller municipalities whose groups may hold the entry."""
        if entry.national:
            return self.municipalities
        found = set(entry.municipalities)
        for county in entry.counties:
            found.update(self._in_county.get(county, ()))
        return found & self.municipalities.keys()

    def _place(self, entry: Entry) -> None:
        """Insert a filed entry into every sorted list."""
        for point in entry.points:
            item = (point.latitude, point, entry)
            self._all.add(item)
            for key in self._walk_keys(entry):
                self._walks.setdefault(key, _Walk([])).add(item)
        if not entry.points:
            insort(self._unlocated, entry, key=_name_order)
        by_name = self._national_by_name if entry.national else self._others_by_name
        insort(by_name, entry, key=_name_order)
        for municipality in self._municipalities_of(entry):
            group = self._group_of(entry, municipality)
            if group is not None:
                origin = self.municipalities[municipality][1]
                insort(self._groups[municipality][group], entry, key=_by_distance_from(origin))

    def _unplace(self, entry: Entry) -> None:
        for point in entry.points:
            self._all.remove(point, entry)
            for key in self._walk_keys(entry):
                self._walks[key].remove(point, entry)
        if not entry.points:
            _remove(self._unlocated, entry, _name_order)
        by_name = self._national_by_name if entry.national else self._others_by_name
        _remove(by_name, entry, _name_order)
        for municipality in self._municipalities_of(entry):
            group = self._group_of(entry, municipality)
            if group is not None:
                # The same arithmetic as when it was placed: found by bisection.
                order = _by_distance_from(self.municipalities[municipality][1])
                items = self._groups[municipality][group]
                position = bisect_left(items, order(entry), key=order)
                while items[position] is not entry:
                    position += 1
                del items[position]

    # --- Cards ---

    def cards(self, pks: list[int]) -> dict[int, search_cards.Card]:
        """The result cards of the services ``pks`` (those still in the index): read
        from memory, as the index keeps every service's card."""
        position = search_cards.language_position()
        with self.lock:
            return {
                pk: search_cards.decode(
                    entry, self.organizations, self.municipality_objects, position
                )
                for pk in pks
                if (entry := self.entries.get(pk)) is not None
            }

    # --- Searching ---

    def having(self, relation: str, code: str) -> list[Entry]:
        """The services with the active term ``code`` of ``relation``, in id order."""
        term = self.codes[relation].get(code)
        if term is None:
            return []
        with self.lock:
            pks = sorted(self.by_term.get((relation, term.pk), ()))  # type: ignore[attr-defined]
            return [self.entries[pk] for pk in pks]

    def named(self, text: str) -> set[int]:
        """Services with every word of ``text`` in their names or their organisation's:
        as a substring ("senter" finds "Krisesenteret"), or for words of four letters or
        more, as a near miss ("krisesentret" finds it too)."""
        with self.lock:
            result: set[int] | None = None
            for word in text.casefold().split()[:MAX_WORDS]:
                found: set[int] = set()
                for known in self._vocabulary:
                    if word in known:
                        found.update(self._name_words[known])
                if len(word) >= 4:
                    for known, _score, _n in process.extract(
                        word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=SIMILAR, limit=None
                    ):
                        found.update(self._name_words[known])
                result = found if result is None else result & found
            return result if result is not None else set(self.entries)

    def _covered(self, municipality: int) -> Callable[[int], bool]:
        county = self.municipalities[municipality][0]
        local = self.by_municipality.get(municipality, set())
        regional = self.by_county.get(county, set())
        national = self.national
        return lambda pk: pk in local or pk in regional or pk in national

    def rank(self, query: Query, municipality: Municipality | None, limit: int) -> list[Ranked]:
        """The desk's order, best ``limit`` first."""
        with self.lock:
            return self._rank(query, municipality, limit)

    def _rank(self, query: Query, municipality: Municipality | None, limit: int) -> list[Ranked]:
        accept, allowed = self._acceptor(query)
        if municipality is None or municipality.pk not in self.municipalities:
            return self._rank_without_place(accept, limit)
        origin = self.municipalities[municipality.pk][1]
        covered = self._covered(municipality.pk)
        results: list[Ranked] = []
        groups = self._groups[municipality.pk]
        for coverage, group in zip(Coverage, groups, strict=False):
            for entry in group:
                if len(results) == limit:
                    return results
                if accept(entry):
                    results.append(Ranked(entry, coverage, _distance(origin, entry)))
        need = limit - len(results)
        if need > 0 and origin is not None:
            if allowed is not None and len(allowed) < DIRECT_SCAN:
                # Few candidates: measuring them all beats walking the whole directory.
                outside = {pk for pk in allowed if not covered(pk)}
                results += self._nearest_of(origin, outside, accept, need)
            else:
                results += self._nearest_outside(origin, covered, accept, need, self._walk(query))
            need = limit - len(results)
        if need > 0:
            # Without a caller point nobody has a distance: everyone outside, by name.
            everyone = heapq.merge(self._national_by_name, self._others_by_name, key=_name_order)
            for entry in everyone if origin is None else self._unlocated:
                if not covered(entry.pk) and accept(entry):
                    results.append(Ranked(entry, Coverage.OUTSIDE, None))
                    if len(results) == limit:
                        break
        return results

    def public_order(self, query: Query, municipality: Municipality | None) -> list[Ranked]:
        """Every match in the public API's order: with a caller place, the desk's groups
        but distances measured from public addresses only (distances from a few places
        would give a shelter's position away); without one, by bokmål name."""
        with self.lock:
            accept, allowed = self._acceptor(query)
            candidates = (
                self.entries.values()
                if allowed is None
                else (self.entries[pk] for pk in allowed if pk in self.entries)
            )
            matches = [entry for entry in candidates if accept(entry)]
            if municipality is None or municipality.pk not in self.municipalities:
                return [Ranked(entry, None, None) for entry in sorted(matches, key=_name_order)]
            origin = self.municipalities[municipality.pk][1]
            ranked = []
            for entry in matches:
                group = self._group_of(entry, municipality.pk)
                coverage = Coverage.OUTSIDE if group is None else Coverage(group)
                distance = None if origin is None else _nearest_km(origin, entry.public_points)
                ranked.append(Ranked(entry, coverage, distance))
            ranked.sort(key=lambda item: (item.coverage, *_order((item.distance_km, item.entry))))
            return ranked

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
        active_only = query.active_only or moment is not None
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
            if active_only and not entry.active:
                return False
            if moment is None:
                return True
            # Last: the only check that costs more than a lookup. Services share
            # schedules, so each distinct one is asked once per search.
            key = id(entry.schedule)
            verdict = open_now.get(key)
            if verdict is None:
                verdict = open_now[key] = entry.schedule.is_open(moment)
            return verdict

        return accept, allowed

    def _rank_without_place(self, accept, limit: int) -> list[Ranked]:
        results: list[Ranked] = []
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

    def _walk(self, query: Query) -> _Walk:
        """The shortest latitude-sorted list that still holds every candidate."""
        keys = list(query.terms)
        if query.language is not None:
            keys.append(("languages", query.language))
        walks = [self._walks.get(key, _Walk([])) for key in keys]
        return min(walks, key=lambda walk: len(walk.items), default=self._all)

    def _nearest_outside(
        self, origin: Point, covered, accept, need: int, walk: _Walk
    ) -> list[Ranked]:
        """The ``need`` nearest accepted services outside the caller's area: walk the
        latitude-sorted points outwards from the caller; a point d radians of latitude
        away is at least R·d km away, so the walk stops once that bound passes the
        ``need``-th best distance found."""
        found: dict[int, float] = {}
        verdicts: dict[int, bool] = {}
        points, latitudes = walk.items, walk.latitudes
        below = bisect_left(latitudes, origin.latitude) - 1
        above = below + 1
        threshold = math.inf
        steps = 0
        while below >= 0 or above < len(points):
            if above >= len(points) or (
                below >= 0
                and origin.latitude - latitudes[below] <= latitudes[above] - origin.latitude
            ):
                latitude, point, entry = points[below]
                below -= 1
            else:
                latitude, point, entry = points[above]
                above += 1
            if EARTH_RADIUS_KM * abs(latitude - origin.latitude) > threshold:
                break
            pk = entry.pk
            verdict = verdicts.get(pk)
            if verdict is None:
                verdict = verdicts[pk] = not covered(pk) and accept(entry)
            if not verdict:
                continue
            distance = km_between(origin, point)
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

    def _nearest_of(self, origin: Point, pks: set[int], accept, need: int) -> list[Ranked]:
        located = [
            (_nearest_km(origin, entry.points), entry)
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


_current: SearchIndex | None = None
_updating = threading.Lock()


def current_index() -> SearchIndex:
    """This process's index, brought up to date first: the changed services reloaded,
    or everything rebuilt after a change to what all services refer to; with the current
    error reports and free places."""
    index = _current
    # Before the data: a write in between costs a reload, not a miss. The log's rows after
    # the index's position come along, so a reload after an edit needs no query of its own.
    state = current_state(following_from=index.position if index is not None else None)
    if index is None or not _is_current(index, state):
        with _updating:
            index = _current
            if index is None or not _is_current(index, state):
                index = _update(index, state)
    if index.feedback.token != state.feedback or not index.feedback.loaded:
        index.feedback = Feedback.load(state.feedback)
    index.guide_token = state.guide
    return index


def _is_current(index: SearchIndex, state: IndexState) -> bool:
    return (
        index.token == state.directory
        and index.position == state.newest_change
        and index.stamp == state.newest_stamp
    )


def _update(index: SearchIndex | None, state: IndexState) -> SearchIndex:
    global _current
    if index is not None and index.token == state.directory:
        changed = changed_services(index.position, index.stamp, state)
        if changed is not None and len(changed) <= max(
            REBUILD_FROM, REBUILD_SHARE * len(index.entries)
        ):
            index.apply(changed, state)
            return index
    index = _current = SearchIndex.build(state)
    if len(index.entries) >= FREEZE_FROM:
        # A big index is hundreds of thousands of long-lived objects: keep the cyclic
        # garbage collector from walking them in every full collection. The old index
        # is released first, so none of it stays frozen.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    return index


def clear() -> None:
    global _current
    _current = None
