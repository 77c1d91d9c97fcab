"""Free places at shelters: the shelter staff's link page, and the editors' link management.

The link page is the only page open without a login besides the login page itself. It
grants nothing but its one form: no session, no account, no other page. Every way a
token can fail (never existed, revoked, rotated, malformed, the service closed) gives
the same 404, so the page tells a guesser nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages.constants import DEFAULT_TAGS
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hotline.accounts.roles import Role, role_required
from hotline.audit.models import AuditEvent
from hotline.http import HtmxHttpRequest
from hotline.ratelimit import client_ip, hit
from services_directory.forms import CapacityForm
from services_directory.models import CapacityLink, Service, ShelterCapacity
from services_directory.models.capacity import reports_capacity

# Staff update a handful of times a day; this only slows down someone guessing tokens.
RATE_LIMIT = 20
RATE_WINDOW_SECONDS = 60


def _throttled(request: HtmxHttpRequest, token: str) -> int | None:
    # Per address, so one client cannot try many tokens; per token, so many clients
    # cannot hammer one link. Counted before the lookup, so unknown tokens count too.
    return hit("capacity:ip", client_ip(request), RATE_LIMIT, RATE_WINDOW_SECONDS) or hit(
        "capacity:token", token, RATE_LIMIT, RATE_WINDOW_SECONDS
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def update_capacity(request: HtmxHttpRequest) -> HttpResponse:
    token = request.GET.get("key", "")[:100]
    retry_after = _throttled(request, token)
    if retry_after:
        response = render(request, "capacity/too_many.html", status=429)
        response["Retry-After"] = str(retry_after)
        return response
    service = CapacityLink.service_for_token(token)
    if service is None:
        raise Http404
    current = ShelterCapacity.objects.filter(service=service).first()
    context: dict[str, object] = {
        "service": service,
        "current": current.for_desk() if current else None,
    }

    if request.method == "GET":
        context["form"] = CapacityForm(instance=current)
        return render(request, "capacity/update.html", context)

    form = CapacityForm(request.POST, instance=current or ShelterCapacity(service=service))
    if not form.is_valid():
        return render(request, "capacity/update.html", {**context, "form": form}, status=400)
    ShelterCapacity.report(
        service,
        status=form.cleaned_data["status"],
        women=form.cleaned_data["women"],
        men=form.cleaned_data["men"],
        families=form.cleaned_data["families"],
    )
    messages.success(request, _("Thank you – operators now see the new figures."))
    # Back to the same page: a reload must not send the figures again.
    return redirect(request.get_full_path())


def _shelter_or_404(pk: int) -> Service:
    service: Service = get_object_or_404(Service.objects.select_related("organization"), pk=pk)
    if not reports_capacity(service):
        raise Http404
    return service


def _link_page(
    request: HtmxHttpRequest, service: Service, extra: dict | None = None
) -> HttpResponse:
    link = CapacityLink.objects.filter(service=service).select_related("created_by").first()
    capacity = ShelterCapacity.objects.filter(service=service).first()
    context = {
        "service": service,
        "link": link,
        "capacity": capacity.for_desk() if capacity else None,
        **(extra or {}),
    }
    template = "capacity/link.html#panel" if request.htmx else "capacity/link.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@never_cache
@role_required(Role.EDITOR)
def capacity_link(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the link's state. POST: create the link, or replace it with a new one."""
    service = _shelter_or_404(pk)
    if request.method == "GET":
        return _link_page(request, service)
    with transaction.atomic():  # no link without its audit event
        replaced = CapacityLink.objects.filter(service=service, revoked_at__isnull=True).exists()
        _link, token = CapacityLink.issue(service, request.user)
        AuditEvent.record(
            AuditEvent.Kind.CAPACITY_LINK_CREATED,
            request,
            service=service,
            details={"replaced": replaced},
        )
    # Shown in this response only: the token is not stored anywhere we could show it again.
    url = request.build_absolute_uri(f"{reverse('capacity:update')}?{urlencode({'key': token})}")
    return _link_page(request, service, {"new_url": url})


@require_POST
@role_required(Role.EDITOR)
def revoke_capacity_link(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    service = _shelter_or_404(pk)
    link = get_object_or_404(CapacityLink, service=service)
    try:
        with transaction.atomic():
            link.revoke()
            AuditEvent.record(AuditEvent.Kind.CAPACITY_LINK_REVOKED, request, service=service)
    except ValidationError as error:
        level, message = messages.WARNING, " ".join(error.messages)
    else:
        level = messages.SUCCESS
        message = _("The link for “%(name)s” is revoked and no longer works.") % {
            "name": service.name
        }
    if request.htmx:
        return _link_page(request, service, {"flash": message, "flash_level": DEFAULT_TAGS[level]})
    messages.add_message(request, level, message)
    return redirect("directory:capacity_link", pk=service.pk)
