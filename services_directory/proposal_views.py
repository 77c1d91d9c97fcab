"""The editors' side of self-confirmation (issue 24): sending a service its link, and
deciding on what services propose. Nothing a service proposes is published until an
editor accepts it here."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hotline.accounts.roles import Role, role_required
from hotline.audit.models import AuditEvent
from hotline.http import HtmxHttpRequest
from services_directory import self_confirmation
from services_directory.forms import RejectProposalForm, ReviewProposalForm
from services_directory.models import ConfirmationLink, Service, ServiceProposal


def _link_page(request: HtmxHttpRequest, service: Service, status: int = 200) -> HttpResponse:
    context = {
        "service": service,
        "link": ConfirmationLink.objects.filter(service=service).first(),
        "pending": ServiceProposal.objects.pending().filter(service=service).first(),
    }
    return render(request, "directory/confirmation_link.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.EDITOR)
def confirmation_link(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: whether the service was asked, and when. POST: e-mail it a new link now (the
    old one stops working)."""
    service = get_object_or_404(
        Service.objects.exclude(status=Service.Status.INACTIVE).select_related("organization"),
        pk=pk,
    )
    if request.method == "GET":
        return _link_page(request, service)
    if not service.contact_email:
        messages.error(
            request, _("Give the service a contact e-mail for the directory first (in the editor).")
        )
        return _link_page(request, service, status=400)
    try:
        # The configured address where there is one: a link must not point at
        # whatever host name the editor's request happened to use.
        base = settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")
        self_confirmation.send_link(service, base, request.user, request)
    except OSError:
        messages.error(request, _("The e-mail could not be sent. Nothing was changed; try again."))
        return _link_page(request, service, status=503)
    messages.success(
        request,
        _("A new link was e-mailed to %(email)s. Any earlier link no longer works.")
        % {"email": service.contact_email},
    )
    return redirect("directory:confirmation_link", pk=service.pk)


@require_POST
@role_required(Role.EDITOR)
def revoke_confirmation_link(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ConfirmationLink.objects.select_related("service"), service_id=pk)
    try:
        with transaction.atomic():
            link.revoke()
            AuditEvent.record(
                AuditEvent.Kind.CONFIRMATION_LINK_REVOKED, request, service=link.service
            )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, _("The link is revoked and no longer works."))
    return redirect("directory:confirmation_link", pk=pk)


def _proposal_context(proposal: ServiceProposal) -> dict:
    service = self_confirmation.entry_service(proposal.service_id)
    current = self_confirmation.public_entry(service)
    rows = self_confirmation.diff_rows(current, proposal.changes)
    return {
        "proposal": proposal,
        "service": service,
        "current": current,
        "rows": rows,
        "groups": [(row["group"], row["label"]) for row in rows],
    }


def _review_form(proposal: ServiceProposal, context: dict, data=None) -> ReviewProposalForm:
    proposed = {**context["current"], **proposal.changes}
    initial = {
        **ReviewProposalForm.initial_from(proposed),
        "accept": [group for group, _label in context["groups"]],
        "loaded_version": context["service"].version,
    }
    return ReviewProposalForm(data, initial=initial, groups=context["groups"], prefix="review")


def _render_proposal(request, proposal, context, review=None, reject=None, status=200):
    context = {
        **context,
        "review_form": review or _review_form(proposal, context),
        "reject_form": reject or RejectProposalForm(prefix="reject"),
    }
    return render(request, "directory/proposal.html", context, status=status)


@require_http_methods(["GET"])
@role_required(Role.EDITOR)
def proposal(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The proposal beside the entry as it is now, with the editor's two answers."""
    item = get_object_or_404(ServiceProposal.objects.select_related("service"), pk=pk)
    return _render_proposal(request, item, _proposal_context(item))


@require_POST
@role_required(Role.EDITOR)
def accept_proposal(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ServiceProposal.objects.select_related("service"), pk=pk)
    context = _proposal_context(item)
    form = _review_form(item, context, request.POST)
    if not form.is_valid():
        return _render_proposal(request, item, context, review=form, status=400)
    try:
        self_confirmation.accept(
            item,
            form.entry(),
            form.cleaned_data["accept"],
            request.user,
            form.cleaned_data["loaded_version"],
            request,
        )
    except self_confirmation.StaleEntry:
        form.add_error(
            None,
            _(
                "Someone else saved this service while you were reviewing. Nothing was "
                "saved. Reload the proposal to see the entry as it is now."
            ),
        )
        return _render_proposal(request, item, context, review=form, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _render_proposal(request, item, context, review=form, status=400)
    messages.success(
        request,
        _("“%(name)s”: the accepted changes are saved and operators see them now.")
        % {"name": item.service.name},
    )
    return redirect("directory:dashboard")


@require_POST
@role_required(Role.EDITOR)
def reject_proposal(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ServiceProposal.objects.select_related("service"), pk=pk)
    form = RejectProposalForm(request.POST, prefix="reject")
    if not form.is_valid():
        return _render_proposal(request, item, _proposal_context(item), reject=form, status=400)
    try:
        self_confirmation.reject(item, form.cleaned_data["reason"], request.user, request)
    except ValidationError as error:
        form.add_error(None, error)
        return _render_proposal(request, item, _proposal_context(item), reject=form, status=400)
    messages.success(
        request, _("“%(name)s”: the proposal is rejected.") % {"name": item.service.name}
    )
    return redirect("directory:dashboard")
