"""The open, read-only API for the national web portal (no login): /api/v1/public/.

Only what the directory publishes leaves here: published, active services; public
locations only (never a confidential address, nor a distance measured from one); never an
operator note. Filters are the desk's own (``SearchForm``), so the portal and the desk
agree on what "open now" or "covers Bodø" means.

Every answer carries an ETag and a Last-Modified so a portal can poll cheaply: both are
computed from one aggregate over the published services before anything is rendered, and
a matching If-None-Match or If-Modified-Since gets a 304. The list of services includes
"open now", which changes with the clock alone, so its validators also change every
minute. HSDS carries schedules, not "open now", so its validators follow the data
alone (unless filtered with open=1).
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from hashlib import sha256
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Count, Max, QuerySet
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from hotline.api import openapi
from hotline.api.cors import public_cors
from hotline.http import HtmxHttpRequest
from hotline.ratelimit import client_ip, hit
from services_directory import hours
from services_directory.hsds import (
    DAYS,
    export_chosen,
    service_export_id,
    with_export_data,
)
from services_directory.models import Location, OpeningHours, Postcode, Service
from services_directory.models.directory import build_schedule
from services_directory.search import PublicMatch, SearchForm, location_json, public_order
from services_directory.validators import format_phone

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# Short, because "open now" is computed per request (see the OpenAPI description).
MAX_AGE_SECONDS = 60
RATE_WINDOW_SECONDS = 60
TEXT_LANGUAGES: tuple[str, ...] = settings.MODELTRANSLATION_LANGUAGES
SUMMARY_LANGUAGES = ("nb", "en")

_METHODS = ["GET", "HEAD", "OPTIONS"]


# --- Input -----------------------------------------------------------------------------


class Unsupported(forms.Field):
    """A desk parameter the public API refuses. Refused rather than ignored, so a portal
    never takes an unfiltered list for a filtered one."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def validate(self, value) -> None:
        if value not in self.empty_values:
            raise ValidationError(
                _("This parameter is not available in the public API."), code="unsupported"
            )


