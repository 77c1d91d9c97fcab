"""The public API's rate limit: PUBLIC_API_RATE_LIMIT requests a window per address."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from hotline.api.limits import RATE_WINDOW_SECONDS
from hotline.ratelimit import client_ip, hit


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
