"""The HSDS 3.0.1 API under /api/v1/public/hsds/ (the Open Referral API specification's
paths), in the Norwegian profile of the file export (docs/hsds-profile.md).

The same privacy rules as the rest of the public API: only ``Service.objects.public()``
services, their public locations, and no operator note, ever. Every object is the
exporter's, so the file and the API cannot disagree. A parameter the API does not know is
a 400 naming it: a client filtering must never get everything back without knowing.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from hashlib import sha256
from itertools import batched
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.api.cached import cached
from hotline.api.conditional import conditional_response, directory_state, etag_of, latest
from hotline.api.cors import public_cors
from hotline.api.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_PROXIMITY, NDJSON
from hotline.api.methods import read_only
from hotline.api.public import (
    MomentField,
    PublicSearchForm,
    _page,
    changed_since,
    empty_parameters,
)
from hotline.api.throttle import throttled
from hotline.http import HtmxHttpRequest
from services_directory.geo import distance_km
from services_directory.hsds.exporter import (
    LIST_KEYS,
    MINIMAL_KEYS,
    ORGANIZATION_LIST_KEYS,
    export_chosen,
    export_location,
    export_organization,
    export_taxonomy_term,
    service_at_location_id,
    shaped,
    with_export_data,
)
from services_directory.hsds.profile import (
    EXPORT_ID_PREFIX,
    TAXONOMIES,
    as_uuid,
    taxonomy_id,
    terms_by_id,
)
from services_directory.hsds.schema import VERSION
from services_directory.models import (
    Location,
    Organization,
    Postcode,
    Service,
    ServiceDeparture,
)
from services_directory.places import Resolved, resolve_postcode
from services_directory.search import AsciiIntegerField, public_order

TAXONOMY_DESCRIPTIONS = {
    "service_type": "What kind of service it is (crisis centre, helpline, ...).",
    "topic": "What the service helps with (domestic violence, rape, ...).",
    "target_group": "Whom the service is for (women, young people, ...).",
    "accessibility": "How the service is accessible (wheelchair, interpreter, ...).",
}
SEARCH_MAX_LENGTH = 100
# Rows read at a time while streaming ndjson: a fixed number of queries per chunk.
STREAM_CHUNK = 100


# --- Input -----------------------------------------------------------------------------


class BooleanParameter(forms.TypedChoiceField):
    """``true``/``false`` (or ``1``/``0``), as the HSDS API's boolean parameters."""

    CHOICES = ("true", "false", "1", "0")

    def __init__(self, **kwargs):
        super().__init__(
            choices=[(value, value) for value in self.CHOICES],
            coerce=lambda value: value in ("true", "1"),
            empty_value=None,
            required=False,
            **kwargs,
        )


class FormatField(forms.ChoiceField):
    """``json`` (pages, the default) or ``ndjson`` (every result, one per line)."""

    def __init__(self, **kwargs):
        super().__init__(choices=[("json", "json"), ("ndjson", "ndjson")], required=False)


class PageForm(forms.Form):
    page = AsciiIntegerField(min_value=1, required=False)
    per_page = AsciiIntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)
    search = forms.CharField(max_length=SEARCH_MAX_LENGTH, required=False, strip=False)
    format = FormatField()

    def clean(self):
        data = super().clean() or {}
        data["page"] = data.get("page") or 1
        data["per_page"] = data.get("per_page") or DEFAULT_PAGE_SIZE
        return data

    def error_dict(self) -> dict[str, list[str]]:
        return {name: [str(m) for m in messages] for name, messages in self.errors.items()}


class TermIdField(forms.CharField):
    """A taxonomy term's HSDS id (its UUID, or the older ``taxonomy:code``)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        term = terms_by_id().get(value)
        if term is None:
            raise ValidationError(_("There is no taxonomy term with this id."), code="unknown")
        return term


class TaxonomyIdField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        by_id = {taxonomy_id(name): name for name in TAXONOMIES}
        if value not in by_id and value not in TAXONOMIES:
            raise ValidationError(_("There is no taxonomy with this id."), code="unknown")
        return by_id.get(value, value)


class ServiceFilters(forms.Form):
    """The HSDS API's service filters, shared by /services and /service_at_locations."""

    taxonomy_term_id = TermIdField(required=False)
    taxonomy_id = TaxonomyIdField(required=False)
    organization_id = forms.UUIDField(required=False)
    modified_after = MomentField(required=False)
    full = BooleanParameter()


