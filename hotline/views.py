import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from hotline.accounts.roles import Role, user_roles
from hotline.http import API_PREFIX, PUBLIC_API_PREFIX, HtmxHttpRequest


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Send each role to its own landing page; let multi-role users choose."""
    roles = [role for role in Role if role in user_roles(request.user)]
    if len(roles) == 1:
        return redirect(roles[0].home_url_name)
    return render(request, "home.html", {"roles": roles}, status=200 if roles else 403)


@require_GET
def about(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "about.html")


@login_not_required
@require_GET
def healthz(request: HtmxHttpRequest) -> HttpResponse:
    # Bland on purpose: an open endpoint must not describe the system.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


UNAVAILABLE = _("The service is unavailable for a moment. Try again shortly.")
SERVER_ERROR = _("Something went wrong. Try again shortly.")
# Seconds a client is asked to wait when the database cannot be reached.
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a JSON error for the APIs; a 503 with Retry-After when the database
    cannot be reached (a restart or fail-over passes, a bug does not).

    Called while the exception is being handled, so ``sys.exc_info()`` holds it. The
    pages are static: with the database down, no session or user can be read to draw
    the usual layout.
    """
    exception = sys.exc_info()[1]
    unavailable = isinstance(exception, OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if request.path.startswith(API_PREFIX):
        message = UNAVAILABLE if unavailable else SERVER_ERROR
        response: HttpResponse = JsonResponse(
            {"errors": {"__all__": [str(message)]}}, status=status
        )
        if request.path.startswith(PUBLIC_API_PREFIX):
            # The portal's scripts must be able to read the error (hotline/api/cors.py).
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "Retry-After"
    else:
        template = loader.get_template("503.html" if unavailable else "500.html")
        response = HttpResponse(template.render(), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # The public API is otherwise cacheable (hotline.middleware.NoStoreMiddleware): an
    # error must not be kept in place of its answer.
    add_never_cache_headers(response)
    return response
