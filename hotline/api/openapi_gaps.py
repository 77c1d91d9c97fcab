"""The open gap data's part of the OpenAPI document (openapi.py): /gaps and /gaps.csv.

The figures are the supervisors' reports' (hotline/reports/gaps.py), so the document
states the reports' rules: whole quarters, ":" or null below the threshold, noise.
"""

from typing import Any

from django.conf import settings

from hotline.reports.gaps import ALL_COUNTIES, CSV_HEADER, NOT_RECORDED, TOTAL, WITHHELD
from hotline.reports.periods import EARLIEST_YEAR, Quarter
from services_directory.models import County

STRING = {"type": "string"}
LABELS = {
    "type": "object",
    "required": ["nb", "en"],
    "properties": {"nb": STRING, "en": STRING},
    "additionalProperties": False,
    "description": "In bokmål and English.",
}
FIGURE = {
    "anyOf": [{"type": "integer", "minimum": settings.REPORTS_MIN_CELL}, {"type": "null"}],
    "description": f"Calls; null when withheld (fewer than {settings.REPORTS_MIN_CELL}, or "
    "withheld so that it cannot be worked out from the totals).",
}
QUARTER = {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$"}


def _object(properties: dict[str, dict], description: str = "") -> dict:
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def _figures(what: str) -> dict:
    return {
        "type": "object",
        "additionalProperties": FIGURE,
        "description": f"Calls per {what} code, as listed at the top level.",
    }


CATEGORY = _object({"code": STRING, "label": LABELS})

GAPS = _object(
    {
        "quarter": QUARTER,
        "first_day": {
            "type": "string",
            "format": "date",
            "description": "Monday of the quarter's first week.",
        },
        "last_day": {
            "type": "string",
            "format": "date",
            "description": "Sunday of its last week.",
        },
        "weeks": {"type": "integer", "minimum": 12, "maximum": 14},
        "min_cell": {
            "type": "integer",
            "minimum": 3,
            "description": "The threshold: no figure below it is published.",
        },
        "reasons": {"type": "array", "items": CATEGORY},
        "service_types": {
            "type": "array",
            "items": CATEGORY,
            "description": f"`{NOT_RECORDED}`: no missing service type was recorded.",
        },
        "counties": {
            "type": "array",
            "items": _object(
                {
                    "county": {
                        "type": "string",
                        "description": f"County number; `{NOT_RECORDED}` for calls without "
                        f"a municipality; `{ALL_COUNTIES}` for the whole country (last).",
                    },
                    "name": LABELS,
                    "by_reason": _figures("reason"),
                    "by_service_type": _figures("service type"),
                    "total": FIGURE,
                }
            ),
        },
    },
    "Unmet needs in one quarter: per county, by reason and by missing service type.",
)

DESCRIPTION = f"""\
The needs callers to the helpline had that no service met, per county, for one whole
quarter: why (`by_reason`) and which type of service was missing (`by_service_type`).

**Protection.** The figures are those of the helpline's own statistics, protected the
same way: only whole quarters that have ended (the ISO weeks whose Thursday falls in
the quarter; from {EARLIEST_YEAR}), never the current one; no figure below `min_cell`
(null, or `{WITHHELD}` in CSV), and enough others withheld that none can be worked out
from a total; every figure shifted by at most 2, the same on every asking, so totals
need not equal the sum of their rows. A county asked for is that county's rows of the
national figures, never a new count. Other parameters (dates, sites, channels) are
refused with a 400 naming them.

Calls without a recorded municipality are counted under `{NOT_RECORDED}`.
"""

CSV_DESCRIPTION = (
    "The same figures as `/gaps`, one a line: "
    + ", ".join(f"`{column}`" for column in CSV_HEADER)
    + f". `breakdown` is `reason` or `service_type`; `category` `{TOTAL}` is the row "
    f"total; a withheld figure is `{WITHHELD}`. UTF-8 with a byte order mark."
)


def _parameters() -> list[dict]:
    return [
        {
            "name": "quarter",
            "in": "query",
            "required": False,
            "schema": QUARTER,
            "description": "A quarter that has ended, e.g. `2025-Q3`; the latest by default.",
        },
        {
            "name": "county",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "pattern": "^[0-9]{2}$"},
            "description": "County number (fylkesnummer), e.g. `18`: only that county's "
            "rows and the national total.",
        },
    ]


def gaps_paths(
    conditional_headers: list[dict], ok: Any, errors: dict, error_responses: dict
) -> dict[str, dict]:
    """The two operations; the shared pieces come from openapi.py."""
    bad = {
        "description": "A parameter is invalid or not taken here (named in `errors`).",
        "content": {"application/json": {"schema": errors}},
    }
    csv_ok = ok({"type": "string"}, "The figures as CSV.")
    csv_ok["content"] = {"text/csv": csv_ok.pop("content")["application/json"]}
    return {
        "/api/v1/public/gaps": {
            "get": {
                "operationId": "getGaps",
                "summary": "Unmet needs by county for one quarter",
                "description": DESCRIPTION,
                "parameters": [*_parameters(), *conditional_headers],
                "responses": {
                    "200": ok({"$ref": "#/components/schemas/Gaps"}, "The figures."),
                    "400": bad,
                    **error_responses,
                },
            }
        },
        "/api/v1/public/gaps.csv": {
            "get": {
                "operationId": "getGapsCsv",
                "summary": "Unmet needs by county for one quarter, as CSV",
                "description": CSV_DESCRIPTION,
                "parameters": [*_parameters(), *conditional_headers],
                "responses": {"200": csv_ok, "400": bad, **error_responses},
            }
        },
    }


def gaps_enums() -> dict[str, list[str]]:
    """What ``quarter`` and ``county`` accept now: the ended quarters and the counties."""
    return {
        "quarter": [quarter.slug for quarter in Quarter.complete()],
        "county": list(County.objects.values_list("number", flat=True)),
    }