class HSDSServicesForm(PublicSearchForm, ServiceFilters):
    """The desk's filters (as /services), HSDS's own, and its page parameters."""

    per_page = AsciiIntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)
    search = forms.CharField(max_length=SEARCH_MAX_LENGTH, required=False, strip=False)
    minimal = BooleanParameter()
    format = FormatField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # HSDS names the public list's changed_since modified_after.
        del self.fields["changed_since"]

    def clean(self):
        per_page = self.cleaned_data.get("per_page")
        if per_page and self.cleaned_data.get("page_size"):
            self.add_error("per_page", _("Give page_size or per_page, not both."))
        elif per_page:
            self.cleaned_data["page_size"] = per_page
        if self.cleaned_data.get("minimal") and self.cleaned_data.get("full"):
            self.add_error("minimal", _("Give full or minimal, not both."))
        return super().clean()


class PostcodeField(forms.RegexField):
    """A postcode of the register, read as its place (``Resolved``)."""

    def __init__(self, **kwargs):
        super().__init__(
            regex=r"^[0-9]{4}$",
            required=False,
            error_messages={"invalid": _("Give the postcode as four digits, e.g. 8006.")},
        )

    def clean(self, value):
        value = super().clean(value)
        return resolve_postcode(value) if value else None


class ServiceAtLocationsForm(PageForm, ServiceFilters):
    postcode = PostcodeField()
    proximity = AsciiIntegerField(min_value=0, max_value=MAX_PROXIMITY, required=False)

    def clean(self):
        data = super().clean()
        measured = data.get("proximity") is not None
        if measured and data.get("postcode") is None and "postcode" not in self.errors:
            self.add_error("proximity", _("Give a postcode to measure from."))
        return data


class OrganizationsForm(PageForm):
    full = BooleanParameter()
    full_service = BooleanParameter()


class OrganizationForm(forms.Form):
    full_service = BooleanParameter()


class TaxonomyTermsForm(PageForm):
    taxonomy_id = TaxonomyIdField(required=False)
    # The directory's taxonomies are flat: every term is a top one, none has a parent.
    top_only = BooleanParameter()
    parent_id = TermIdField(required=False)


