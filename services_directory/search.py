"""The one search behind the operator desk and ``GET /api/v1/search``.

``SearchForm`` validates the parameters (bad input becomes a 400 naming the field);
``run_search`` turns clean parameters into ranked hits. Nothing here writes or logs:
what an operator searches for during a call is never stored.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services_directory import places
from services_directory.models import (
    ContactChannel,
    ErrorReport,
    Language,
    Location,
    Municipality,
    Service,
    ServiceType,
    TargetGroup,
    Topic,
)
from services_directory.models.capacity import CapacityReport, reports_capacity
from services_directory.models.queries import Coverage

DEFAULT_LIMIT = 20
VOCABULARY_PARAMS = [("topic", "topics"), ("group", "target_groups"), ("type", "service_types")]
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


class CodeChoiceField(forms.ModelMultipleChoiceField):
    """Vocabulary terms by their stable code, e.g. ``topic=voldtekt&topic=incest``."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, model, **kwargs):
        super().__init__(
            queryset=model.objects.filter(is_active=True), to_field_name="code", **kwargs
        )


class SearchForm(forms.Form):
    municipality = forms.RegexField(
        label=_("Municipality number"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("Give the municipality as four digits, e.g. 0301.")},
    )
    postcode = forms.RegexField(
        label=_("Postcode"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("Give the postcode as four digits, e.g. 8006.")},
    )
    topic = CodeChoiceField(Topic, label=_("Topic"), required=False)
    group = CodeChoiceField(TargetGroup, label=_("Target group"), required=False)
    type = CodeChoiceField(ServiceType, label=_("Service type"), required=False)
    age = forms.IntegerField(label=_("Caller's age"), min_value=0, max_value=120, required=False)
    language = forms.ModelChoiceField(
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
        empty_value=False,
        required=False,
    )
    q = forms.CharField(
        label=_("Name of service or organisation"),
        max_length=100,
        required=False,
        validators=[reject_personal_numbers],
    )
    limit = forms.IntegerField(
        label=_("Number of results"), min_value=1, max_value=MAX_LIMIT, required=False
    )

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


@dataclass
class Hit:
    service: Service
    coverage: Coverage
    distance_km: float | None
    open_now: bool
    opens_next: datetime | None
    closes_at: datetime | None
    always_open: bool
    phones: list[ContactChannel]
    other_channels: list[ContactChannel]
    confidential_locations: list[Location]
    open_error_reports: int = 0
    # Free shelter places arrive with the capacity reports; the card already has a slot.
    capacity: object | None = None


@dataclass
class SearchResult:
    location: places.Resolved | None
    at: datetime
    hits: list[Hit] = field(default_factory=list)
    guidance: list[Topic] = field(default_factory=list)

    @property
    def municipality(self) -> Municipality | None:
        return self.location.municipality if self.location else None


def filtered_services(data: dict, at: datetime):
    """Published services matching every filter in ``data`` (a SearchForm's cleaned_data)."""
    qs = Service.objects.published()
    for param, relation in VOCABULARY_PARAMS:
        if data.get(param):
            qs = qs.with_all_codes(relation, [term.code for term in data[param]])
    if data.get("age") is not None:
        qs = qs.for_age(data["age"])
    if data.get("language"):
        qs = qs.speaking(data["language"].code)
    if data.get("q"):
        qs = qs.named_like(data["q"], fuzzy=connection.vendor == "postgresql")
    if data.get("open"):
        qs = qs.open_at(at)
    return qs


def run_search(data: dict, now: datetime | None = None) -> SearchResult:
    at = data.get("at") or now or timezone.now()
    location = data.get("location")
    municipality = location.municipality if location else None
    services = (
        filtered_services(data, at)
        .select_related("organization")
        .nearest_first(municipality, data.get("limit") or DEFAULT_LIMIT)
    )
    prefetch_related_objects(services, *_CARD_PREFETCHES)
    hits = [_hit(service, at) for service in services]
    _count_open_error_reports(hits)
    guidance = [topic for topic in data.get("topic") or () if topic.guidance]
    return SearchResult(location=location, at=at, hits=hits, guidance=guidance)


