"""OpenAPI 3.1 description of the public API (/api/v1/public/), served as openapi.json.

Hand-written so it says exactly what public.py and serializers.py promise; the schema tests
(tests/test_public_api_schema.py) call every operation and check the answers against it.
Change the two together. The numbers and lists it states are imported from where the
code enforces them (limits.py, the search form, the models), never copied.
"""

import copy
import json
import re
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db import models

from hotline.api import limits
from hotline.api.limits import (
    CACHE_CONTROL,
    DEFAULT_PAGE_SIZE,
    MAX_AGE_SECONDS,
    MAX_PAGE_SIZE,
    RATE_WINDOW_SECONDS,
    SUMMARY_LANGUAGES,
    TEXT_LANGUAGES,
)
from hotline.api.openapi_gaps import GAPS, gaps_enums, gaps_paths
from hotline.api.openapi_hsds import hsds_components, hsds_paths
from services_directory.hours import HolidayPolicy
from services_directory.hsds import DAYS
from services_directory.hsds.profile import TAXONOMIES, taxonomy_id, terms_by_id
from services_directory.models import ContactChannel, Language, Municipality, Postcode, Service
from services_directory.models.directory import PHONE_KINDS as PHONE_CHANNEL_KINDS
from services_directory.models.vocabulary import code_validator
from services_directory.search import SearchForm
from services_directory.search_index import Coverage, current_index

JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _object(properties: dict[str, dict], description: str | None = None) -> dict:
    """An object with every listed property present (null where the schema allows)."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _param(name: str, schema: dict, description: str, **extra: Any) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **extra,
    }


def _page_size(**extra: Any) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, **extra}


def _form_pattern(name: str) -> dict:
    field = cast(forms.RegexField, SearchForm.base_fields[name])
    return {"type": "string", "pattern": field.regex.pattern}


_AGE = cast(forms.IntegerField, SearchForm.base_fields["age"])
_LANGUAGE_CODE_LENGTH = cast(models.CharField, Language._meta.get_field("code")).max_length

STRING = {"type": "string"}
# The validator holds its regex compiled; re.compile hands a compiled one back as it is.
CODE = {"type": "string", "pattern": re.compile(code_validator.regex).pattern}
CLOCK = {
    "type": "string",
    "pattern": "^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$",
    "description": "Norwegian local time (Europe/Oslo), HH:MM.",
}
DATE_TIME = {"type": "string", "format": "date-time"}
# What a channel's kind makes it: the serializer lists phones apart from other channels.
PHONE_KINDS = [str(kind) for kind in PHONE_CHANNEL_KINDS]
OTHER_KINDS = [kind.value for kind in ContactChannel.Kind if kind.value not in PHONE_KINDS]

MAX_AGE_NOTE = (
    "Every answer carries `ETag` and `Last-Modified`; send them back as `If-None-Match` "
    "or `If-Modified-Since` and an unchanged answer is a bodyless 304. Answers may be "
    f"cached for {MAX_AGE_SECONDS} seconds (`Cache-Control: {CACHE_CONTROL}`)."
)

DESCRIPTION = f"""\
The directory of help services for people exposed to violence and abuse in Norway, as
kept by the national helpline. Read-only, open to everyone, no login.

**What is published.** Only published, active services. Confidential (sheltered)
addresses, notes for helpline operators, drafts and closed services never appear.

**Caching and polling.** {MAX_AGE_NOTE} `hours.open_now`, `hours.opens_next` and
`hours.closes_at` are computed at the moment of the request, so they change with the clock
alone: keep cached copies of `/services` short-lived (the validators of that list change
every minute). The HSDS endpoints carry opening hours as schedules, not "open now"; their
validators change only when the directory does (or every minute with `open=1`). Edits to
an organisation alone do not change the validators until one of its services is saved.

**Limits.** Each address may make {settings.PUBLIC_API_RATE_LIMIT} requests in
{RATE_WINDOW_SECONDS} seconds; beyond that the answer is 429 with `Retry-After`. While the
API is as busy as it may be, from everyone together, the answer is 503 with `Retry-After`
at once: wait that long and ask again.

**Browsers.** CORS is open to every origin (`Access-Control-Allow-Origin: *`), without
credentials.

**Errors.** Bad parameters give 400 and `{{"errors": {{"parameter": ["message"]}}}}`. A
page past the last one is a 404 with the same shape (page 1 always exists, even when
empty). The messages are in Norwegian bokmål.

**Unmet needs.** `/gaps` (JSON) and `/gaps.csv` publish the needs callers had that no
service met, per county and quarter, protected as the helpline's own statistics are (see
those operations).

**HSDS.** `/hsds/` is the Open Referral HSDS 3.0.1 API: the same services as Open
Referral HSDS objects in the Norwegian profile of this directory (the same as its file
export; `/hsds/profile` describes it), paginated with the HSDS `Page` object. Its schemas
(`HSDS_*`) are the official HSDS 3.0.1 ones (CC BY-SA 4.0, © Open Referral). Ids are
UUIDs; `x_id` is the readable id earlier exports used. A parameter an endpoint does not
list is a 400 naming it. Parameters named in an operation's `x-mutually-exclusive` may
not be given together.
"""

VOCABULARY = "Vocabulary codes (repeat the parameter for several; a service must have all of them)."

FILTER_PARAMETERS = [
    _param(
        "municipality",
        _form_pattern("municipality"),
        "Municipality number (kommunenummer), e.g. 1804. Ranks services covering it first, "
        "then those covering its county, then national ones, nearest first. Not together "
        "with `postcode`.",
    ),
    _param(
        "postcode",
        _form_pattern("postcode"),
        "Postcode, ranked as its municipality. Not together with `municipality`.",
    ),
    _param("topic", _array(CODE), f"Topics. {VOCABULARY}", style="form", explode=True),
    _param("group", _array(CODE), f"Target groups. {VOCABULARY}", style="form", explode=True),
    _param("type", _array(CODE), f"Service types. {VOCABULARY}", style="form", explode=True),
    _param(
        "accessibility",
        _array(CODE),
        f"Accessibility features (e.g. `rullestol`). {VOCABULARY}",
        style="form",
        explode=True,
    ),
    _param(
        "age",
        {"type": "integer", "minimum": _AGE.min_value, "maximum": _AGE.max_value},
        "Only services open to a person of this age.",
    ),
    _param(
        "language",
        {"type": "string", "pattern": f"^[a-z]{{2,{_LANGUAGE_CODE_LENGTH}}}$"},
        "Only services that can be contacted in this language (ISO 639 code, e.g. `ar`).",
    ),
    _param(
        "open",
        {"type": "string", "enum": ["0", "1"]},
        "`1`: only services open at the moment of the request.",
    ),
    _param("page", {"type": "integer", "minimum": 1}, "Page number, from 1."),
    _param("page_size", _page_size(default=DEFAULT_PAGE_SIZE), "Services per page."),
]

CHANGED_SINCE = _param(
    "changed_since",
    DATE_TIME,
    "For a sync: only services changed at or after this moment (RFC 3339 with an offset or "
    "`Z`; ties included, so pass the newest `updated_at` you hold), followed by every "
    "service that left the list since (unpublished, closed or deleted) as a `Departure` "
    "with `status` `inactive`. Departures are kept two years and are not narrowed by the "
    "other filters.",
)

CONDITIONAL_HEADERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "schema": STRING,
        "description": "The `ETag` of the copy you hold.",
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "schema": STRING,
        "description": "The `Last-Modified` of the copy you hold (HTTP date).",
    },
]

_CACHE_HEADERS = {
    "ETag": {"schema": STRING, "description": "Validator for If-None-Match."},
    "Last-Modified": {"schema": STRING, "description": "Validator for If-Modified-Since."},
    "Cache-Control": {"schema": STRING, "description": f"`{CACHE_CONTROL}`."},
}


def _ok(schema: dict, description: str) -> dict:
    return _json(schema, description) | {"headers": _CACHE_HEADERS}


_RETRY_AFTER = {
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}}
}
ERROR_RESPONSES = {
    "304": {
        "description": "Not modified: the copy you hold is current.",
        "headers": _CACHE_HEADERS,
    },
    "429": _json(_ref("Errors"), "Too many requests; see `Retry-After`.") | _RETRY_AFTER,
    "503": _json(_ref("Errors"), "Busy; ask again after `Retry-After`.") | _RETRY_AFTER,
}

TEXTS = {
    "type": "object",
    "description": "Text per content language; only languages with text are present.",
    "properties": {code: STRING for code in TEXT_LANGUAGES},
    "additionalProperties": False,
}

SPAN = _object(
    {"opens": CLOCK, "closes": CLOCK},
    "A closing time at or before the opening time means the next day; equal times mean 24 hours.",
)

HOURS = _object(
    {
        "weekly": _array(
            _object(
                {
                    "day": {"type": "string", "enum": list(DAYS)},
                    "opens": CLOCK,
                    "closes": CLOCK,
                }
            )
        ),
        "holiday_policy": {
            "type": "string",
            "enum": [policy.value for policy in HolidayPolicy],
            "description": "On Norwegian public holidays: the weekly hours apply (`normal`), "
            "closed (`closed`), or the `public_holidays` spans apply (`own`).",
        },
        "public_holidays": _array(_ref("Span")),
        "exceptions": _array(
            _object(
                {
                    "from": {"type": "string", "format": "date"},
                    "to": {"type": "string", "format": "date"},
                    "spans": _array(_ref("Span")),
                },
                "These dates (inclusive) use `spans` instead of the usual hours; no spans "
                "means closed. Only exceptions that have not ended are listed.",
            )
        ),
        "summary": _object(
            {code: STRING for code in SUMMARY_LANGUAGES},
            "Short human summary in bokmål and English.",
        ),
        "always_open": {"type": "boolean"},
        "open_now": {"type": "boolean", "description": "At the moment of the request."},
        "opens_next": _nullable(DATE_TIME | {"description": "When closed now: next opening."}),
        "closes_at": _nullable(DATE_TIME | {"description": "When open now: next closing."}),
    },
    "Opening hours, all in Norwegian local time (Europe/Oslo).",
)

NAMED_NUMBER = _object({"number": STRING, "name": STRING})

SERVICE = _object(
    {
        "id": {"type": "integer", "description": "Stable id of the service in this API."},
        "hsds_id": {
            "type": "string",
            "format": "uuid",
            "description": "The service's `id` in HSDS (a UUID), as /hsds/services/{id} takes it.",
        },
        "name": TEXTS,
        "description": TEXTS,
        "status": {"type": "string", "enum": [Service.Status.ACTIVE.value]},
        "organization": _object(
            {
                "name": STRING,
                "url": _nullable(STRING),
                "organization_number": _nullable({"type": "string", "pattern": "^[0-9]{9}$"}),
            }
        ),
        "service_types": _array(CODE),
        "topics": _array(CODE),
        "target_groups": _array(CODE),
        "accessibility": _array(CODE),
        "languages": _array(STRING),
        "min_age": _nullable({"type": "integer"}),
        "max_age": _nullable({"type": "integer"}),
        "free_of_charge": {"type": "boolean"},
        "anonymous_contact": {"type": "boolean"},
        "police_report_required": {"type": "boolean"},
        "coverage": _object(
            {
                "whole_country": {"type": "boolean"},
                "counties": _array({"type": "string", "pattern": "^[0-9]{2}$"}),
                "municipalities": _array({"type": "string", "pattern": "^[0-9]{4}$"}),
            },
            "Where the service takes callers from.",
        ),
        "hours": _ref("Hours"),
        "phones": _array(
            _object(
                {
                    "kind": {"type": "string", "enum": PHONE_KINDS},
                    "number": {"type": "string", "description": "Normalised, e.g. +4722334455."},
                    "display": {"type": "string", "description": "As written in Norway."},
                    "description": TEXTS,
                    "hours": _nullable(_ref("Hours")),
                },
                "`hours` is null when the number follows the service's hours.",
            )
        ),
        "channels": _array(
            _object(
                {
                    "kind": {"type": "string", "enum": OTHER_KINDS},
                    "value": STRING,
                    "description": TEXTS,
                    "hours": _nullable(_ref("Hours")),
                }
            )
        ),
        "locations": _array(
            _object(
                {
                    "name": _nullable(STRING),
                    "address": _nullable(STRING),
                    "postcode": _nullable(STRING),
                    "place": _nullable(STRING),
                    "municipality": NAMED_NUMBER,
                    "county": NAMED_NUMBER,
                    "latitude": _nullable({"type": "number"}),
                    "longitude": _nullable({"type": "number"}),
                },
                "A public address (WGS84 coordinates).",
            )
        ),
        "match": _nullable(
            _object(
                {
                    "coverage": {
                        "type": "string",
                        "enum": [coverage.code for coverage in Coverage],
                    },
                    "distance_km": _nullable({"type": "number"}),
                },
                "With `municipality` or `postcode`: how the service covers that place, "
                "and the distance to its nearest public address.",
            )
        ),
        "updated_at": DATE_TIME,
    }
)

DEPARTURE = _object(
    {
        "id": {"type": "integer", "description": "The service's id in this API."},
        "hsds_id": {"type": "string", "format": "uuid", "description": "Its HSDS `id`."},
        "status": {"type": "string", "enum": [Service.Status.INACTIVE.value]},
        "updated_at": DATE_TIME | {"description": "When it left the list."},
    },
    "A service that left the list since `changed_since`: drop it. Nothing else is said.",
) | {"additionalProperties": False}

SERVICE_PAGE = _object(
    {
        "count": {"type": "integer", "minimum": 0},
        "next": _nullable({"type": "string", "format": "uri"}),
        "previous": _nullable({"type": "string", "format": "uri"}),
        "at": DATE_TIME | {"description": "The moment `open_now` was computed for."},
        "location": _nullable(_object({"municipality": STRING, "name": STRING, "county": STRING})),
        "results": _array(
            {"oneOf": [_ref("Service"), _ref("Departure")]}
            | {"description": "Services; with `changed_since`, departures after them."}
        ),
    }
)

PAGE_PROPERTIES: dict[str, dict] = {
    "total_items": {"type": "integer", "minimum": 0},
    "total_pages": {"type": "integer", "minimum": 1},
    "page_number": {"type": "integer", "minimum": 1},
    "size": {"type": "integer", "minimum": 0, "description": "Objects on this page."},
    "first_page": {"type": "boolean"},
    "last_page": {"type": "boolean"},
    "empty": {"type": "boolean"},
}


def _hsds_page(item: str) -> dict:
    """The HSDS API's Page object of ``item`` objects (an official schema)."""
    return _object(
        PAGE_PROPERTIES | {"contents": _array(_ref(item))}, "The HSDS API `Page` object."
    )


