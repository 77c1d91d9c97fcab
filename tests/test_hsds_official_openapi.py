"""The HSDS API speaks the standard as written: schemathesis runs the specification's
own OpenAPI document (services_directory/hsds/schemas/openapi.json, its schema $refs
resolved to the local official schemas) against /api/v1/public/hsds/, over WSGI.

Every request the document calls valid must be accepted and answered as it says, except
for the deviations docs/hsds-profile.md lists; ``PROFILE`` below narrows the document by
exactly those, and a test checks that each is named in the profile. CI runs this with
HYPOTHESIS_PROFILE=ci, so the examples are the same on every run.
"""

import copy
from datetime import time

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
)

from hotline.api.limits import MAX_PAGE_SIZE, MAX_PROXIMITY, NDJSON
from hotline.api.openapi_hsds import official_document
from services_directory.hsds.profile import TAXONOMIES, taxonomy_id, terms_by_id
from services_directory.models import Location, Municipality, OpeningHours, Postcode
from tests.factories import BODO, add_location, add_phone, make_service, open_weekdays

load_all_checks()
BASE = "/api/v1/public/hsds"
PROFILE_DOC = "docs/hsds-profile.md"

# The documented deviations (docs/hsds-profile.md, "Deviations from HSDS 3.0.1"), as
# narrowings of the official parameters: the values outside them are a 400 naming the
# parameter, by choice.
PROFILE: dict[str, dict] = {
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    "search": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^\\u0000]*$"},
    "modified_after": {"type": "string", "format": "date-time"},
    "organization_id": {"type": "string", "format": "uuid"},
    "proximity": {"type": "integer", "minimum": 0, "maximum": MAX_PROXIMITY},
    "format": {"type": "string", "enum": ["json", "ndjson"]},
}
# Parameters that take the id of something that exists (or a postcode of the register).
KNOWN = ("taxonomy_term_id", "parent_id", "taxonomy_id", "postcode")


def _known_values() -> dict[str, list[str]]:
    terms = sorted(terms_by_id())
    return {
        "taxonomy_term_id": terms,
        "parent_id": terms,
        "taxonomy_id": sorted([*TAXONOMIES, *(taxonomy_id(name) for name in TAXONOMIES)]),
        "postcode": sorted(Postcode.objects.active().values_list("code", flat=True)),
    }


def profiled(document: dict) -> dict:
    """The official document narrowed by the profile's deviations (and served under
    /api/v1/public/hsds)."""
    document = copy.deepcopy(document)
    document["servers"] = [{"url": BASE}]
    known = _known_values()
    parameters = list(document["components"]["parameters"].values())
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            parameters += [p for p in operation.get("parameters", []) if "name" in p]
            if {"$ref": "#/components/parameters/format"} in operation.get("parameters", []):
                # format=ndjson answers one object a line (the document names only JSON).
                content = operation["responses"]["200"]["content"]
                content[NDJSON] = {"schema": {"type": "string"}}
    for parameter in parameters:
        name = parameter["name"]
        if name in PROFILE:
            parameter["schema"] = PROFILE[name]
        elif name in KNOWN:
            parameter["schema"] = {"type": "string", "enum": known[name]}
    # A service at a location is a service_at_location, not a service.
    detail = document["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]
    detail["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/HSDS_compiled_service_at_location_list"
    }
    for path in ("/services/{id}", "/service_at_locations/{id}"):
        document["paths"][path].pop("parameters", None)
        document["paths"][path]["get"]["parameters"] = [
            {"name": "id", "in": "path", "required": True, "schema": {"pattern": "^[^/]+$"}}
        ]
    return document


def valid_in_profile(path: str, case) -> bool:
    """Combinations the profile refuses (a 400 naming the parameter): ``full`` with
    ``minimal``, and ``proximity`` without a ``postcode`` to measure from."""
    query = case.query or {}
    if str(query.get("full")).lower() == "true" and str(query.get("minimal")).lower() == "true":
        return False
    return not ("proximity" in query and "postcode" not in query)


@pytest.fixture
def official(db, settings):
    settings.PUBLIC_API_RATE_LIMIT = 1_000_000
    settings.SIMPLE_HISTORY_ENABLED = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.SECURE_SSL_REDIRECT = False
    local = make_service(
        "Krisesenteret i Bodø", topics=["voldtekt"], types=["krisesenter"], municipalities=[BODO]
    )
    add_location(local, BODO)
    add_location(local, BODO, confidential=True)
    add_phone(local, "75 55 55 55", "Døgnvakt")
    OpeningHours.objects.create(service=local, kind="holiday", opens=time(10), closes=time(14))
    open_weekdays(local)
    make_service("Nasjonal linje", covers_whole_country=True, min_age=12, max_age=30)
    shelter = make_service("Skjult", municipalities=[BODO])
    Location.objects.create(
        service=shelter, municipality=Municipality.objects.get(number=BODO), is_confidential=True
    )
    make_service("Borte").delete()  # a departure, for modified_after
    make_service("Utkast", is_published=False)
    # As in test_public_api_schema: keep the test's connection open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_dict(profiled(official_document()))
        schema.app = WSGIHandler()
        yield schema
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        cache.clear()


def _operations(with_query: bool = False) -> list:
    """The document's operations (all GETs); ``with_query``: those with a query
    parameter, the only ones whose input can be invalid (any id is a valid id)."""
    document = official_document()
    return [
        pytest.param(path, id=f"GET {path}")
        for path, item in document["paths"].items()
        if not with_query or (item["get"].get("parameters") and "{id}" not in path)
    ]


POSITIVE_CHECKS = [
    not_a_server_error,
    positive_data_acceptance,
    response_schema_conformance,
    content_type_conformance,
]


@pytest.mark.parametrize("path", _operations())
def test_valid_requests_of_the_official_document_are_accepted(official, path):
    operation = official[path]["GET"]
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE).filter(
        lambda case: valid_in_profile(path, case)
    )

    @given(case=strategy)
    @hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(checks=POSITIVE_CHECKS)

    call()


@pytest.mark.parametrize("path", _operations(with_query=True))
def test_invalid_requests_are_refused_never_a_500(official, path):
    operation = official[path]["GET"]
    strategy = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)

    @given(case=strategy)
    @hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(checks=[not_a_server_error, negative_data_rejection])

    call()


def test_each_narrowing_is_a_documented_deviation(settings):
    text = (settings.BASE_DIR / PROFILE_DOC).read_text(encoding="utf-8")
    deviations = text.split("## Deviations from HSDS 3.0.1", 1)[1]
    for name in (*PROFILE, *KNOWN, "minimal", "proximity", "service_at_locations/{id}"):
        assert f"`{name}`" in deviations, name


def test_the_official_document_points_only_at_local_schemas():
    def refs(node):
        if isinstance(node, dict):
            yield from ([node["$ref"]] if "$ref" in node else [])
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    document = official_document()
    found = set(refs(document))
    assert found and all(ref.startswith("#/components/") for ref in found)
    for ref in found:
        kind, name = ref.removeprefix("#/components/").split("/")
        assert name in document["components"][kind], ref
