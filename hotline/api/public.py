"""The open, read-only API for the national web portal (no login): /api/v1/public/.

Only what the directory publishes leaves here: ``Service.objects.public()``, public
locations only (never a confidential address, nor a distance measured from one), never
an operator note. Filters are the desk's own (``SearchForm``) and the order is the one
search's (``public_order``), so the portal and the desk agree on what "open now" or
"covers Bodø" means. The JSON is in serializers.py, ETags and 304s in conditional.py,
kept answers in cached.py, the rate and concurrency limits in throttle.py; the numbers
they share in limits.py.
"""

import re
from datetime import UTC, datetime
from hashlib import sha256
from typing import NamedTuple

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, Paginator
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.http import quote_etag
from django.utils.translation import gettext_lazy as _

from hotline.api import openapi
from hotline.api.cached import cached
from hotline.api.conditional import conditional_response, directory_state, etag_of, latest
from hotline.api.cors import public_cors
from hotline.api.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from hotline.api.methods import read_only
from hotline.api.serializers import (
    departure_json,
    iso,
    location_json,
    postal_places,
    service_json,
)
from hotline.api.throttle import throttled
from hotline.http import HtmxHttpRequest
from services_directory.hsds import with_export_data
from services_directory.models import Municipality, Service, ServiceDeparture
from services_directory.search import AsciiIntegerField, PublicMatch, SearchForm, public_order

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


_RFC3339 = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


class MomentField(forms.CharField):
    """An RFC 3339 date-time (with ``Z`` or an offset), as HSDS's ``date-time``. A moment
    before or after what Python can hold in UTC is read as the earliest or latest one,
    so the filter answers for any valid input rather than failing."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        match = _RFC3339.fullmatch(value)
        if match is None:
            raise ValidationError(
                _("Give a date and time with an offset, e.g. 2026-12-24T08:00:00+01:00."),
                code="invalid",
            )
        day, clock, seconds, fraction, offset = match.groups()
        seconds = min(int(seconds), 59)  # a leap second
        text = (
            f"{day}T{clock}:{seconds:02d}{fraction or ''}{'+00:00' if offset in 'Zz' else offset}"
        )
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("This date does not exist."), code="invalid") from None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            return (
                datetime.min.replace(tzinfo=UTC)
                if moment.year < 2
                else datetime.max.replace(tzinfo=UTC)
            )


class PublicSearchForm(SearchForm):
    """The desk's filters, paginated. ``q`` is refused because its near-miss matching is
    tuned for operators and may change (not a stable public contract); ``at`` because
    ``open`` and ``open_now`` mean now; ``limit`` because ``page_size`` replaces it."""

    UNSUPPORTED = ("q", "at", "limit")

    page = AsciiIntegerField(min_value=1, required=False)
    page_size = AsciiIntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)
    changed_since = MomentField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Replaced per form rather than redeclared on the class, where a field of another
        # type would contradict the desk form's declaration.
        for name in self.UNSUPPORTED:
            self.fields[name] = Unsupported()

    def clean(self):
        data = super().clean()
        data["page"] = data.get("page") or 1
        data["page_size"] = data.get("page_size") or DEFAULT_PAGE_SIZE
        return data


def empty_parameters(request: HtmxHttpRequest) -> dict[str, list[str]]:
    """Parameters given without a value (``postcode=``): refused, because "no value"
    and "no filter" are not the same request, and a client should know which it sent."""
    return {
        name: [str(_("Give a value, or leave the parameter out."))]
        for name, values in request.GET.lists()
        if any(value == "" for value in values)
    }


def _bad_request(form: SearchForm, request: HtmxHttpRequest | None = None) -> JsonResponse:
    errors = empty_parameters(request) if request is not None else {}
    return JsonResponse({"errors": errors | form.error_dict()}, status=400)


def _not_found(field: str, message) -> JsonResponse:
    return JsonResponse({"errors": {field: [str(message)]}}, status=404)


# --- Reads -----------------------------------------------------------------------------


class Listed(NamedTuple):
    """One page of a list: the page (None past the end; page 1 always exists, even
    empty), its services in order with their matches, the departures after them, and
    the caller's place."""

    page: Page | None
    found: list[tuple[Service, PublicMatch]]
    departed: list[ServiceDeparture]
    municipality: Municipality | None


