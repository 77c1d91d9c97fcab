"""The page where a service confirms or corrects its own entry (issue 24), opened from
the personal link it got by e-mail: ``/confirm/?key=<token>``, without a login.

As the capacity form (capacity_views.py), it grants nothing but its own two forms, and
every way a link can fail (expired, revoked, replaced, guessed, the service closed) gets
the same answer: the page cannot tell a guesser which. The token travels in the query
string, which the logs never record.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hotline.http import HtmxHttpRequest
from hotline.ratelimit import client_ip, hit
from services_directory import self_confirmation
from services_directory.forms import ProposalForm
from services_directory.models import ConfirmationLink, ServiceProposal

# A service answers once or twice a month; this only slows down someone guessing.
RATE_LIMIT = 20
RATE_WINDOW_SECONDS = 60


def _open_link(request: HtmxHttpRequest, token: str) -> ConfirmationLink | HttpResponse:
    """The working link ``token`` opens, or the response that refuses it."""
    # Per address and per token, counted before the lookup so unknown tokens count too.
    retry_after = hit("confirm:ip", client_ip(request), RATE_LIMIT, RATE_WINDOW_SECONDS) or hit(
        "confirm:token", token, RATE_LIMIT, RATE_WINDOW_SECONDS
    )
    if retry_after:
        response = render(request, "capacity/too_many.html", status=429)
        response["Retry-After"] = str(retry_after)
        return response
    link = ConfirmationLink.for_token(token)
    if link is None:
        return render(request, "confirm/invalid_link.html", status=404)
    return link


def _page_url(name: str, token: str) -> str:
    return f"{reverse(name)}?{urlencode({'key': token})}"


def _entry_context(link: ConfirmationLink, token: str) -> dict:
    service = self_confirmation.entry_service(link.service_id)
    entry = self_confirmation.public_entry(service)
    return {
        "service": service,
        "entry": entry,
        "shown": self_confirmation.display(entry),
        "pending": ServiceProposal.objects.pending().filter(service=service).first(),
        "entry_url": _page_url("confirm:entry", token),
        "propose_url": _page_url("confirm:propose", token),
        "confirm_url": _page_url("confirm:all_correct", token),
    }


@login_not_required
@require_http_methods(["GET"])
def entry(request: HtmxHttpRequest) -> HttpResponse:
    """The entry exactly as the public sees it, with "All correct" and "Propose changes"."""
    token = request.GET.get("key", "")[:100]
    link = _open_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    return render(request, "confirm/entry.html", _entry_context(link, token))


@login_not_required
@require_POST
def all_correct(request: HtmxHttpRequest) -> HttpResponse:
    token = request.GET.get("key", "")[:100]
    link = _open_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    next_review = self_confirmation.confirm(link)
    messages.success(
        request,
        _("Thank you! We have noted that the entry is correct. We will ask again around %(date)s.")
        % {"date": next_review.strftime("%d.%m.%Y")},
    )
    # Back to the page: a reload must not confirm again.
    return redirect(_page_url("confirm:entry", token))


@login_not_required
@require_http_methods(["GET", "POST"])
def propose(request: HtmxHttpRequest) -> HttpResponse:
    """The field-by-field form. What is sent waits for an editor; nothing is published."""
    token = request.GET.get("key", "")[:100]
    link = _open_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    context = _entry_context(link, token)
    seen = context["entry"]
    if request.method == "GET":
        form = ProposalForm(initial=ProposalForm.initial_from(seen))
        return render(request, "confirm/propose.html", {**context, "form": form})
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            self_confirmation.propose(link, seen, form.entry())
        except ValidationError as error:
            form.add_error(None, error)
    if not form.is_valid():
        return render(request, "confirm/propose.html", {**context, "form": form}, status=400)
    messages.success(
        request,
        _("Thank you! An editor at the helpline checks your changes before they are published."),
    )
    return redirect(_page_url("confirm:entry", token))
