from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hotline.accounts.roles import Role, role_required
from hotline.audit.filters import AuditFilter
from hotline.audit.models import AuditEvent
from hotline.http import HtmxHttpRequest

PAGE_SIZE = 50


@require_GET
@role_required(Role.SUPERVISOR)  # supervisors, and admins (who hold every role)
def audit_log(request: HtmxHttpRequest) -> HttpResponse:
    """The audit log, newest first, read-only."""
    queryset = AuditEvent.objects.select_related("actor", "subject", "service")
    filterset = AuditFilter(request.GET, queryset=queryset)
    context: dict = {"filter": filterset, "page": None}
    status = 200
    if filterset.is_valid():
        paginator = Paginator(filterset.qs, PAGE_SIZE)
        try:
            context["page"] = paginator.page(filterset.form.cleaned_data.get("page") or 1)
        except EmptyPage:
            raise Http404 from None
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
    else:
        status = 400
    template = "audit/log.html#results" if request.htmx else "audit/log.html"
    return render(request, template, context, status=status)
