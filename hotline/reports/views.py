"""Supervisor reports: anonymised call statistics, and CSV exports of each table.

Every figure passes the disclosure control in hotline/reports/disclosure.py; the method
is in docs/disclosure-control.md. The filters live in the URL.
"""

import csv
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from hotline.accounts.roles import Role, role_required
from hotline.audit.models import AuditEvent
from hotline.http import HtmxHttpRequest
from hotline.reports.filters import ReportFilter
from hotline.reports.gaps import GapForm, Gaps
from hotline.reports.gaps import selection as gaps_selection
from hotline.reports.models import CallStat
from hotline.reports.tables import PAGE_BY_SLUG, PAGES, TABLES, Selection, headline

# Cells a spreadsheet would run as a formula (CSV injection); tab and CR too, as some
# spreadsheets strip them before parsing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Exporting one table again and again with filters that differ in one value only (quarter
# after quarter, county after county) is how figures are collected to be combined. Fixed
# quarters leave nothing to average, but such a series is still worth a look: every
# REPEATED_EXPORTS_ALERT such exports within REPEATED_EXPORTS_WINDOW are flagged in the
# audit log (docs/disclosure-control.md, "Repeated exports").
REPEATED_EXPORTS_ALERT = 20
REPEATED_EXPORTS_WINDOW = timedelta(hours=24)
FILTERS_COMPARED = ("period", "site", "channel", "county")


def _filters(request: HtmxHttpRequest) -> ReportFilter:
    return ReportFilter(request.GET, queryset=CallStat.objects.all())


def _query(request: HtmxHttpRequest, filterset: ReportFilter) -> str:
    """The filters as submitted (and nothing else), for links between pages and to exports."""
    pairs = [(name, request.GET[name]) for name in filterset.filters if request.GET.get(name)]
    return urlencode(pairs)


@require_GET
@role_required(Role.SUPERVISOR)
def report_page(request: HtmxHttpRequest, page: str) -> HttpResponse:
    """One report page (``page``, a slug of tables.PAGES, set in urls.py): its tables for
    the filters in the URL."""
    report = PAGE_BY_SLUG[page]
    filterset = _filters(request)
    context: dict = {"page": report, "pages": PAGES, "filterset": filterset, "tables": []}
    status = 200
    if filterset.is_valid():
        selection = Selection.of(filterset)
        context.update(
            period=selection.period,
            k=selection.k,
            headline=headline(selection),
            tables=[build(selection) for build in report.tables],
            query=_query(request, filterset),
        )
    else:
        status = 400
    if not request.htmx:
        return render(request, "reports/home.html", context, status=status)
    response = render(request, "reports/home.html#results", context, status=status)
    if status != 200:
        push_url(response, False)  # keep refused input out of the browser history
    return response


def neutralise(text: str) -> str:
    """Make a cell inert in spreadsheets: a leading quote stops formula evaluation."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@require_GET
@role_required(Role.SUPERVISOR)
def export_table(request: HtmxHttpRequest, table: str) -> HttpResponse:
    """One table as CSV, exactly as published (":" for withheld), logged for audit."""
    build = TABLES.get(table)
    if build is None:
        raise Http404
    filterset = _filters(request)
    if not filterset.is_valid():
        errors = "".join(
            f"{name}: {' '.join(messages)}\n" for name, messages in filterset.errors.items()
        )
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    selection = Selection.of(filterset)
    result = build(selection)
    filters = filterset.logged_values()
    AuditEvent.record(
        AuditEvent.Kind.REPORT_EXPORTED, request, details={"table": table, "filters": filters}
    )
    _flag_repeated_exports(request, table, filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{table}_{selection.period.slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # lets spreadsheets detect UTF-8 (æøå)
    writer = csv.writer(response)
    for row in result.csv_rows():
        writer.writerow([neutralise(str(cell)) for cell in row])
    return response


def _flag_repeated_exports(request: HtmxHttpRequest, table: str, filters: dict) -> None:
    """Record an alert at every REPEATED_EXPORTS_ALERT-th near-identical export (this one
    included): same account, same table, filters that differ in at most one value."""
    since = timezone.now() - REPEATED_EXPORTS_WINDOW
    earlier = AuditEvent.objects.report_exports(request.user, table, since)
    similar = sum(
        1
        for details in earlier.values_list("details", flat=True)
        if sum(details.get("filters", {}).get(n) != filters[n] for n in FILTERS_COMPARED) <= 1
    )
    if similar and similar % REPEATED_EXPORTS_ALERT == 0:
        AuditEvent.record(
            AuditEvent.Kind.REPORT_EXPORTS_REPEATED,
            request,
            details={"table": table, "exports": similar, "filters": filters},
        )


@login_not_required
@require_GET
def open_gaps(request: HtmxHttpRequest) -> HttpResponse:
    """Unmet needs by county for one quarter, for anyone (a municipality, the field): the
    open data of /api/v1/public/gaps as a page. The same protected figures as the API."""
    form = GapForm(request.GET)
    context: dict = {"form": form}
    status = 200
    if form.is_valid():
        quarter, county = form.cleaned_data["quarter"], form.cleaned_data["county"] or None
        gaps = Gaps.of(gaps_selection(quarter))
        query = urlencode({"quarter": quarter.slug, **({"county": county} if county else {})})
        context.update(
            gaps=gaps,
            period=quarter,
            k=gaps.k,
            tables=[(table, *gaps.lines(table, county)) for table in gaps.tables],
            query=query,
        )
    else:
        status = 400
    if not request.htmx:
        return render(request, "reports/gaps.html", context, status=status)
    response = render(request, "reports/gaps.html#results", context, status=status)
    if status != 200:
        push_url(response, False)
    return response
