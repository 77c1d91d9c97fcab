"""CORS for the public API: any web page may read it, none may send credentials.

The data is public, so every origin is allowed (``*``). Browsers refuse credentialed
requests to a ``*`` origin, so no cookie or login ever rides along; that is the point,
and why there is no ``Access-Control-Allow-Credentials``. A dependency would add nothing
for a read-only API with no per-origin rules.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpResponse

ALLOW_METHODS = "GET, HEAD, OPTIONS"
# The validators a portal sends to poll cheaply; they are not CORS-safelisted.
ALLOW_HEADERS = "If-None-Match, If-Modified-Since"
# Scripts may read only safelisted response headers unless told otherwise; a poller needs
# ETag for its next If-None-Match, and a throttled client needs Retry-After.
EXPOSE_HEADERS = "ETag, Retry-After"
PREFLIGHT_MAX_AGE = 24 * 3600


def public_cors(view: Callable) -> Callable:
    """Answer preflights (OPTIONS) with 204 and open every other response, errors
    included, to scripts on any origin."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOW_METHODS
            response["Access-Control-Allow-Methods"] = ALLOW_METHODS
            response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
            response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        else:
            response = view(request, *args, **kwargs)
            response["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped
