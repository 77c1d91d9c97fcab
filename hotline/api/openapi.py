"""OpenAPI 3.1 description of the public API (/api/v1/public/), served as openapi.json.

Hand-written so it says exactly what hotline/api/public.py promises; the schema tests
(tests/test_public_api_schema.py) call every operation and check the answers against it.
Change the two together.
"""

from typing import Any

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


STRING = {"type": "string"}
CODE = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}
CLOCK = {
    "type": "string",
    "pattern": "^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$",
    "description": "Norwegian local time (Europe/Oslo), HH:MM.",
}
DATE_TIME = {"type": "string", "format": "date-time"}
LANGUAGES = ("nb", "nn", "en", "se")

MAX_AGE_NOTE = (
    "Every answer carries `ETag` and `Last-Modified`; send them back as `If-None-Match` "
    "or `If-Modified-Since` and an unchanged answer is a bodyless 304. Answers may be "
    "cached for 60 seconds (`Cache-Control: public, max-age=60`)."
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

**Limits.** Each address may make a limited number of requests a minute (120 unless the
server is set otherwise); beyond that the answer is 429 with `Retry-After`.

**Browsers.** CORS is open to every origin (`Access-Control-Allow-Origin: *`), without
credentials.

**Errors.** Bad parameters give 400 and `{{"errors": {{"parameter": ["message"]}}}}`. A
page past the last one is a 404 with the same shape (page 1 always exists, even when
empty). The messages are in Norwegian bokmål.

**HSDS.** `/hsds/...` serves the same services as Open Referral HSDS 3.0 in the
Norwegian profile of this directory (the same as its file export), paginated with the HSDS
`Page` object.
"""

VOCABULARY = "Vocabulary codes (repeat the parameter for several; a service must have all of them)."

FILTER_PARAMETERS = [
    _param(
        "municipality",
        {"type": "string", "pattern": "^[0-9]{4}$"},
        "Municipality number (kommunenummer), e.g. 1804. Ranks services covering it first, "
        "then those covering its county, then national ones, nearest first. Not together "
        "with `postcode`.",
    ),
    _param(
        "postcode",
        {"type": "string", "pattern": "^[0-9]{4}$"},
        "Postcode, ranked as its municipality. Not together with `municipality`.",
    ),
    _param("topic", _array(CODE), f"Topics. {VOCABULARY}", style="form", explode=True),
    _param("group", _array(CODE), f"Target groups. {VOCABULARY}", style="form", explode=True),
    _param("type", _array(CODE), f"Service types. {VOCABULARY}", style="form", explode=True),
    _param(
        "age",
        {"type": "integer", "minimum": 0, "maximum": 120},
        "Only services open to a person of this age.",
    ),
    _param(
        "language",
        {"type": "string", "pattern": "^[a-z]{2,3}$"},
        "Only services that can be contacted in this language (ISO 639 code, e.g. `ar`).",
    ),
    _param(
        "open",
        {"type": "string", "enum": ["0", "1"]},
        "`1`: only services open at the moment of the request.",
    ),
    _param("page", {"type": "integer", "minimum": 1}, "Page number, from 1."),
    _param(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
        "Services per page.",
    ),
]

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
    "Cache-Control": {"schema": STRING, "description": "`public, max-age=60`."},
}


def _ok(schema: dict, description: str) -> dict:
    return _json(schema, description) | {"headers": _CACHE_HEADERS}


ERROR_RESPONSES = {
    "304": {
        "description": "Not modified: the copy you hold is current.",
        "headers": _CACHE_HEADERS,
    },
    "429": _json(_ref("Errors"), "Too many requests; see `Retry-After`.")
    | {"headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}}},
}

TEXTS = {
    "type": "object",
    "description": "Text per content language; only languages with text are present.",
    "properties": {code: STRING for code in LANGUAGES},
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
                    "day": {"type": "string", "enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]},
                    "opens": CLOCK,
                    "closes": CLOCK,
                }
            )
        ),
        "holiday_policy": {
            "type": "string",
            "enum": ["normal", "closed", "own"],
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
            {"nb": STRING, "en": STRING}, "Short human summary in bokmål and English."
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
        "id": {"type": "integer", "description": "Stable id; also the HSDS endpoint's id."},
        "hsds_id": {"type": "string", "description": "The service's `id` in HSDS."},
        "name": TEXTS,
        "description": TEXTS,
        "status": {"type": "string", "enum": ["active"]},
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
                    "kind": {"type": "string", "enum": ["phone", "sms"]},
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
                    "kind": {"type": "string", "enum": ["chat", "email", "web"]},
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
                        "enum": ["local", "regional", "national", "outside"],
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

SERVICE_PAGE = _object(
    {
        "count": {"type": "integer", "minimum": 0},
        "next": _nullable({"type": "string", "format": "uri"}),
        "previous": _nullable({"type": "string", "format": "uri"}),
        "at": DATE_TIME | {"description": "The moment `open_now` was computed for."},
        "location": _nullable(_object({"municipality": STRING, "name": STRING, "county": STRING})),
        "results": _array(_ref("Service")),
    }
)

# Permissive on purpose: the profile (docs/hsds-profile.md) is the contract; this checks
# the shape a client relies on first.
HSDS_SERVICE = {
    "type": "object",
    "description": "An HSDS 3.0 compiled service in the Norwegian profile (docs/hsds-profile.md).",
    "required": ["id", "name", "description", "status", "organization"],
    "properties": {
        "id": STRING,
        "name": STRING,
        "description": STRING,
        "status": {"type": "string", "enum": ["active"]},
        "organization": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": STRING, "name": STRING},
        },
        "phones": _array({"type": "object"}),
        "schedules": _array({"type": "object"}),
        "service_at_locations": _array({"type": "object"}),
        "service_areas": _array({"type": "object"}),
        "languages": _array({"type": "object"}),
        "attributes": _array({"type": "object"}),
    },
    "additionalProperties": True,
}

HSDS_PAGE = _object(
    {
        "total_items": {"type": "integer", "minimum": 0},
        "total_pages": {"type": "integer", "minimum": 1},
        "page_number": {"type": "integer", "minimum": 1},
        "size": {"type": "integer", "minimum": 0, "description": "Services on this page."},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"},
        "contents": _array(_ref("HSDSService")),
    },
    "The HSDS API `Page` object.",
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
                "parameters": FILTER_PARAMETERS + CONDITIONAL_HEADERS,
                "responses": _list_responses("ServicePage", "A page of services."),
            }
        },
        "/api/v1/public/hsds/services": {
            "get": {
                "operationId": "listHSDSServices",
                "summary": "The same services as HSDS 3.0",
                "parameters": [
                    *FILTER_PARAMETERS,
                    _param(
                        "per_page",
                        {"type": "integer", "minimum": 1, "maximum": 100},
                        "The HSDS name for `page_size`; give one of them.",
                    ),
                    *CONDITIONAL_HEADERS,
                ],
                "responses": _list_responses("HSDSPage", "An HSDS page of services."),
            }
        },
        "/api/v1/public/hsds/services/{id}": {
            "get": {
                "operationId": "getHSDSService",
                "summary": "One service as HSDS 3.0",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 9223372036854775807,
                        },
                        "description": "The service's `id` from /api/v1/public/services "
                        "(not its HSDS id).",
                    },
                    *CONDITIONAL_HEADERS,
                ],
                "responses": {
                    "200": _ok(_ref("HSDSService"), "The service."),
                    "404": _json(_ref("Errors"), "No published, active service has this id."),
                    **ERROR_RESPONSES,
                },
            }
        },
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
            "ServicePage": SERVICE_PAGE,
            "HSDSService": HSDS_SERVICE,
            "HSDSPage": HSDS_PAGE,
            "Errors": ERRORS,
        }
    },
}
