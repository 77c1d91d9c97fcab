"""Conditional GET for the public API, so a portal can poll cheaply.

Every answer carries an ETag and a Last-Modified, both computed from one aggregate over
the public services before anything is rendered; a matching If-None-Match or
If-Modified-Since gets a 304. The list of services includes "open now", which changes
with the clock alone, so its validators also change every minute. HSDS carries
schedules, not "open now", so its validators follow the data alone (unless filtered
with open=1).
"""

from collections.abc import Callable
from datetime import datetime
from hashlib import sha256

from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from hotline.api import openapi
from hotline.api.limits import CACHE_CONTROL
from services_directory.models import Service, ServiceDeparture


def directory_state() -> tuple[datetime | None, int]:
    """Newest public change and size of the public directory. Every change to what the
    public outputs show of a service moves its public_updated_at (see
    services_directory.triggers), so an edit or a service joining the list changes the
    newest time; one leaving (unpublished, closed, deleted) writes a departure, whose time
    counts as a change too (a sync's answer holds it; a client that sends only
    If-Modified-Since must not get a 304 for it). An edit of only a confidential address
    changes neither."""
    state = Service.objects.public().aggregate(newest=Max("public_updated_at"), count=Count("pk"))
    return latest(state["newest"], ServiceDeparture.objects.newest()), state["count"]


def etag_of(*parts: object) -> str:
    """A quoted ETag for an answer made from ``parts``."""
    # The OpenAPI document's hash is mixed in so a release that changes the output
    # invalidates what portals hold.
    text = "|".join(str(part) for part in (openapi.ETAG, *parts))
    return quote_etag(sha256(text.encode()).hexdigest()[:32])


def latest(*moments: datetime | None) -> datetime | None:
    return max((moment for moment in moments if moment), default=None)


def conditional_response[R: HttpResponseBase](
    request: HttpRequest,
    etag: str,
    last_modified: datetime | None,
    render: Callable[[], R],
) -> R | HttpResponse:
    """304 when the client's copy is current, else ``render()``; both carry the validators
    and the cache policy. The validators are read before the body, so a change in between
    costs a client one extra download, never a missed change."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
    response: R | HttpResponse = render() if not_modified is None else not_modified
    # Errors (a page past the end, a failed If-Match) get no validators to revalidate.
    if response.status_code in (200, 304):
        response["ETag"] = etag
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        response["Cache-Control"] = CACHE_CONTROL
    return response
