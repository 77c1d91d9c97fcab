from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hotline.accounts.roles import Role, user_roles
from hotline.http import HtmxHttpRequest


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
@never_cache
@require_GET
def healthz(request: HtmxHttpRequest) -> HttpResponse:
    # Bland on purpose: an open endpoint must not describe the system.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