def _checked(request: HtmxHttpRequest, form: forms.Form) -> JsonResponse | None:
    """A 400 naming every unknown, empty or invalid parameter; None when all is well."""
    errors: dict[str, list[str]] = {
        name: [str(_("Unknown parameter."))] for name in request.GET if name not in form.fields
    }
    errors |= empty_parameters(request)
    if not form.is_valid():
        errors |= {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    return JsonResponse({"errors": errors}, status=400) if errors else None


def _not_found(field: str, message) -> JsonResponse:
    return JsonResponse({"errors": {field: [str(message)]}}, status=404)


# --- Reads -----------------------------------------------------------------------------


def filtered(services: QuerySet[Service], data: dict) -> QuerySet[Service]:
    """``services`` narrowed by the HSDS API's own filters."""
    if text := data.get("search"):
        match = Q(organization__name__icontains=text)
        for code in settings.MODELTRANSLATION_LANGUAGES:
            match |= Q(**{f"name_{code}__icontains": text})
            match |= Q(**{f"description_{code}__icontains": text})
        services = services.filter(match)
    if term := data.get("taxonomy_term_id"):
        taxonomy, found = term
        services = services.filter(**{TAXONOMIES[taxonomy][0]: found})
    if taxonomy := data.get("taxonomy_id"):
        services = services.filter(**{f"{TAXONOMIES[taxonomy][0]}__isnull": False})
    if organization := data.get("organization_id"):
        services = services.filter(organization__uuid=organization)
    if moment := data.get("modified_after"):
        services = services.filter(public_updated_at__gte=moment)
    return services.distinct()


HSDS_FILTERS = ("search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after")


def _service_shape(data: dict) -> Callable[[dict], dict]:
    if data.get("minimal"):
        return lambda entry: shaped(entry, MINIMAL_KEYS)
    if data.get("full") is False:
        return lambda entry: shaped(entry, LIST_KEYS)
    return lambda entry: entry


def page_json(page: Page, contents: list) -> dict:
    """The HSDS API's Page object."""
    return {
        "total_items": page.paginator.count,
        "total_pages": page.paginator.num_pages,
        "page_number": page.number,
        "size": len(contents),
        "first_page": not page.has_previous(),
        "last_page": not page.has_next(),
        "empty": not contents,
        "contents": contents,
    }


def departure_record(departure: ServiceDeparture) -> dict:
    """A service that left the public set since the client's ``modified_after``: the
    schema's required fields, ``inactive``, and when it left. ``name`` is empty: the
    directory does not repeat the name of a service that has gone (docs/hsds-profile.md)."""
    moment = departure.departed_at.astimezone(UTC)
    return {
        "id": str(departure.service_uuid),
        "name": "",
        "status": "inactive",
        "last_modified": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def _streamed(
    request: HtmxHttpRequest,
    items: Callable[[], Iterable[dict]],
    minute: datetime | None = None,
) -> HttpResponseBase:
    """``format=ndjson``: every result, one JSON object a line, without pagination (the
    cheap way to sync). Made while it is sent; the validators are the directory's (and
    the ``minute``'s, for a list that changes with the clock)."""
    changed, count = directory_state()
    query = request.META.get("QUERY_STRING", "")
    return conditional_response(
        request,
        etag_of(request.path, query, changed, count, minute),
        latest(changed, minute),
        lambda: StreamingHttpResponse(
            (json.dumps(item) + "\n" for item in items()), content_type=NDJSON
        ),
    )


def _paginate(items, data: dict, size_key: str = "per_page") -> Page | None:
    try:
        return Paginator(items, data[size_key]).page(data["page"])
    except EmptyPage:
        return None


def _answer(request: HtmxHttpRequest, body: Any) -> HttpResponse:
    """``body`` with validators made from it (answers that are cheap to make): a client's
    current copy gets a 304."""
    changed, _count = directory_state()
    return _answer_content(request, json.dumps(body), changed)


def _answer_content(request: HtmxHttpRequest, content: str, changed: datetime | None):
    etag = etag_of(request.path, sha256(content.encode()).hexdigest())
    return conditional_response(
        request,
        etag,
        latest(changed),
        lambda: HttpResponse(content, content_type="application/json"),
    )


def _kept_page(request: HtmxHttpRequest, make: Callable[[], dict | None]) -> HttpResponse:
    """As ``_answer`` for a page worth keeping (cached.py): ``make()`` gives its body, or
    None past the last page."""
    changed, count = directory_state()

    def render() -> HttpResponse:
        body = make()
        if body is None:
            return _not_found("page", _("That page does not exist."))
        return HttpResponse(json.dumps(body), content_type="application/json")

    query = request.META.get("QUERY_STRING", "")
    response = cached(request, (request.path, query, changed, count), render)
    if response.status_code != 200:
        return response
    return _answer_content(request, response.content.decode(), changed)


def _all_services(
    data: dict,
    at: datetime,
    allowed: set[int] | None,
    departed: list[ServiceDeparture],
    shape: Callable[[dict], dict],
) -> Iterator[dict]:
    """Every service of the list in its order, then the departures (ndjson)."""
    matches, _municipality = public_order(data, at)
    wanted = [m.pk for m in matches if allowed is None or m.pk in allowed]
    for chunk in batched(wanted, STREAM_CHUNK):
        rows = with_export_data(Service.objects.public().filter(pk__in=chunk))
        by_pk = {service.pk: service for service in rows}
        found = [by_pk[pk] for pk in chunk if pk in by_pk]
        yield from (shape(entry) for entry in export_chosen(found))
    yield from (departure_record(departure) for departure in departed)


def _public_service(identifier: str) -> QuerySet[Service]:
    """The public service with this HSDS id: its UUID, or the readable id (x_id)."""
    services = Service.objects.public()
    if (uid := as_uuid(identifier)) is not None:
        return services.filter(uuid=uid)
    prefix = f"{EXPORT_ID_PREFIX}-service-"
    number = identifier.removeprefix(prefix)
    if identifier.startswith(prefix) and number.isascii() and number.isdigit():
        return services.filter(Q(hsds_id=identifier) | Q(pk=int(number), hsds_id=None))
    return services.filter(hsds_id=identifier)


def _public_organizations() -> QuerySet[Organization]:
    """Organisations with at least one public service: one whose services are all drafts
    or closed is not shown, so it cannot betray them."""
    public = Service.objects.public().values("organization")
    return Organization.objects.filter(pk__in=public).order_by("name", "pk")


def _organization_json(organization: Organization, full: bool, full_service: bool) -> dict:
    """The organisation; ``full``: with its public services, list-shaped unless
    ``full_service`` (which implies ``full``)."""
    entry = export_organization(organization)
    if not (full or full_service):
        return shaped(entry, ORGANIZATION_LIST_KEYS)
    services = with_export_data(Service.objects.public().filter(organization=organization))
    exported = export_chosen(services)
    entry["services"] = exported if full_service else [shaped(s, LIST_KEYS) for s in exported]
    return entry


def _taxonomy_json(name: str) -> dict:
    return {
        "id": taxonomy_id(name),
        "name": name,
        "description": TAXONOMY_DESCRIPTIONS[name],
        "version": "1",
    }


def _terms(taxonomy: str | None = None) -> list[dict]:
    return [
        export_taxonomy_term(name, term)
        for name, (_field, model) in TAXONOMIES.items()
        if taxonomy in (None, name)
        for term in model.objects.filter(is_active=True)  # type: ignore[attr-defined]
    ]


def _searched(entries: Iterable[dict], text: str | None, keys: tuple[str, ...]) -> list[dict]:
    if not text:
        return list(entries)
    needle = text.casefold()
    return [e for e in entries if any(needle in str(e.get(key, "")).casefold() for key in keys)]


def _public_locations(services: QuerySet[Service]) -> QuerySet[Location]:
    return (
        Location.objects.filter(service__in=services, is_confidential=False)
        .select_related("municipality__county")
        .order_by("service__name", "service_id", "pk")
    )


def _service_at_locations(locations: list[Location], full: bool) -> list[dict]:
    postcodes = {
        p.code: p for p in Postcode.objects.filter(code__in={loc.postcode for loc in locations})
    }
    services = with_export_data(
        Service.objects.filter(pk__in={loc.service_id for loc in locations})
    )
    exported = dict(zip([s.pk for s in services], export_chosen(services), strict=True))
    return [
        {
            "id": service_at_location_id(location),
            "service_id": exported[location.service_id]["id"],
            "location_id": str(location.uuid),
            "location": export_location(location, postcodes),
            "service": (
                exported[location.service_id]
                if full
                else shaped(exported[location.service_id], LIST_KEYS)
            ),
        }
        for location in locations
    ]


# --- Views -----------------------------------------------------------------------------


def _public_view(view: Callable) -> Callable:
    """The decorators every HSDS API view has, outermost first."""
    return read_only(login_not_required(public_cors(throttled(view))))


@_public_view
def root(request: HtmxHttpRequest) -> HttpResponse:
    form = forms.Form(request.GET)
    if error := _checked(request, form):
        return error
    return _answer(
        request,
        {
            "version": VERSION,
            "profile": request.build_absolute_uri(reverse("api:public_hsds_profile")),
            "openapi_url": request.build_absolute_uri(reverse("api:public_openapi")),
        },
    )


@_public_view
def profile(request: HtmxHttpRequest) -> HttpResponse:
    form = forms.Form(request.GET)
    if error := _checked(request, form):
        return error
    text = PROFILE_TEXT()
    return conditional_response(
        request,
        etag_of(request.path, sha256(text.encode()).hexdigest()),
        None,
        lambda: HttpResponse(text, content_type="text/markdown; charset=utf-8"),
    )


def PROFILE_TEXT() -> str:
    return (settings.BASE_DIR / "docs" / "hsds-profile.md").read_text(encoding="utf-8")


@_public_view
def services(request: HtmxHttpRequest) -> HttpResponseBase:
    form = HSDSServicesForm(request.GET)
    if error := _checked(request, form):
        return error
    data = form.cleaned_data
    at = timezone.now()
    # HSDS carries schedules, not "open now", so only open=1 makes the list change with
    # the clock; then the validators change every minute, as for the native list.
    minute = at.replace(second=0, microsecond=0) if data.get("open") else None
    changed, count = directory_state()
    query = request.META.get("QUERY_STRING", "")
    etag = etag_of(request.path, query, changed, count, minute)
    allowed: set[int] | None = None
    if any(data.get(name) for name in HSDS_FILTERS):
        allowed = set(filtered(Service.objects.public(), data).values_list("pk", flat=True))
    # A sync also learns which services left. They are not filtered by the rest: what
    # has gone has nothing left to filter on, and a client drops ids it does not hold.
    _changed, departed = changed_since(data, "modified_after")
    shape = _service_shape(data)
    if data.get("format") == "ndjson":
        every = partial(_all_services, data, at, allowed, departed, shape)
        return _streamed(request, every, minute)

    def render() -> HttpResponse:
        page, found, gone, _municipality = _page(data, at, allowed, departed)
        if page is None:
            return _not_found("page", _("That page does not exist."))
        contents = [shape(entry) for entry in export_chosen([s for s, _m in found])]
        contents += [departure_record(departure) for departure in gone]
        body = page_json(page, contents)
        return JsonResponse(body)

    return conditional_response(
        request, etag, latest(changed, minute), lambda: cached(request, (etag,), render)
    )


@_public_view
def service(request: HtmxHttpRequest, id: str) -> HttpResponse:
    form = forms.Form(request.GET)
    if error := _checked(request, form):
        return error
    public = _public_service(id)
    updated_at = public.values_list("public_updated_at", flat=True).first()
    if updated_at is None:
        # Drafts, closed services and unknown ids look the same from outside.
        return _not_found("id", _("There is no published service with this id."))

    def render() -> HttpResponse:
        found = with_export_data(public).first()
        if found is None:  # unpublished a moment ago
            return _not_found("id", _("There is no published service with this id."))
        return JsonResponse(export_chosen([found])[0])

    return conditional_response(request, etag_of(request.path, updated_at), updated_at, render)


@_public_view
def organizations(request: HtmxHttpRequest) -> HttpResponseBase:
    form = OrganizationsForm(request.GET)
    if error := _checked(request, form):
        return error
    data = form.cleaned_data
    full, full_service = bool(data.get("full")), bool(data.get("full_service"))
    found = _public_organizations()
    if data["search"]:
        found = found.filter(name__icontains=data["search"])
    if data.get("format") == "ndjson":
        return _streamed(
            request, lambda: (_organization_json(org, full, full_service) for org in found)
        )

    def make() -> dict | None:
        page = _paginate(found, data)
        if page is None:
            return None
        contents = [_organization_json(org, full, full_service) for org in page.object_list]
        return page_json(page, contents)

    return _kept_page(request, make)


@_public_view
def organization(request: HtmxHttpRequest, id: str) -> HttpResponse:
    form = OrganizationForm(request.GET)
    if error := _checked(request, form):
        return error
    found = _public_organizations()
    uid = as_uuid(id)
    found = found.filter(uuid=uid) if uid else found.filter(hsds_id=id)
    org = found.first()
    if org is None:
        return _not_found("id", _("There is no organisation with a published service and this id."))
    full_service = bool(form.cleaned_data.get("full_service"))
    return _answer(request, _organization_json(org, True, full_service))


def _listed(request: HtmxHttpRequest, data: dict, entries: list[dict]) -> HttpResponseBase:
    """A small list made in memory: a page of it, or all of it as ndjson."""
    if data.get("format") == "ndjson":
        return _streamed(request, lambda: entries)
    page = _paginate(entries, data)
    if page is None:
        return _not_found("page", _("That page does not exist."))
    return _answer(request, page_json(page, list(page.object_list)))


@_public_view
def taxonomies(request: HtmxHttpRequest) -> HttpResponseBase:
    form = PageForm(request.GET)
    if error := _checked(request, form):
        return error
    data = form.cleaned_data
    entries = _searched(map(_taxonomy_json, TAXONOMIES), data["search"], ("name", "description"))
    return _listed(request, data, entries)


@_public_view
def taxonomy(request: HtmxHttpRequest, id: str) -> HttpResponse:
    form = forms.Form(request.GET)
    if error := _checked(request, form):
        return error
    for name in TAXONOMIES:
        if id in (taxonomy_id(name), name):
            return _answer(request, _taxonomy_json(name))
    return _not_found("id", _("There is no taxonomy with this id."))


@_public_view
def taxonomy_terms(request: HtmxHttpRequest) -> HttpResponseBase:
    form = TaxonomyTermsForm(request.GET)
    if error := _checked(request, form):
        return error
    data = form.cleaned_data
    entries = _searched(_terms(data.get("taxonomy_id")), data["search"], ("code", "name"))
    if data.get("parent_id"):
        entries = []  # no term has a parent
    return _listed(request, data, entries)


@_public_view
def taxonomy_term(request: HtmxHttpRequest, id: str) -> HttpResponse:
    form = forms.Form(request.GET)
    if error := _checked(request, form):
        return error
    known = terms_by_id().get(id)
    if known is None:
        return _not_found("id", _("There is no taxonomy term with this id."))
    return _answer(request, export_taxonomy_term(*known))


def _near(locations: QuerySet[Location], place: Resolved, metres: int) -> list[Location]:
    """``locations`` (public ones: each is measured from its own point, never from a
    confidential address) within ``metres`` of the postcode's centre, nearest first. The
    register has no point for a postcode, so its municipality's stands in; Svalbard and
    Jan Mayen have none, so nothing is near them."""
    town = place.municipality
    if town is None:
        return []
    measured = [
        (distance_km(town.latitude, town.longitude, loc.latitude, loc.longitude), index, loc)
        for index, loc in enumerate(locations)
        if loc.latitude is not None and loc.longitude is not None
    ]
    return [loc for km, _index, loc in sorted(measured) if km * 1000 <= metres]


def _located(data: dict) -> QuerySet[Location] | list[Location]:
    """The public locations /service_at_locations lists for ``data``."""
    services = filtered(Service.objects.public(), data)
    place = data.get("postcode")
    if place is not None:
        # Coverage includes the postcode: its municipality, its county or the country.
        covering = (
            Service.objects.covering(place.municipality)
            if place.municipality is not None
            else Service.objects.filter(covers_whole_country=True)
        )
        services = services.filter(pk__in=covering.values_list("pk", flat=True))
    locations = _public_locations(services)
    if place is not None and data.get("proximity") is not None:
        return _near(locations, place, data["proximity"])
    return locations


@_public_view
def service_at_locations(request: HtmxHttpRequest) -> HttpResponseBase:
    form = ServiceAtLocationsForm(request.GET)
    if error := _checked(request, form):
        return error
    data = form.cleaned_data
    full = bool(data.get("full"))
    if data.get("format") == "ndjson":

        def every() -> Iterator[dict]:
            for chunk in batched(_located(data), STREAM_CHUNK):
                yield from _service_at_locations(list(chunk), full=full)

        return _streamed(request, every)

    def make() -> dict | None:
        page = _paginate(_located(data), data)
        if page is None:
            return None
        return page_json(page, _service_at_locations(list(page.object_list), full=full))

    return _kept_page(request, make)


@_public_view
def service_at_location(request: HtmxHttpRequest, id: str) -> HttpResponse:
    form = forms.Form(request.GET)
    if error := _checked(request, form):
        return error
    uid = as_uuid(id)
    wanted = None
    if uid is not None:
        # The id is derived from the location's UUID; look through the public ones.
        candidates = _public_locations(Service.objects.public()).values_list("pk", "uuid")
        wanted = next(
            (pk for pk, location_uuid in candidates if _sal_id(location_uuid) == str(uid)), None
        )
    if wanted is None:
        return _not_found("id", _("There is no published service at a location with this id."))
    location = _public_locations(Service.objects.public()).get(pk=wanted)
    return _answer(request, _service_at_locations([location], full=True)[0])


def _sal_id(location_uuid: UUID) -> str:
    return service_at_location_id(Location(uuid=location_uuid))
