from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from hotline.accounts.roles import Role, role_required
from hotline.calls.forms import (
    CallForm,
    CloseForm,
    ReferralForm,
    StartCallForm,
    answers_from_search,
)
from hotline.calls.models import Call
from hotline.calls.panel import PANEL_TEMPLATE, form_errors, panel_context, posted_next
from hotline.calls.services import close_call
from hotline.desk.views import render_desk
from hotline.http import HtmxHttpRequest, redirect_to_next
from services_directory.models import Service


def _open_call(request: HtmxHttpRequest) -> Call:
    # The operator's one open call (a UniqueConstraint); without one, 404. Another
    # operator's call and a closed call are therefore never reachable.
    return get_object_or_404(Call.objects.open_for(request.user))


def _panel(request: HtmxHttpRequest, status: str = "", **extra) -> HttpResponse:
    return render(request, PANEL_TEMPLATE, {**panel_context(request, status=status), **extra})


def _call_changed(response: HttpResponse) -> HttpResponse:
    """A call started or discarded in place: the desk redraws its results too, so that
    their "Add as referral" buttons come and go with the call (templates/desk/home.html)."""
    return trigger_client_event(response, "hotline:call-changed")


def _back(request: HtmxHttpRequest, message: str = "") -> HttpResponse:
    """Without htmx: back to the page the form came from (the desk by default)."""
    if message:
        messages.success(request, message)
    return redirect_to_next(request, request.POST.get("next"), "desk:home")


def _invalid(request: HtmxHttpRequest, form, **context) -> HttpResponse:
    """400 naming the fields: the panel for htmx; without it the whole desk the form came
    from, search and all, so the operator never leaves the desk mid-call."""
    context = panel_context(request, errors=form_errors(form), **context)
    if request.htmx:
        return render(request, PANEL_TEMPLATE, context, status=400)
    path = posted_next(request)
    desk = reverse("desk:home")
    # Either view of the desk: its search results or its shelter overview.
    if urlsplit(path).path not in (desk, reverse("desk:shelters")):
        path = desk
    return render_desk(request, path, QueryDict(urlsplit(path).query), context, status=400)


def _search(request: HtmxHttpRequest) -> QueryDict:
    """The desk's search when "Start call" was pressed: posted along with htmx (the
    panel includes the search form), else the query of the page the form came from."""
    if request.htmx:
        return request.POST
    return QueryDict(urlsplit(posted_next(request)).query)


@require_POST
@role_required(Role.OPERATOR)
def start(request: HtmxHttpRequest) -> HttpResponse:
    # An open call is returned as it is, so a double click never starts two.
    if not Call.objects.open_for(request.user).exists():
        form = StartCallForm(request.POST, user=request.user)
        if not form.is_valid():
            return _invalid(request, form, start_form=form)
        Call.start(request.user, form.cleaned_data["site"], answers_from_search(_search(request)))
    if request.htmx:
        return _call_changed(_panel(request, just_started=True))
    return _back(request)


@require_POST
@role_required(Role.OPERATOR)
def autosave(request: HtmxHttpRequest) -> HttpResponse:
    call = _open_call(request)
    form = CallForm(request.POST, instance=call)
    if not form.is_valid():
        return _invalid(request, form, call_form=form)
    call.update_answers(form.cleaned_data)
    if request.htmx:
        return _panel(request, status=_("Saved"))
    return _back(request, _("Saved"))


@require_POST
@role_required(Role.OPERATOR)
def close(request: HtmxHttpRequest) -> HttpResponse:
    token_form = CloseForm(request.POST)
    call = None
    if token_form.is_valid():
        call = (
            Call.objects.open_for(request.user)
            .filter(close_token=token_form.cleaned_data["token"])
            .first()
        )
    if call is None:
        # Typically the second submit of the same form: the first one already closed it.
        messages.info(request, _("This call was already saved."))
        return _to_desk(request)
    form = CallForm(request.POST, instance=call, final=True)
    if not form.is_valid():
        return _invalid(request, form, call_form=form)
    close_call(call, form.cleaned_data)
    messages.success(request, _("Call saved anonymously."))
    return _to_desk(request)


def _to_desk(request: HtmxHttpRequest) -> HttpResponse:
    # A fresh desk after a call: the next caller should not meet the last one's search.
    if request.htmx:
        return HttpResponseClientRedirect(reverse("desk:home"))
    return redirect("desk:home")


@require_POST
@role_required(Role.OPERATOR)
def discard(request: HtmxHttpRequest) -> HttpResponse:
    _open_call(request).discard()
    message = _("The call was discarded. Nothing was logged.")
    if request.htmx:
        return _call_changed(_panel(request, status=message))
    return _back(request, message)


@require_POST
@role_required(Role.OPERATOR)
def add_referral(request: HtmxHttpRequest) -> HttpResponse:
    call = _open_call(request)
    form = ReferralForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    service = form.cleaned_data["service"]
    call.add_referral(service)
    message = _("Referral to “%(name)s” added.") % {"name": service.name}
    if request.htmx:
        # The result card's button becomes "referred" too (an out-of-band swap).
        return _panel(request, status=message, just_referred=service)
    return _back(request, message)


@require_POST
@role_required(Role.OPERATOR)
def remove_referral(request: HtmxHttpRequest, service_pk: int) -> HttpResponse:
    call = _open_call(request)
    # Any service, not only published ones: it may have been unpublished since.
    service = get_object_or_404(Service, pk=service_pk)
    call.remove_referral(service)
    message = _("Referral to “%(name)s” removed.") % {"name": service.name}
    if request.htmx:
        return _panel(request, status=message)
    return _back(request, message)
