"""The public API's limits: PUBLIC_API_RATE_LIMIT requests a window per address, and
PUBLIC_API_SLOTS requests at once from everyone together (hotline/slots.py)."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from hotline.api.limits import RATE_WINDOW_SECONDS
from hotline.ratelimit import client_ip, hit
from hotline.slots import RETRY_AFTER_SECONDS, slot

SLOT_SCOPE = "public-api"


def _refused(status: int, message, retry_after: int) -> JsonResponse:
    response = JsonResponse({"errors": {"__all__": [str(message)]}}, status=status)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def throttled(view: Callable) -> Callable:
    """At most PUBLIC_API_RATE_LIMIT requests a minute from one address, then a 429; and
    a 503 at once while all PUBLIC_API_SLOTS are taken, so a flood of expensive pages
    waits on itself rather than on the workers."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        retry_after = hit(
            "public-api",
            client_ip(request),
            settings.PUBLIC_API_RATE_LIMIT,
            RATE_WINDOW_SECONDS,
        )
        if retry_after is not None:
            return _refused(429, _("Too many requests. Wait a minute and try again."), retry_after)
        with slot(SLOT_SCOPE, settings.PUBLIC_API_SLOTS) as free:
            if free:
                return view(request, *args, **kwargs)
        return _refused(
            503, _("The public API is busy. Try again in a moment."), RETRY_AFTER_SECONDS
        )

    return wrapped