class PublicSearchForm(SearchForm):
    """The desk's filters, paginated. ``q`` is refused because its typo tolerance differs
    between databases (not a stable public contract); ``at`` because ``open`` and
    ``open_now`` mean now; ``limit`` because ``page_size`` replaces it."""

    # Django lets a subclass replace a declared field; mypy sees a changed type.
    q = Unsupported()  # type: ignore[assignment]
    at = Unsupported()  # type: ignore[assignment]
    limit = Unsupported()  # type: ignore[assignment]
    page = forms.IntegerField(min_value=1, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    def clean(self):
        data = super().clean()
        data["page"] = data.get("page") or 1
        data["page_size"] = data.get("page_size") or DEFAULT_PAGE_SIZE
        return data


class PublicHSDSForm(PublicSearchForm):
    # The HSDS API specification calls the page size per_page; accept its name too.
    per_page = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    def clean(self):
        per_page = self.cleaned_data.get("per_page")
        if per_page and self.cleaned_data.get("page_size"):
            self.add_error("per_page", _("Give page_size or per_page, not both."))
        elif per_page:
            self.cleaned_data["page_size"] = per_page
        return super().clean()


def _bad_request(form: SearchForm) -> JsonResponse:
    return JsonResponse({"errors": form.error_dict()}, status=400)


def _not_found(field: str, message) -> JsonResponse:
    return JsonResponse({"errors": {field: [str(message)]}}, status=404)


# --- Reads -----------------------------------------------------------------------------


def _public() -> QuerySet[Service]:
    # Published (drafts never leave) and active: temporarily closed services are left out
    # because a portal must not send anyone to them.
    return Service.objects.published().filter(status=Service.Status.ACTIVE)


def _page(data: dict, at: datetime):
    """The requested page of the public order (None past the end; page 1 always exists,
    even empty), its services in that order with their matches, and the caller's place."""
    matches, municipality = public_order(data, at)
    page = _paginate(matches, data)
    if page is None:
        return None, [], municipality
    wanted: list[PublicMatch] = list(page.object_list)
    rows = with_export_data(_public().filter(pk__in=[match.pk for match in wanted]))
    by_pk = {service.pk: service for service in rows}
    # A service unpublished since the index looked is left out of this page.
    found = [(by_pk[match.pk], match) for match in wanted if match.pk in by_pk]
    return page, found, municipality


def _paginate(queryset, data: dict) -> Page | None:
    """The requested page; None if it does not exist. Page 1 always exists, even empty."""
    paginator = Paginator(queryset, data["page_size"])
    try:
        return paginator.page(data["page"])
    except EmptyPage:
        return None


def _page_url(request: HtmxHttpRequest, number: int | None) -> str | None:
    if number is None:
        return None
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


# --- Conditional GET -------------------------------------------------------------------


def _directory_state() -> tuple[datetime | None, int]:
    """Newest change and size of the public directory. Every save of a service moves its
    updated_at, so an edit or a service joining the list changes the newest time; one
    leaving (unpublished, closed, deleted) changes the count."""
    state = _public().aggregate(newest=Max("updated_at"), count=Count("pk"))
    return state["newest"], state["count"]


def _etag(*parts: object) -> str:
    # The OpenAPI document's hash is mixed in so a release that changes the output
    # invalidates what portals hold.
    text = "|".join(str(part) for part in (OPENAPI_ETAG, *parts))
    return quote_etag(sha256(text.encode()).hexdigest()[:32])


def _latest(*moments: datetime | None) -> datetime | None:
    return max((moment for moment in moments if moment), default=None)


def _conditional(
    request: HtmxHttpRequest,
    etag: str,
    last_modified: datetime | None,
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """304 when the client's copy is current, else ``render()``; both carry the validators
    and the cache policy. The validators are read before the body, so a change in between
    costs a client one extra download, never a missed change."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        response = render()
    # Errors (a page past the end, a failed If-Match) get no validators to revalidate.
    if response.status_code in (200, 304):
        response["ETag"] = etag
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        response["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    return response


# --- Decorators ------------------------------------------------------------------------


def throttled(view: Callable) -> Callable:
    """At most PUBLIC_API_RATE_LIMIT requests a minute from one address; then a 429."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        retry_after = hit(
            "public-api",
            client_ip(request),
            settings.PUBLIC_API_RATE_LIMIT,
            RATE_WINDOW_SECONDS,
        )
        if retry_after is None:
            return view(request, *args, **kwargs)
        response = JsonResponse(
            {"errors": {"__all__": [str(_("Too many requests. Wait a minute and try again."))]}},
            status=429,
        )
        response["Retry-After"] = str(retry_after)
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


# --- Output ----------------------------------------------------------------------------


def _texts(instance, field_name: str) -> dict[str, str]:
    """The field in every content language that has text."""
    return {
        code: text for code in TEXT_LANGUAGES if (text := getattr(instance, f"{field_name}_{code}"))
    }


def _clock(value) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _span(span: hours.Span) -> dict:
    return {"opens": _clock(span.opens), "closes": _clock(span.closes)}


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment, hours.OSLO).isoformat() if moment else None


def _hours(schedule: hours.Schedule, at: datetime) -> dict:
    open_now = schedule.is_open(at)
    today = timezone.localtime(at, hours.OSLO).date()
    weekly = sorted({(rule.weekday, rule.span) for rule in schedule.weekly})
    return {
        "weekly": [{"day": DAYS[day], **_span(span)} for day, span in weekly],
        "holiday_policy": schedule.holiday_policy.value,
        "public_holidays": [_span(span) for span in sorted(schedule.holiday_spans)],
        # Past exceptions no longer say anything about when to call.
        "exceptions": [
            {
                "from": exception.start.isoformat(),
                "to": exception.end.isoformat(),
                "spans": [_span(span) for span in exception.spans],
            }
            for exception in schedule.exceptions
            if exception.end >= today
        ],
        "summary": {language: schedule.summary(language) for language in SUMMARY_LANGUAGES},
        "always_open": schedule.is_always_open(),
        "open_now": open_now,
        "opens_next": None if open_now else _iso(schedule.next_opening(at)),
        "closes_at": _iso(schedule.closes_at(at)) if open_now else None,
    }