def _page(
    data: dict,
    at: datetime,
    allowed: set[int] | None = None,
    departed: list[ServiceDeparture] | None = None,
) -> Listed:
    """The requested page of the public order, only services in ``allowed`` when it is
    given, then ``departed`` (services that left since the client's last sync), so one
    sequence of pages holds both. Only the page's rows are read from the database."""
    matches, municipality = public_order(data, at)
    if allowed is not None:
        matches = [match for match in matches if match.pk in allowed]
    items: list[PublicMatch | ServiceDeparture] = [*matches, *(departed or ())]
    paginator = Paginator(items, data["page_size"])
    try:
        page = paginator.page(data["page"])
    except EmptyPage:
        return Listed(None, [], [], municipality)
    wanted = [item for item in page.object_list if isinstance(item, PublicMatch)]
    rows = with_export_data(Service.objects.public().filter(pk__in=[m.pk for m in wanted]))
    by_pk = {service.pk: service for service in rows}
    # A service unpublished since the index looked is left out of this page (it is a
    # departure on the next sync).
    found = [(by_pk[match.pk], match) for match in wanted if match.pk in by_pk]
    gone = [item for item in page.object_list if isinstance(item, ServiceDeparture)]
    return Listed(page, found, gone, municipality)


def changed_since(data: dict, key: str) -> tuple[set[int] | None, list[ServiceDeparture]]:
    """For a sync from ``data[key]`` (None: not a sync): the public services changed at
    or after that moment, and the services that left the public set since."""
    moment = data.get(key)
    if moment is None:
        return None, []
    changed = Service.objects.public().filter(public_updated_at__gte=moment)
    return set(changed.values_list("pk", flat=True)), list(ServiceDeparture.objects.since(moment))


def _page_url(request: HtmxHttpRequest, number: int | None) -> str | None:
    if number is None:
        return None
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _list_validators(
    request: HtmxHttpRequest, minute: datetime | None
) -> tuple[str, datetime | None]:
    """ETag and Last-Modified of a list: the query, the public directory's state and, for
    answers that change with the clock, the minute."""
    changed, count = directory_state()
    query = request.META.get("QUERY_STRING", "")
    return etag_of(request.path, query, changed, count, minute), latest(changed, minute)


# --- Views -----------------------------------------------------------------------------


@read_only
@login_not_required
@public_cors
@throttled
def services(request: HtmxHttpRequest) -> HttpResponse:
    form = PublicSearchForm(request.GET)
    if not form.is_valid() or empty_parameters(request):
        return _bad_request(form, request)
    data = form.cleaned_data
    at = timezone.now()
    # open_now and its kin change with the clock alone: the representation is new every
    # minute at the latest, so the validators say so.
    etag, last_modified = _list_validators(request, at.replace(second=0, microsecond=0))

    allowed, departed = changed_since(data, "changed_since")

    def render() -> HttpResponse:
        page, found, gone, municipality = _page(data, at, allowed, departed)
        if page is None:
            return _not_found("page", _("That page does not exist."))
        places = postal_places([service for service, _match in found])
        results = [service_json(s, at, places, match) for s, match in found]
        return JsonResponse(
            {
                "count": page.paginator.count,
                "next": _page_url(request, page.next_page_number() if page.has_next() else None),
                "previous": _page_url(
                    request, page.previous_page_number() if page.has_previous() else None
                ),
                "at": iso(at),
                "location": location_json(municipality),
                "results": results + [departure_json(departure) for departure in gone],
            }
        )

    return conditional_response(
        request, etag, last_modified, lambda: cached(request, (etag,), render)
    )


@read_only
@login_not_required
@public_cors
@throttled
def not_found(request: HtmxHttpRequest, rest: str) -> HttpResponse:
    return _not_found("__all__", _("There is no such address in the public API."))


@read_only
@login_not_required
@public_cors
@throttled
def openapi_document(request: HtmxHttpRequest) -> HttpResponse:
    # The vocabulary and place enums come from the database, so the body is made per
    # request and its ETag is its hash.
    body = openapi.current_body()
    return conditional_response(
        request,
        quote_etag(sha256(body).hexdigest()[:32]),
        openapi.MODIFIED,
        lambda: HttpResponse(body, content_type="application/json"),
    )
