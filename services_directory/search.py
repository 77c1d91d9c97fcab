"""The one search behind the operator desk, ``GET /api/v1/search`` and the public API.

``SearchForm`` validates the parameters (bad input becomes a 400 naming the field);
``run_search`` turns clean parameters into ranked hits for the desk and the staff API,
``public_order`` into the public API's full order. Both ask the in-memory
``search_index``; the result cards are then read for the one page shown. Nothing here
writes or logs: what an operator searches for during a call is never stored.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from services_directory import hours, places, search_index
from services_directory.models import (
    AccessibilityFeature,
    ContactChannel,
    Language,
    Municipality,
    ServiceType,
    ShelterCapacity,
    TargetGroup,
    Topic,
)
from services_directory.models.capacity import CapacityReport, reports_capacity
from services_directory.models.vocabulary import INTERPRETER_TYPE_CODE
from services_directory.search_cards import Card, CardChannel, CardLocation, CardService
from services_directory.search_index import Coverage, SearchIndex

DEFAULT_LIMIT = 20
VOCABULARY_PARAMS = [
    ("topic", "topics"),
    ("group", "target_groups"),
    ("type", "service_types"),
    ("accessibility", "accessibility"),
]
MAX_LIMIT = 100
# Eight or more digits (spaces and dots allowed between them): a phone number or a
# national identity number. Free-text inputs refuse them so they cannot end up in a URL,
# a browser history or a proxy log.
PERSONAL_NUMBER = re.compile(r"\d(?:[\s.-]?\d){7,}")


def reject_personal_numbers(value: str) -> None:
    if PERSONAL_NUMBER.search(value):
        raise ValidationError(
            _("Do not enter phone numbers or national identity numbers here."),
            code="personal_number",
        )


# The range of ``at`` (Europe/Oslo wall-clock time) the hours engine answers for.
AT_EARLIEST = datetime(1900, 1, 1)
AT_LATEST = datetime(9997, 12, 31, 23, 59, 59)


class AsciiIntegerField(forms.IntegerField):
    """A whole number in ASCII digits. Python's int() also reads other scripts' digits
    ("١٢"); a parameter is refused rather than read in a way nobody meant."""

    default_error_messages = {"invalid": _("Enter a whole number in digits 0–9.")}

    def to_python(self, value):
        text = value.strip() if isinstance(value, str) else ""
        if text and not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IndexedChoices(forms.models.ModelChoiceIterator):
    """A field's choices from the search index, worked out only when a widget draws
    them: checking a search's codes needs none of their labels, nor any query."""

    field: "IndexedField"  # type: ignore[assignment]

    def __iter__(self):
        if getattr(self.field, "empty_label", None) is not None:
            yield ("", self.field.empty_label)  # type: ignore[attr-defined]
        yield from self.field.labelled()

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return len(self) > 0


class IndexedField:
    """A field checked against the search index's vocabulary (so a search costs no
    query); the form hands it the index it read once."""

    index: SearchIndex | None = None
    # The widget's choices: no vocabulary query either.
    iterator: type[forms.models.ModelChoiceIterator] = IndexedChoices

    relation: str

    def known(self, relation: str) -> dict[str, object]:
        index = self.index or search_index.current_index()
        return index.codes[relation]

    def labelled(self) -> tuple[tuple[str, str], ...]:
        """(code, label) of every term, in the active language: worked out once per
        index and language, as the desk draws some 70 chips on every page (a change to a
        term builds a new index)."""
        index = self.index or search_index.current_index()
        key = (self.relation, get_language())
        found = index.labels.get(key)
        if found is None:
            label = self.label_from_instance  # type: ignore[attr-defined]
            found = tuple((code, label(term)) for code, term in self.known(self.relation).items())
            index.labels[key] = found
        return found


class ByCode:
    """A multiple choice field checked by code against what ``by_code`` holds in
    memory: no query, and typed values never reach SQL (a NUL byte there is a database
    error, a 500, instead of a 400). "Nothing chosen" cleans to ``[]``, not Django's
    ``queryset.none()``, each truth test of which is a queryset evaluation (three in
    every search)."""

    required: bool
    error_messages: dict

    def by_code(self) -> Mapping[str, object]:
        raise NotImplementedError

    def clean(self, value):
        if not value and not self.required:
            return []
        return super().clean(value)  # type: ignore[misc]

    def _check_values(self, value):
        known = self.by_code()
        for code in value:
            if str(code) not in known:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": code},
                )
        return [known[str(code)] for code in dict.fromkeys(value)]