def _channel_hours(rows: list[OpeningHours], holiday_policy: str, at: datetime) -> dict | None:
    """A channel's own hours; None when it follows the service's."""
    return _hours(build_schedule(rows, holiday_policy), at) if rows else None


def _channels(service: Service, at: datetime) -> tuple[list[dict], list[dict]]:
    own_rows: dict[int, list[OpeningHours]] = {}
    for row in service.opening_hours.all():
        if row.channel_id is not None:
            own_rows.setdefault(row.channel_id, []).append(row)
    phones, others = [], []
    for channel in sorted(service.channels.all(), key=lambda c: (c.position, c.pk)):
        own = _channel_hours(own_rows.get(channel.pk, []), service.holiday_policy, at)
        description = _texts(channel, "description")
        if channel.is_phone:
            phones.append(
                {
                    "kind": channel.kind,
                    "number": channel.value,
                    "display": format_phone(channel.value),
                    "description": description,
                    "hours": own,
                }
            )
        else:
            others.append(
                {
                    "kind": channel.kind,
                    "value": channel.value,
                    "description": description,
                    "hours": own,
                }
            )
    return phones, others


def _public_locations(service: Service) -> list[Location]:
    return sorted(
        (loc for loc in service.locations.all() if not loc.is_confidential),
        key=lambda loc: loc.pk,
    )


def _location(location: Location, places: dict[str, str]) -> dict:
    municipality = location.municipality
    return {
        "name": location.name or None,
        "address": location.address or None,
        "postcode": location.postcode or None,
        "place": places.get(location.postcode),
        "municipality": {"number": municipality.number, "name": municipality.name},
        "county": {"number": municipality.county.number, "name": municipality.county.name},
        "latitude": location.latitude,
        "longitude": location.longitude,
    }


def _service(service: Service, at: datetime, places: dict[str, str], found: PublicMatch) -> dict:
    phones, channels = _channels(service, at)
    organization = service.organization
    match = None
    if found.coverage is not None:
        distance = found.distance_km
        match = {
            "coverage": found.coverage.code,
            "distance_km": None if distance is None else round(distance, 1),
        }
    return {
        "id": service.pk,
        "hsds_id": service_export_id(service),
        "name": _texts(service, "name"),
        "description": _texts(service, "description"),
        "status": service.status,
        "organization": {
            "name": organization.name,
            "url": organization.url or None,
            "organization_number": organization.organization_number or None,
        },
        "service_types": [term.code for term in service.service_types.all()],
        "topics": [term.code for term in service.topics.all()],
        "target_groups": [term.code for term in service.target_groups.all()],
        "accessibility": [term.code for term in service.accessibility.all()],
        "languages": sorted(language.code for language in service.languages.all()),
        "min_age": service.min_age,
        "max_age": service.max_age,
        "free_of_charge": service.free_of_charge,
        "anonymous_contact": service.anonymous_contact,
        "police_report_required": service.police_report_required,
        "coverage": {
            "whole_country": service.covers_whole_country,
            "counties": sorted(county.number for county in service.coverage_counties.all()),
            "municipalities": sorted(m.number for m in service.coverage_municipalities.all()),
        },
        "hours": _hours(service.schedule(), at),
        "phones": phones,
        "channels": channels,
        "locations": [_location(loc, places) for loc in _public_locations(service)],
        "match": match,
        "updated_at": _iso(service.updated_at),
    }


def _places(services: list[Service]) -> dict[str, str]:
    """Postal place by postcode for the public locations on a page, in one query."""
    codes = {loc.postcode for s in services for loc in _public_locations(s) if loc.postcode}
    return dict(Postcode.objects.filter(code__in=codes).values_list("code", "place"))


# --- Views -----------------------------------------------------------------------------


