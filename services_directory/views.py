from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.roles import Role, role_required
from hotline.http import HtmxHttpRequest
from services_directory.models import Service

HistoricalService = Service.history.model  # type: ignore[attr-defined]
DUE_SOON_DAYS = 30


def _dashboard_context() -> dict:
    today = timezone.localdate()
    # Closed-down services need no review and are not "incomplete".
    services = (
        Service.objects.exclude(status=Service.Status.INACTIVE)
        .select_related("organization")
        .order_by("next_review_due", "name")
    )
    return {
        "today": today,
        "due_soon_days": DUE_SOON_DAYS,
        "overdue": services.review_overdue(today),
        "due_soon": services.review_due_within(today, DUE_SOON_DAYS),
        "without_hours": services.without_hours(),
        "without_coverage": services.without_coverage(),
        "drafts": services.filter(is_published=False),
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
    service = get_object_or_404(Service.objects.prefetch_related("service_types"), pk=pk)
    service.mark_verified(request.user)
    message = _("“%(name)s” marked as verified today. Next review: %(date)s.") % {
        "name": service.name,
        "date": service.next_review_due.strftime("%d.%m.%Y"),  # type: ignore[union-attr]
    }
    if request.htmx:
        context = {**_dashboard_context(), "flash": message}
        return render(request, "directory/dashboard.html#reviews", context)
    messages.success(request, message)
    return redirect("directory:dashboard")
