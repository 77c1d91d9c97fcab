"""The HSDS API's part of the OpenAPI document (openapi.py): its paths, and the official
HSDS 3.0.1 schemas as components.

The components are the official schemas themselves (services_directory/hsds/schemas/,
CC BY-SA 4.0): the object definitions of ``service_with_definitions.json`` and the
compiled list objects, with the Frictionless Data Package annotations left out (they are
not JSON Schema) and their internal ``$ref``s pointed at the components.
"""

import json
from typing import Any

from hotline.api.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_PROXIMITY, NDJSON
from services_directory.hsds.schema import COMPILED, DEFINED, SCHEMA_DIR, _contents, _uri

# Annotations of the Data Package the schemas are generated from; not JSON Schema.
NOT_SCHEMA = {"name", "path", "datapackage_metadata", "constraints", "core", "tabular_required"}
PREFIX = "HSDS_"


def _cleaned(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_cleaned(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {}
    for key, value in schema.items():
        if key in NOT_SCHEMA:
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#/definitions/"):
            value = "#/components/schemas/" + PREFIX + value.removeprefix("#/definitions/")
        if key == "properties" and isinstance(value, dict):
            result[key] = {name: _cleaned(item) for name, item in value.items()}
        else:
            result[key] = _cleaned(value)
    return result


def hsds_components() -> dict[str, dict]:
    """The official schemas, as ``HSDS_<object>`` components."""
    with_definitions = _contents("service_with_definitions")
    components = {
        PREFIX + name: _cleaned(schema) for name, schema in with_definitions["definitions"].items()
    }
    components[PREFIX + "service"] = _cleaned(
        {key: value for key, value in with_definitions.items() if key != "definitions"}
    )
    for name in ("service_list", "organization_list", "service_at_location_list"):
        components[PREFIX + name] = _cleaned(_contents(name))
    # An organisation in full carries its public services, list-shaped (see the profile).
    components[PREFIX + "organization_with_services"] = {
        "allOf": [
            {"$ref": f"#/components/schemas/{PREFIX}organization"},
            {
                "type": "object",
                "properties": {
                    "services": {
                        "type": "array",
                        "items": {"$ref": f"#/components/schemas/{PREFIX}service_list"},
                    }
                },
            },
        ]
    }
    return components


def official_document() -> dict[str, Any]:
    """The specification's own OpenAPI document (``schemas/openapi.json``, kept as
    published) with its schema ``$ref``s, which point online, pointed at the local copies
    of the official schemas, added as components: the compiled files as
    ``HSDS_compiled_<name>``, the taxonomy objects from their definitions. Nothing is
    fetched. ``tests/test_hsds_official_openapi.py`` runs schemathesis with it."""
    document = json.loads((SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.update(hsds_components())
    local = {_uri(name): f"{PREFIX}compiled_{name}" for name in COMPILED}
    local |= {_uri(name): PREFIX + name for name in DEFINED}
    for name in COMPILED:
        components[f"{PREFIX}compiled_{name}"] = _cleaned(_contents(name))

    def resolved(node: Any) -> Any:
        if isinstance(node, list):
            return [resolved(item) for item in node]
        if not isinstance(node, dict):
            return node
        if (ref := node.get("$ref")) in local:
            return {**node, "$ref": f"#/components/schemas/{local[ref]}"}
        return {key: resolved(value) for key, value in node.items()}

    document["paths"] = resolved(document["paths"])
    return document


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


BOOLEAN = {"type": "string", "enum": ["true", "false", "1", "0"]}
PAGE = _query("page", {"type": "integer", "minimum": 1}, "Page number, from 1.")
PER_PAGE = _query(
    "per_page",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
    "Objects per page.",
)
SEARCH = _query(
    "search",
    # Django refuses NUL characters in any text.
    {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^\\u0000]*$"},
    "Words in the name or description (any content language) or the organisation's name.",
)
FULL = _query("full", BOOLEAN, "`true`: fully nested objects; `false`: one-to-one fields only.")
MINIMAL = _query(
    "minimal",
    BOOLEAN,
    "`true`: only `id`, `name`, `status` and `last_modified` of each service.",
)
TAXONOMY_ID = _query(
    "taxonomy_id",
    {"type": "string"},
    "A taxonomy's `id` (or its name): services (or terms) with a term of that taxonomy.",
)
FORMAT = _query(
    "format",
    {"type": "string", "enum": ["json", "ndjson"]},
    "`ndjson`: every result, one JSON object a line (`application/x-ndjson`), streamed "
    "without pagination (`page` and `per_page` are then ignored); `json` (the default): "
    "pages.",
)
FULL_SERVICE = _query(
    "full_service",
    BOOLEAN,
    "`true`: the organisation with its public services in full (implies `full`).",
)
POSTCODE = _query(
    "postcode",
    {"type": "string", "pattern": "^[0-9]{4}$"},
    "A postcode: only services whose coverage includes it (its municipality, its county "
    "or the whole country).",
)
PROXIMITY = _query(
    "proximity",
    {"type": "integer", "minimum": 0, "maximum": MAX_PROXIMITY},
    "Metres, with `postcode`: only public addresses within this distance of the "
    "postcode's centre (its municipality's point), nearest first.",
)
SERVICE_FILTERS = [
    SEARCH,
    _query(
        "taxonomy_term_id",
        {"type": "string"},
        "A taxonomy term's `id`: only services with that term. Unknown ids are a 400.",
    ),
    TAXONOMY_ID,
    _query(
        "organization_id",
        {"type": "string", "format": "uuid"},
        "An organisation's `id`: only its services.",
    ),
    _query(
        "modified_after",
        {"type": "string", "format": "date-time"},
        "Only services changed at or after this moment (RFC 3339, with an offset or `Z`; "
        "ties included, so pass the newest `last_modified` you hold). On `/services` the "
        "services that left the public set since (unpublished, closed or deleted) follow, "
        'as `id`, `name` `""`, `status` `inactive` and `last_modified` (when they left), '
        "kept two years and not narrowed by the other filters.",
    ),
]


def _id_parameter(what: str) -> dict:
    return {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[^/]+$"},
        "description": f"The {what}'s HSDS `id` (a UUID).",
    }


def hsds_paths(
    filter_parameters: list[dict],
    conditional_headers: list[dict],
    list_responses: Any,
    ok: Any,
    errors: dict,
    error_responses: dict,
) -> dict[str, dict]:
    """The HSDS API's paths; the shared pieces come from openapi.py."""
    not_found = {"description": "Not found.", "content": {"application/json": {"schema": errors}}}

    def detail(
        operation_id: str, summary: str, what: str, schema: str, parameters: tuple = ()
    ) -> dict:
        return {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "parameters": [_id_parameter(what), *parameters, *conditional_headers],
                "responses": {
                    "200": ok(_ref(schema), summary),
                    "400": {
                        "description": "A parameter is unknown or invalid.",
                        "content": {"application/json": {"schema": errors}},
                    },
                    "404": not_found,
                    **error_responses,
                },
            }
        }

    def listing(operation_id: str, summary: str, page: str, parameters: list[dict], **extra):
        responses = list_responses(page, summary)
        responses["200"]["content"][NDJSON] = {
            "schema": {"type": "string", "description": "With `format=ndjson`."}
        }
        return {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "parameters": [*parameters, FORMAT, *conditional_headers],
                "responses": responses,
                **extra,
            }
        }

    desk_filters = [p for p in filter_parameters if p["name"] != "page"]
    return {
        "/api/v1/public/hsds/": {
            "get": {
                "operationId": "getHSDSRoot",
                "summary": "HSDS version and profile of this API",
                "parameters": conditional_headers,
                "responses": {
                    "200": ok(
                        {
                            "type": "object",
                            "required": ["version", "profile", "openapi_url"],
                            "properties": {
                                "version": {"type": "string", "enum": ["3.0.1"]},
                                "profile": {"type": "string", "format": "uri"},
                                "openapi_url": {"type": "string", "format": "uri"},
                            },
                        },
                        "HSDS version, the profile's address and this document's.",
                    ),
                    "400": not_found | {"description": "A parameter was given."},
                    **error_responses,
                },
            }
        },
        "/api/v1/public/hsds/profile": {
            "get": {
                "operationId": "getHSDSProfile",
                "summary": "The Norwegian HSDS profile of this API (Markdown)",
                "parameters": conditional_headers,
                "responses": {
                    "200": {
                        "description": "The profile.",
                        "content": {"text/markdown": {"schema": {"type": "string"}}},
                    },
                    "400": not_found | {"description": "A parameter was given."},
                    **error_responses,
                },
            }
        },
        "/api/v1/public/hsds/services": listing(
            "listHSDSServices",
            "Published services as HSDS, filtered and paginated",
            "HSDSPage_service_list",
            [
                *desk_filters,
                PAGE,
                *SERVICE_FILTERS,
                FULL,
                MINIMAL,
                _query("per_page", PER_PAGE["schema"] | {}, "The HSDS name for `page_size`."),
            ],
            **{
                "x-mutually-exclusive": [
                    ["municipality", "postcode"],
                    ["page_size", "per_page"],
                    ["full", "minimal"],
                ]
            },
        ),
        "/api/v1/public/hsds/services/{id}": detail(
            "getHSDSService", "One service as HSDS", "service", "HSDS_service"
        ),
        "/api/v1/public/hsds/organizations": listing(
            "listHSDSOrganizations",
            "Organisations with a published service",
            "HSDSPage_organization_list",
            [SEARCH, FULL, FULL_SERVICE, PAGE, PER_PAGE],
        ),
        "/api/v1/public/hsds/organizations/{id}": detail(
            "getHSDSOrganization",
            "One organisation with its published services",
            "organisation",
            "HSDS_organization_with_services",
            (FULL_SERVICE,),
        ),
        "/api/v1/public/hsds/taxonomies": listing(
            "listHSDSTaxonomies",
            "The directory's taxonomies",
            "HSDSPage_taxonomy",
            [SEARCH, PAGE, PER_PAGE],
        ),
        "/api/v1/public/hsds/taxonomies/{id}": detail(
            "getHSDSTaxonomy", "One taxonomy", "taxonomy", "HSDS_taxonomy"
        ),
        "/api/v1/public/hsds/taxonomy_terms": listing(
            "listHSDSTaxonomyTerms",
            "The directory's vocabulary terms",
            "HSDSPage_taxonomy_term",
            [
                SEARCH,
                TAXONOMY_ID,
                _query("top_only", BOOLEAN, "Taxonomies are flat: every term is a top one."),
                _query(
                    "parent_id",
                    {"type": "string"},
                    "A term's `id`: its children. Taxonomies are flat, so none.",
                ),
                PAGE,
                PER_PAGE,
            ],
        ),
        "/api/v1/public/hsds/taxonomy_terms/{id}": detail(
            "getHSDSTaxonomyTerm", "One vocabulary term", "term", "HSDS_taxonomy_term"
        ),
        "/api/v1/public/hsds/service_at_locations": listing(
            "listHSDSServiceAtLocations",
            "Published services at their public addresses",
            "HSDSPage_service_at_location_list",
            [*SERVICE_FILTERS, FULL, POSTCODE, PROXIMITY, PAGE, PER_PAGE],
            **{"x-dependent-required": {"proximity": ["postcode"]}},
        ),
        "/api/v1/public/hsds/service_at_locations/{id}": detail(
            "getHSDSServiceAtLocation",
            "One service at one public address, the service in full",
            "service at location",
            "HSDS_service_at_location_list",
        ),
    }