@require_http_methods(_METHODS)
@login_not_required
@public_cors
@throttled
def services(request: HtmxHttpRequest) -> HttpResponse:
    form = PublicSearchForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    data = form.cleaned_data
    at = timezone.now()
    newest, count = _directory_state()
    # open_now and its kin change with the clock alone: the representation is new every
    # minute at the latest, so the validators say so.
    minute = at.replace(second=0, microsecond=0)
    etag = _etag(request.path, request.META.get("QUERY_STRING", ""), newest, count, minute)
    last_modified = _latest(newest, minute)

    def render() -> HttpResponse:
        page, found, municipality = _page(data, at)
        if page is None:
            return _not_found("page", _("That page does not exist."))
        places = _places([service for service, _match in found])
        return JsonResponse(
            {
                "count": page.paginator.count,
                "next": _page_url(request, page.next_page_number() if page.has_next() else None),
                "previous": _page_url(
                    request, page.previous_page_number() if page.has_previous() else None
                ),
                "at": _iso(at),
                "location": location_json(municipality),
                "results": [_service(s, at, places, match) for s, match in found],
            }
        )

    return _conditional(request, etag, last_modified, render)


@require_http_methods(_METHODS)
@login_not_required
@public_cors
@throttled
def hsds_services(request: HtmxHttpRequest) -> HttpResponse:
    form = PublicHSDSForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    data = form.cleaned_data
    at = timezone.now()
    newest, count = _directory_state()
    # HSDS carries schedules, not "open now", so only open=1 makes the list change with
    # the clock; then the validators change every minute, as for the native list.
    minute = at.replace(second=0, microsecond=0) if data.get("open") else None
    etag = _etag(request.path, request.META.get("QUERY_STRING", ""), newest, count, minute)
    last_modified = _latest(newest, minute)

    def render() -> HttpResponse:
        page, found, _municipality = _page(data, at)
        if page is None:
            return _not_found("page", _("That page does not exist."))
        contents = export_chosen([service for service, _match in found])
        return JsonResponse(
            {
                "total_items": page.paginator.count,
                "total_pages": page.paginator.num_pages,
                "page_number": page.number,
                "size": len(contents),
                "first_page": not page.has_previous(),
                "last_page": not page.has_next(),
                "empty": not contents,
                "contents": contents,
            }
        )

    return _conditional(request, etag, last_modified, render)


@require_http_methods(_METHODS)
@login_not_required
@public_cors
@throttled
def hsds_service(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    updated_at = _public().filter(pk=pk).values_list("updated_at", flat=True).first()
    if updated_at is None:
        # Drafts, closed services and unknown ids look the same from outside.
        return _not_found("id", _("There is no published service with this id."))

    def render() -> HttpResponse:
        service = with_export_data(_public().filter(pk=pk)).first()
        if service is None:  # unpublished a moment ago
            return _not_found("id", _("There is no published service with this id."))
        return JsonResponse(export_chosen([service])[0])

    return _conditional(request, _etag(request.path, updated_at), updated_at, render)


@require_http_methods(_METHODS)
@login_not_required
@public_cors
@throttled
def not_found(request: HtmxHttpRequest, rest: str) -> HttpResponse:
    return _not_found("__all__", _("There is no such address in the public API."))


OPENAPI_BODY = json.dumps(openapi.DOCUMENT, ensure_ascii=False).encode()
OPENAPI_ETAG = sha256(OPENAPI_BODY).hexdigest()[:32]
# The document changes only with a release; its source file's age says when.
OPENAPI_MODIFIED = datetime.fromtimestamp(int(Path(openapi.__file__).stat().st_mtime), UTC)


@require_http_methods(_METHODS)
@login_not_required
@public_cors
@throttled
def openapi_document(request: HtmxHttpRequest) -> HttpResponse:
    return _conditional(
        request,
        quote_etag(OPENAPI_ETAG),
        OPENAPI_MODIFIED,
        lambda: HttpResponse(OPENAPI_BODY, content_type="application/json"),
    )