class CodeChoiceField(ByCode, IndexedField, forms.ModelMultipleChoiceField):
    """Vocabulary terms by their stable code, e.g. ``topic=voldtekt&topic=incest``.

    The queryset lists the choices (the desk's checkboxes)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, model, relation: str, **kwargs):
        self.relation = relation
        super().__init__(
            queryset=model.objects.filter(is_active=True), to_field_name="code", **kwargs
        )

    def by_code(self) -> Mapping[str, object]:
        return self.known(self.relation)


class LanguageField(IndexedField, forms.ModelChoiceField):
    """A language by its ISO 639-1 code, checked against the search index like the terms."""

    relation = "languages"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        language = self.known("languages").get(str(value))
        if language is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return language


class SearchForm(forms.Form):
    municipality = forms.RegexField(
        label=_("Municipality number"),
        regex=r"^[0-9]{4}$",
        required=False,
        error_messages={"invalid": _("Give the municipality as four digits, e.g. 0301.")},
    )
    postcode = forms.RegexField(
        label=_("Postcode"),
        regex=r"^[0-9]{4}$",
        required=False,
        error_messages={"invalid": _("Give the postcode as four digits, e.g. 8006.")},
    )
    topic = CodeChoiceField(Topic, "topics", label=_("Topic"), required=False)
    group = CodeChoiceField(TargetGroup, "target_groups", label=_("Target group"), required=False)
    type = CodeChoiceField(ServiceType, "service_types", label=_("Service type"), required=False)
    accessibility = CodeChoiceField(
        AccessibilityFeature, "accessibility", label=_("Accessibility"), required=False
    )
    age = AsciiIntegerField(label=_("Caller's age"), min_value=0, max_value=120, required=False)
    language = LanguageField(
        Language.objects.all(),
        to_field_name="code",
        label=_("Language"),
        required=False,
        empty_label=_("Any language"),
    )
    at = forms.DateTimeField(
        label=_("Open at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    open = forms.TypedChoiceField(
        label=_("Open now"),
        choices=[("1", _("yes")), ("0", _("no"))],
        coerce=lambda value: value == "1",
        # The stubs allow only strings here; Django takes any value.
        empty_value=False,  # type: ignore[arg-type]
        required=False,
    )
    q = forms.CharField(
        label=_("Name of service or organisation"),
        max_length=100,
        required=False,
        validators=[reject_personal_numbers],
    )
    limit = AsciiIntegerField(
        label=_("Number of results"), min_value=1, max_value=MAX_LIMIT, required=False
    )

    def __init__(self, *args, index: SearchIndex | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once: checking the codes and the search itself then use the same index.
        self.index = index or search_index.current_index()
        for form_field in self.fields.values():
            if isinstance(form_field, IndexedField):
                form_field.index = self.index

    def clean_at(self):
        """Only instants the opening-hours engine can answer for (it looks a year and a
        bit ahead, and dates end in 9999): anything else is refused, not a crash."""
        at = self.cleaned_data.get("at")
        # Wall-clock time, compared before any conversion that could itself overflow.
        if at is not None and not (AT_EARLIEST <= at.replace(tzinfo=None) <= AT_LATEST):
            raise ValidationError(
                _("Give a time between %(earliest)s and %(latest)s.")
                % {"earliest": AT_EARLIEST.year, "latest": AT_LATEST.year},
                code="out_of_range",
            )
        return at

    def clean(self):
        super().clean()
        data = self.cleaned_data
        data["limit"] = data.get("limit") or DEFAULT_LIMIT
        data["location"] = None
        number, code = data.get("municipality"), data.get("postcode")
        if number and code:
            self.add_error("postcode", _("Give the municipality or the postcode, not both."))
        elif number:
            self._resolve("municipality", places.resolve_municipality_number, number)
        elif code:
            self._resolve("postcode", places.resolve_postcode, code)
        return data

    def _resolve(self, field_name, resolver, value) -> None:
        try:
            self.cleaned_data["location"] = resolver(value)
        except ValidationError as error:
            self.add_error(field_name, error)

    def error_dict(self) -> dict[str, list[str]]:
        return {name: [str(m) for m in messages] for name, messages in self.errors.items()}


class HoursNow(NamedTuple):
    """What a schedule says at a moment, as a result card shows it."""

    open_now: bool
    opens_next: datetime | None
    closes_at: datetime | None
    always_open: bool


def _hours_now(schedule: hours.Schedule, at: datetime) -> HoursNow:
    open_now = schedule.is_open(at)
    return HoursNow(
        open_now=open_now,
        opens_next=None if open_now else schedule.next_opening(at),
        closes_at=schedule.closes_at(at) if open_now else None,
        always_open=schedule.is_always_open(),
    )


@dataclass
class Hit:
    service: CardService
    coverage: Coverage | None
    distance_km: float | None
    open_now: bool
    opens_next: datetime | None
    closes_at: datetime | None
    always_open: bool
    phones: list[CardChannel]
    other_channels: list[CardChannel]
    confidential_locations: list[CardLocation]
    open_error_reports: int = 0
    capacity: CapacityReport | None = None
    locations: list[CardLocation] = field(default_factory=list)
    service_types: tuple[ServiceType, ...] = ()
    topics: tuple[Topic, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()
    languages: tuple[Language, ...] = ()
    accessibility: tuple = ()


@dataclass
class SearchResult:
    location: places.Resolved | None
    at: datetime
    hits: list[Hit] = field(default_factory=list)
    guidance: list[Topic] = field(default_factory=list)

    @property
    def municipality(self) -> Municipality | None:
        return self.location.municipality if self.location else None


class PublicMatch(NamedTuple):
    pk: int
    coverage: Coverage | None  # None without a caller place
    distance_km: float | None  # from public addresses only


def index_query(data: dict, index: SearchIndex, at: datetime, **extra) -> search_index.Query:
    """The filters of ``data`` (a SearchForm's cleaned_data) in the index's terms.
    ``only_ids`` in ``data`` (the desk's free-places chip) narrows to those services."""
    ids = index.named(data["q"]) if data.get("q") else None
    if (only := data.get("only_ids")) is not None:
        ids = set(only) if ids is None else ids & set(only)
    return search_index.Query(
        terms=[
            (relation, term.pk)
            for param, relation in VOCABULARY_PARAMS
            for term in data.get(param) or ()
        ],
        language=data["language"].code if data.get("language") else None,
        age=data.get("age"),
        open_at=at if data.get("open") else None,
        ids=ids,
        **extra,
    )


def _municipality(data: dict) -> Municipality | None:
    location = data.get("location")
    return location.municipality if location else None


def run_search(
    data: dict, now: datetime | None = None, index: SearchIndex | None = None
) -> SearchResult:
    """The desk's and the staff API's search: the best ``limit`` hits."""
    index = index or search_index.current_index()
    at = data.get("at") or now or timezone.now()
    limit = data.get("limit") or DEFAULT_LIMIT
    ranked = index.rank(index_query(data, index, at), _municipality(data), limit)
    guidance = [topic for topic in data.get("topic") or () if topic.guidance]
    return SearchResult(
        location=data.get("location"), at=at, hits=_hits(index, ranked, at), guidance=guidance
    )


def nearest_open(
    municipality: Municipality | None,
    at: datetime,
    index: SearchIndex | None = None,
    filters: dict | None = None,
) -> Hit | None:
    """The acute strip: the best-ranked service that is open at ``at``, can be phoned
    and matches the search's ``filters`` (a SearchForm's cleaned_data), if any."""
    index = index or search_index.current_index()
    query = index_query({**(filters or {}), "open": True}, index, at, needs_phone=True)
    hits = _hits(index, index.rank(query, municipality, 1), at)
    return hits[0] if hits else None


class WayOut(NamedTuple):
    """One active filter of a thin search, and how many services match without it."""

    param: str
    value: str  # the code (or "1") whose removal this is about
    label: str
    matches: int


# Fewer results than this, and the desk shows the way out of the dead end.
THIN = 3


def ways_out(
    data: dict, at: datetime, index: SearchIndex | None = None, found: int = 0
) -> list[WayOut]:
    """Each active filter of ``data`` whose removal finds more than the ``found`` matches
    the search has, with how many (up to ``DEFAULT_LIMIT``): which one to drop. A filter
    whose removal finds no more is no way out. Counted in memory, never stored or logged."""
    index = index or search_index.current_index()
    municipality = _municipality(data)
    dropped: list[tuple[str, str, str, dict]] = []
    for param, _relation in VOCABULARY_PARAMS:
        for term in data.get(param) or ():
            rest = [other for other in data[param] if other != term]
            dropped.append((param, term.code, str(term), {**data, param: rest}))
    singles: list[tuple[str, dict]] = [
        ("language", {"language": None}),
        ("age", {"age": None}),
        ("q", {"q": ""}),
        ("open", {"open": False}),
        ("only_ids", {"only_ids": None}),  # the free-place chips
    ]
    for param, without in singles:
        if data.get(param) not in (None, "", False):
            value = data[param]
            code = "1" if param in ("open", "only_ids") else getattr(value, "code", str(value))
            dropped.append((param, code, str(value), {**data, **without}))
    ways = [
        WayOut(param, value, label, _count(index, rest, at, municipality))
        for param, value, label, rest in dropped
    ]
    return [way for way in ways if way.matches > found]


def _count(index: SearchIndex, data: dict, at: datetime, municipality) -> int:
    return len(index.rank(index_query(data, index, at), municipality, DEFAULT_LIMIT))


def opening_next(data: dict, at: datetime, index: SearchIndex | None = None) -> list[Hit]:
    """What "open now"/"open at" filtered away, each with when it opens next (up to
    ``THIN``): the search without that filter, keeping what is closed at ``at``."""
    index = index or search_index.current_index()
    query = index_query({**data, "open": False}, index, at, active_only=True)
    ranked = index.rank(query, _municipality(data), DEFAULT_LIMIT)
    closed = [item for item in ranked if not item.entry.schedule.is_open(at)][:THIN]
    return [hit for hit in _hits(index, closed, at) if hit.opens_next]


def interpreters(at: datetime, index: SearchIndex | None = None) -> list[Hit]:
    """The line's own interpreter and text-relay contacts (services of that type), in
    the order editors entered them, each with whether it is open at ``at``."""
    index = index or search_index.current_index()
    entries = index.having("service_types", INTERPRETER_TYPE_CODE)
    return _hits(index, [search_index.Ranked(entry, None, None) for entry in entries], at)


def public_order(
    data: dict, at: datetime, index: SearchIndex | None = None
) -> tuple[list[PublicMatch], Municipality | None]:
    """Every public (published and active) service matching the public API's filters, in
    its order (see ``SearchIndex.public_order``)."""
    index = index or search_index.current_index()
    municipality = _municipality(data)
    ranked = index.public_order(index_query(data, index, at, active_only=True), municipality)
    return [PublicMatch(r.entry.pk, r.coverage, r.distance_km) for r in ranked], municipality


def _hits(index: SearchIndex, ranked: list[search_index.Ranked], at: datetime) -> list[Hit]:
    if not ranked:
        return []
    cards = index.cards([item.entry.pk for item in ranked])
    feedback = index.feedback  # current: reloaded whenever a report or a shelter changes
    # Services share schedules: ask each distinct one once per page (and keep nothing
    # about the search once the page is made).
    hours_at: dict[int, HoursNow] = {}
    hits = []
    for item in ranked:
        card = cards.get(item.entry.pk)
        if card is None:  # deleted since the index last looked
            continue
        schedule = item.entry.schedule
        if id(schedule) not in hours_at:
            hours_at[id(schedule)] = _hours_now(schedule, at)
        hit = _hit(card, item, hours_at[id(schedule)], feedback.capacity.get(item.entry.pk))
        hit.open_error_reports = feedback.error_reports.get(item.entry.pk, 0)
        hits.append(hit)
    return hits


def _hit(card: Card, ranked: search_index.Ranked, now: HoursNow, capacity) -> Hit:
    service, channels, locations = card.service, card.channels, card.locations
    active = ranked.entry.active
    open_now = active and now.open_now
    terms = ranked.entry.terms
    service_types = terms.get("service_types", ())
    return Hit(
        service=service,
        coverage=ranked.coverage,
        distance_km=ranked.distance_km,
        open_now=open_now,
        opens_next=now.opens_next if active and not open_now else None,
        closes_at=now.closes_at if open_now else None,
        always_open=active and now.always_open,
        phones=[c for c in channels if c.kind == ContactChannel.Kind.PHONE],
        other_channels=[c for c in channels if c.kind != ContactChannel.Kind.PHONE],
        confidential_locations=[loc for loc in locations if loc.is_confidential],
        locations=locations,
        capacity=_capacity(service, capacity, service_types),
        service_types=service_types,
        topics=terms.get("topics", ()),
        target_groups=terms.get("target_groups", ()),
        languages=terms.get("languages", ()),
        accessibility=terms.get("accessibility", ()),
    )


def _capacity(service: CardService, report: ShelterCapacity | None, types) -> CapacityReport | None:
    # A service whose editor switched reporting off shows no stale figures.
    if report is None or not reports_capacity(service, types):
        return None
    return report.for_desk()