ERRORS = _object(
    {
        "errors": {
            "type": "object",
            "additionalProperties": _array(STRING),
            "description": "Messages per parameter; `__all__` for the request as a whole.",
        }
    }
)


def _list_responses(page_schema: str, description: str) -> dict:
    return {
        "200": _ok(_ref(page_schema), description),
        "400": _json(_ref("Errors"), "A parameter is invalid."),
        "404": _json(_ref("Errors"), "There is no such page."),
        **ERROR_RESPONSES,
    }


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Hjelpetelefonen – public directory of help services",
        "version": "1.0.0",
        "description": DESCRIPTION,
    },
    "paths": {
        "/api/v1/public/services": {
            "get": {
                "operationId": "listServices",
                "summary": "Published services, filtered and paginated",
                "description": "Ordered by the desk's ranking when `municipality` or "
                "`postcode` is given, else by bokmål name. " + MAX_AGE_NOTE,
                "parameters": [*FILTER_PARAMETERS, CHANGED_SINCE, *CONDITIONAL_HEADERS],
                "responses": _list_responses("ServicePage", "A page of services."),
                "x-mutually-exclusive": [["municipality", "postcode"]],
            }
        },
        **hsds_paths(
            FILTER_PARAMETERS,
            CONDITIONAL_HEADERS,
            _list_responses,
            _ok,
            _ref("Errors"),
            ERROR_RESPONSES,
        ),
        **gaps_paths(CONDITIONAL_HEADERS, _ok, _ref("Errors"), ERROR_RESPONSES),
        "/api/v1/public/openapi.json": {
            "get": {
                "operationId": "getOpenAPI",
                "summary": "This document",
                "parameters": CONDITIONAL_HEADERS,
                "responses": {
                    "200": _ok({"type": "object"}, "The OpenAPI document."),
                    **ERROR_RESPONSES,
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Span": SPAN,
            "Hours": HOURS,
            "Service": SERVICE,
            "Departure": DEPARTURE,
            "ServicePage": SERVICE_PAGE,
            "Errors": ERRORS,
            "Gaps": GAPS,
            **hsds_components(),
            **{
                f"HSDSPage_{item}": _hsds_page(f"HSDS_{item}")
                for item in (
                    "service_list",
                    "organization_list",
                    "taxonomy",
                    "taxonomy_term",
                    "service_at_location_list",
                )
            },
        }
    },
}


def _enums() -> dict[str, list[str]]:
    """What the query parameters taking codes accept, read as the forms read it: the
    search index's vocabularies, the active municipalities and postcodes, and the HSDS
    term and taxonomy ids."""
    index = current_index()
    enums = {
        name: sorted(index.codes[relation])
        for name, relation in (
            ("topic", "topics"),
            ("group", "target_groups"),
            ("type", "service_types"),
            ("accessibility", "accessibility"),
            ("language", "languages"),
        )
    }
    enums["municipality"] = sorted(Municipality.objects.active().values_list("number", flat=True))
    enums["postcode"] = sorted(Postcode.objects.active().values_list("code", flat=True))
    enums["taxonomy_term_id"] = enums["parent_id"] = sorted(terms_by_id())
    enums["taxonomy_id"] = sorted([*TAXONOMIES, *(taxonomy_id(name) for name in TAXONOMIES)])
    enums |= gaps_enums()
    return {name: values for name, values in enums.items() if values}


def current_document() -> dict[str, Any]:
    """DOCUMENT with the enums of the codes the database holds now."""
    document = copy.deepcopy(DOCUMENT)
    enums = _enums()
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation["parameters"]:
                values = enums.get(parameter["name"]) if parameter["in"] == "query" else None
                if values is None:
                    continue
                schema = parameter["schema"]
                if schema.get("type") == "array":
                    schema["items"] = {"type": "string", "enum": values}
                else:
                    parameter["schema"] = {"type": "string", "enum": values}
    return document


def current_body() -> bytes:
    return json.dumps(current_document(), ensure_ascii=False).encode()


# The document as served, and its validators (public.openapi_document). It changes with a
# release, so the newest of the modules it is written from says when; the ETag, a hash
# of the body, is exact either way.
BODY = json.dumps(DOCUMENT, ensure_ascii=False).encode()
ETAG = sha256(BODY).hexdigest()[:32]
MODIFIED = datetime.fromtimestamp(
    int(max(Path(module).stat().st_mtime for module in (__file__, limits.__file__))), UTC
)
