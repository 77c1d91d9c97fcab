"""Unmet needs by county and quarter as open data: /api/v1/public/gaps (JSON) and
/api/v1/public/gaps.csv. The figures and their protection are the reports' own
(hotline/reports/gaps.py; docs/disclosure-control.md, "Open data: unmet needs").

Not kept in the server cache (public answers there follow the directory, and these follow
the calls); the body is two small aggregates over the report summary. Its ETag is the
hash of the body, so a client that polls gets a 304 until a figure changes.
"""

import csv
from collections.abc import Callable
from hashlib import sha256

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.utils.http import quote_etag
from django.utils.translation import gettext_lazy as _

from hotline.api.conditional import conditional_response
from hotline.api.cors import public_cors
from hotline.api.methods import read_only
from hotline.api.public import empty_parameters
from hotline.api.throttle import throttled
from hotline.http import HtmxHttpRequest
from hotline.reports.gaps import GapForm, Gaps, as_csv_rows, as_json
from hotline.reports.views import neutralise


def _errors(request: HtmxHttpRequest, form: GapForm) -> dict[str, list[str]]:
    """Every refused parameter by name: invalid, empty, or one the endpoint does not take
    (``start``, ``site``, ``format`` ...), which is refused rather than ignored so that
    nobody takes the national figures of a quarter for the narrower ones they asked for."""
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    errors |= empty_parameters(request)
    for name in request.GET:
        if name not in form.fields:
            errors[name] = [str(_("This parameter is not available here."))]
    return errors


def _answer(
    request: HtmxHttpRequest, body: Callable[[dict[str, Gaps], str | None], HttpResponse]
) -> HttpResponse:
    form = GapForm(request.GET)
    errors = _errors(request, form)  # form.errors validates the form
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    labelled = Gaps.in_languages(form.cleaned_data["quarter"])
    response = body(labelled, form.cleaned_data["county"] or None)
    etag = quote_etag(sha256(response.content).hexdigest()[:32])
    return conditional_response(request, etag, None, lambda: response)


@read_only
@login_not_required
@public_cors
@throttled
def gaps(request: HtmxHttpRequest) -> HttpResponse:
    return _answer(
        request,
        lambda labelled, county: JsonResponse(
            as_json(labelled, county), json_dumps_params={"ensure_ascii": False}
        ),
    )


def _csv(labelled: dict[str, Gaps], county: str | None) -> HttpResponse:
    quarter = labelled["nb"].quarter.slug
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"unmet_needs_{quarter}{f'_{county}' if county else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # lets spreadsheets detect UTF-8 (æøå), as the reports' CSV
    writer = csv.writer(response)
    for row in as_csv_rows(labelled, county):
        # Service type labels are typed by editors: inert in a spreadsheet.
        writer.writerow([neutralise(cell) for cell in row])
    return response


@read_only
@login_not_required
@public_cors
@throttled
def gaps_csv(request: HtmxHttpRequest) -> HttpResponse:
    return _answer(request, _csv)