def nearest_open(municipality: Municipality | None, at: datetime) -> Hit | None:
    """The best-ranked service that is open at ``at`` and can be phoned: the acute strip."""
    phones = ContactChannel.objects.filter(kind=ContactChannel.Kind.PHONE).values("service_id")
    services = (
        Service.objects.published()
        .open_at(at)
        .filter(pk__in=phones)
        .select_related("organization")
        .nearest_first(municipality, 1)
    )
    prefetch_related_objects(services, *_CARD_PREFETCHES)
    return _hit(services[0], at) if services else None


def _count_open_error_reports(hits: list[Hit]) -> None:
    """Operators double-check a number someone has reported as wrong."""
    counts = dict(
        ErrorReport.objects.open()
        .filter(service__in=[hit.service.pk for hit in hits])
        .values_list("service")
        .annotate(n=Count("pk"))
        .values_list("service", "n")
    )
    for hit in hits:
        hit.open_error_reports = counts.get(hit.service.pk, 0)


_CARD_PREFETCHES = (
    "service_types",
    "topics",
    "target_groups",
    "languages",
    "accessibility",
    "opening_hours",
    Prefetch("channels", queryset=ContactChannel.objects.order_by("position", "pk")),
    Prefetch("locations", queryset=Location.objects.select_related("municipality__county")),
    # One query for the whole page's free-place reports (services without one get None).
    "capacity",
)


def _hit(service: Service, at: datetime) -> Hit:
    schedule = service.schedule()
    active = service.status == Service.Status.ACTIVE
    open_now = active and schedule.is_open(at)
    channels = list(service.channels.all())
    return Hit(
        service=service,
        coverage=Coverage(service.coverage_rank),  # type: ignore[attr-defined]
        distance_km=service.distance_km,  # type: ignore[attr-defined]
        open_now=open_now,
        opens_next=schedule.next_opening(at) if active and not open_now else None,
        closes_at=schedule.closes_at(at) if open_now else None,
        always_open=active and schedule.is_always_open(),
        phones=[c for c in channels if c.kind == ContactChannel.Kind.PHONE],
        other_channels=[c for c in channels if c.kind != ContactChannel.Kind.PHONE],
        confidential_locations=[loc for loc in service.locations.all() if loc.is_confidential],
        capacity=_capacity(service),
    )


def _capacity(service: Service) -> CapacityReport | None:
    # Prefetched; a missing report reads as None. A service whose editor switched
    # reporting off shows no stale figures.
    report = getattr(service, "capacity", None)
    if report is None or not reports_capacity(service):
        return None
    return report.for_desk()


def api_payload(result: SearchResult) -> dict:
    municipality = result.municipality
    return {
        "location": None
        if municipality is None
        else {
            "municipality": municipality.number,
            "name": municipality.name,
            "county": municipality.county.number,
        },
        "at": timezone.localtime(result.at).isoformat(),
        "results": [_api_hit(hit) for hit in result.hits],
    }


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _api_hit(hit: Hit) -> dict:
    service = hit.service
    locations = list(service.locations.all())
    return {
        "id": service.pk,
        "name": service.name,
        "organization": service.organization.name,
        "service_types": [t.code for t in service.service_types.all()],
        "topics": [t.code for t in service.topics.all()],
        "target_groups": [t.code for t in service.target_groups.all()],
        "coverage": hit.coverage.code,
        "distance_km": None if hit.distance_km is None else round(hit.distance_km, 1),
        "open_now": hit.open_now,
        "opens_next": _iso(hit.opens_next),
        "closes_at": _iso(hit.closes_at),
        "always_open": hit.always_open,
        "phones": [{"number": c.value, "description": c.description} for c in hit.phones],
        "languages": [language.code for language in service.languages.all()],
        "municipality": locations[0].municipality.number if locations else None,
    }
