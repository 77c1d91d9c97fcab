from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.messages.constants import DEFAULT_TAGS
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from simple_history.utils import get_history_model_for_model

from hotline.accounts.roles import Role, role_required
from hotline.guide.models import Article
from hotline.http import HtmxHttpRequest, redirect_to_next, safe_next_url
from services_directory.forms import ErrorReportForm, ResolveErrorReportForm
from services_directory.models import (
    ConfirmationLink,
    DirectoryCheck,
    ErrorReport,
    Service,
    ServiceProposal,
)
from services_directory.models.capacity import shelter_overview

HistoricalService = get_history_model_for_model(Service)
DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class JustVerified:
    """A service "Verified today" was pressed on, and where it was listed before."""

    service: Service
    section: str | None  # "overdue", "due_soon", or None when it was in neither
    position: int


def _under_review(services, today: date, verified: JustVerified | None, section: str) -> list:
    """One of the review tables. The rows show what "Verified today" confirms: the
    phone numbers and today's hours. A service just verified from this table keeps its
    place in it, marked, so the editor's focus stays where it was."""
    rows = list(services.prefetch_related("channels", "opening_hours"))
    if verified is not None and verified.section == section:
        rows.insert(min(verified.position, len(rows)), verified.service)
    for service in rows:
        service.hours_today = service.hours_on(today)
    return rows


def _review_section(service: Service, today: date) -> tuple[str | None, int]:
    """Which review table lists ``service`` now ("overdue", "due_soon" or None), and
    where in it."""
    services = _reviewable()
    for section, queryset in (
        ("overdue", services.review_overdue(today)),
        ("due_soon", services.review_due_within(today, DUE_SOON_DAYS)),
    ):
        pks = list(queryset.values_list("pk", flat=True))
        if service.pk in pks:
            return section, pks.index(service.pk)
    return None, 0


def _reviewable():
    # Closed-down services need no review and are not "incomplete".
    return (
        Service.objects.exclude(status=Service.Status.INACTIVE)
        .select_related("organization")
        .order_by("next_review_due", "name")
    )


def _dashboard_context(verified: JustVerified | None = None) -> dict:
    today = timezone.localdate()
    services = _reviewable()
    overdue = services.review_overdue(today)
    due_soon = services.review_due_within(today, DUE_SOON_DAYS)
    return {
        "today": today,
        "due_soon_days": DUE_SOON_DAYS,
        "verified": verified,
        "overdue": _under_review(overdue, today, verified, "overdue"),
        "overdue_count": overdue.count(),
        "due_soon": _under_review(due_soon, today, verified, "due_soon"),
        "due_soon_count": due_soon.count(),
        "without_hours": services.without_hours(),
        "without_phone": services.without_phone(),
        "without_coverage": services.without_coverage(),
        "drafts": services.filter(is_published=False),
        "error_reports": ErrorReport.objects.queue(),
        "proposals": ServiceProposal.objects.pending().select_related("service__organization"),
        "not_confirmed": ConfirmationLink.objects.not_confirmed(timezone.now())
        .select_related("service__organization")
        .order_by("requested_at", "pk"),
        "shelters": shelter_overview(services),
        "check_problems": DirectoryCheck.objects.problems().select_related("service"),
        "last_check": DirectoryCheck.objects.aggregate(at=Max("checked_at"))["at"],
        "articles_due": Article.objects.needing_review(today, DUE_SOON_DAYS),
        "recent_changes": HistoricalService.objects.select_related("history_user").order_by(
            "-history_date"
        )[:15],
    }


@require_GET
@role_required(Role.EDITOR)
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "directory/dashboard.html", _dashboard_context())


@require_POST
@role_required(Role.EDITOR)
def verify_service(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.select_related("organization").prefetch_related(
            "service_types", "channels", "opening_hours"
        ),
        pk=pk,
    )
    verified = JustVerified(service, *_review_section(service, timezone.localdate()))
    next_review = service.mark_verified(request.user)
    message = _("“%(name)s” marked as verified today. Next review: %(date)s.") % {
        "name": service.name,
        "date": next_review.strftime("%d.%m.%Y"),
    }
    if request.htmx:
        context = {**_dashboard_context(verified=verified), "flash": message}
        return render(request, "directory/dashboard.html#reviews", context)
    messages.success(request, message)
    return redirect("directory:dashboard")


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR, Role.EDITOR)
def report_error(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    # Only what operators can see can be reported (drafts and closed entries are hidden).
    service = get_object_or_404(Service.objects.published().select_related("organization"), pk=pk)
    # Ids per service: several desk result cards on one page may each hold this form.
    auto_id = f"report-{service.pk}-%s"
    template = "directory/report_error.html#form" if request.htmx else "directory/report_error.html"
    if request.method == "GET":
        next_url = safe_next_url(request, request.GET.get("next", ""))
        form = ErrorReportForm(initial={"next": next_url}, auto_id=auto_id)
        context = {"service": service, "form": form, "back_url": next_url or reverse("home")}
        return render(request, template, context)

    form = ErrorReportForm(request.POST, auto_id=auto_id)
    if not form.is_valid():
        next_url = safe_next_url(request, form.data.get("next", ""))
        context = {"service": service, "form": form, "back_url": next_url or reverse("home")}
        return render(request, template, context, status=400)
    ErrorReport.report(service, form.cleaned_data["kind"])
    if request.htmx:
        return render(request, "directory/report_error.html#done", {"service": service})
    messages.success(request, _("Thank you – the editors will check this entry."))
    return redirect_to_next(request, form.cleaned_data["next"], "home")


def _error_queue_response(
    request: HtmxHttpRequest, message: str, level: int, status: int = 200
) -> HttpResponse:
    context = {
        **_dashboard_context(),
        "queue_flash": message,
        "queue_flash_level": DEFAULT_TAGS[level],
    }
    if request.htmx:
        return render(request, "directory/dashboard.html#error_queue", context, status=status)
    if status >= 400:
        return render(request, "directory/dashboard.html", context, status=status)
    messages.add_message(request, level, message)
    return redirect("directory:dashboard")


@require_POST
@role_required(Role.EDITOR)
def resolve_error_report(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ErrorReport.objects.select_related("service"), pk=pk)
    form = ResolveErrorReportForm(request.POST)
    if not form.is_valid():
        return _error_queue_response(
            request, " ".join(map(str, form.errors["status"])), messages.ERROR, status=400
        )
    status = form.cleaned_data["status"]
    try:
        report.resolve(request.user, status)
    except ValidationError as error:
        # Another editor got there first; the queue they now see is already right.
        return _error_queue_response(request, " ".join(error.messages), messages.WARNING)
    if status == ErrorReport.Status.FIXED:
        message = _("“%(name)s”: the report is marked as fixed.")
    else:
        message = _("“%(name)s”: the report is marked as not an error.")
    return _error_queue_response(request, message % {"name": report.service.name}, messages.SUCCESS)
