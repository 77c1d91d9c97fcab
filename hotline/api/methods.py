"""The public API's methods: GET, HEAD and OPTIONS; anything else is a JSON 405.

The API is read-only and sends no cookies, so it is exempt from CSRF: otherwise a POST
would meet Django's HTML CSRF page (403) before the method check, and a portal's script
could not read why.
"""

from collections.abc import Callable
from functools import wraps

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from hotline.api.cors import ALLOW_METHODS

METHODS = ("GET", "HEAD", "OPTIONS")


def read_only(view: Callable) -> Callable:
    """A JSON 405 with ``Allow`` for any method but GET, HEAD and OPTIONS."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in METHODS:
            response = JsonResponse(
                {"errors": {"__all__": [str(_("The public API is read-only: use GET."))]}},
                status=405,
            )
            response["Allow"] = ALLOW_METHODS
            response["Access-Control-Allow-Origin"] = "*"
            return response
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)
