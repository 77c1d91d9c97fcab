"""The public API keeps the promises of its OpenAPI document.

Schemathesis reads /api/v1/public/openapi.json from the app itself (over WSGI, no server)
and calls every operation with generated parameters, valid and invalid, checking that
nothing is a 500 and that every status code, content type and body is the documented
one.
"""

from datetime import date, time

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import is_check_class, load_all_checks

from hotline.api.openapi import DOCUMENT
from services_directory.models import (
    ContactChannel,
    Location,
    Municipality,
    OpeningHours,
    Service,
    ServiceType,
)
from tests.factories import (
    add_location,
    add_phone,
    make_call,
    make_service,
    make_site,
    open_weekdays,
)

# Every check schemathesis has (not only "no 500" and schema conformance): valid input
# must be accepted, invalid input refused, unlisted methods a 405, and so on.
load_all_checks()
CHECKS = [check for check in REGISTERED_CHECKS.get_all() if not is_check_class(check)]


@pytest.fixture
def public_api(db, settings):
    """The schema, loaded from the app, over a small directory with every kind of field."""
    settings.PUBLIC_API_RATE_LIMIT = 1_000_000
    settings.SIMPLE_HISTORY_ENABLED = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.SECURE_SSL_REDIRECT = False

    local = make_service(
        "Krisesenteret i Bodø", topics=["voldtekt"], types=["krisesenter"], municipalities=["1804"]
    )
    local.name_en = "Bodø crisis centre"
    local.holiday_policy = "own"
    local.save()
    add_location(local, "1804")
    add_location(local, "1804", confidential=True)
    add_phone(local, "75 55 55 55", "Døgnvakt")
    chat = ContactChannel.objects.create(service=local, kind="chat", value="https://chat.example")
    OpeningHours.objects.create(
        service=local, channel=chat, weekday=2, opens=time(18), closes=time(2)
    )
    OpeningHours.objects.create(service=local, kind="holiday", opens=time(10), closes=time(14))
    OpeningHours.objects.create(service=local, kind="exception", valid_from=date(2099, 12, 24))
    open_weekdays(local)
    national = make_service("Nasjonal linje", covers_whole_country=True, min_age=12, max_age=30)
    add_phone(national, "116 006")
    shelter = make_service("Skjult", municipalities=["1804"])
    Location.objects.create(
        service=shelter,
        municipality=Municipality.objects.get(number="1804"),
        is_confidential=True,
    )
    make_service("Utkast", is_published=False)

    # A real server closes "old" database connections around each request; here that
    # would close the connection holding the test's transaction. Django's own test client
    # stops it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/public/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        cache.clear()  # the rate limit's counters


POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
OPERATIONS = [
    pytest.param(path, method.upper(), mode, id=f"{method.upper()} {path} {mode}")
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    # Invalid input needs a parameter that can be invalid: any string is a valid header,
    # and any string without "/" a valid id in a path.
    for mode in (POSITIVE, NEGATIVE)
    if mode == POSITIVE or any(p["in"] == "query" for p in operation["parameters"])
]


def together(case, operation: dict) -> bool:
    """Whether ``case`` gives parameters the operation declares mutually exclusive
    (``x-mutually-exclusive``), or one without those it needs (``x-dependent-required``),
    which valid input never does."""
    query = case.query or {}
    dependent = operation.get("x-dependent-required", {})
    return any(
        all(name in query for name in group) for group in operation.get("x-mutually-exclusive", [])
    ) or any(
        name in query and not all(needed in query for needed in needs)
        for name, needs in dependent.items()
    )


# One test per operation and kind of input (valid, invalid), with Hypothesis driving
# schemathesis's strategies directly: its pytest plugin's lazy-fixture loader does not run
# on pytest 9.2, and a schema loaded at import could not reach the test database.
@pytest.mark.parametrize(("path", "method", "mode"), OPERATIONS)
def test_public_api_keeps_its_documented_promises(public_api, path, method, mode):
    operation = public_api[path][method]
    declared = DOCUMENT["paths"][path][method.lower()]
    strategy = operation.as_strategy(generation_mode=mode)
    if mode == POSITIVE:
        strategy = strategy.filter(lambda case: not together(case, declared))

    @given(case=strategy)
    @hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(checks=CHECKS)

    call()


def test_answers_with_data_match_the_schema(public_api):
    """Generated input mostly meets 400s and 404s; these requests get full answers."""
    local = Service.objects.get(name_nb="Krisesenteret i Bodø")
    make_service("Borte").delete()  # a departure for the syncs below
    services = public_api["/api/v1/public/services"]["GET"]
    hsds_services = public_api["/api/v1/public/hsds/services"]["GET"]
    gaps = public_api["/api/v1/public/gaps"]["GET"]
    gaps_csv = public_api["/api/v1/public/gaps.csv"]["GET"]
    # Unmet needs in Oslo in Q1 2025, published beside withheld figures.
    site = make_site("Skjemasenteret")
    for n in range(12):
        make_call(
            site,
            date(2025, 2, 3 + n),
            municipality="0301",
            unmet_reason="no_service" if n % 2 else "full",
            unmet_service_type=ServiceType.objects.get(code="krisesenter"),
        )
    cases = [
        services.Case(query={}),
        services.Case(query={"municipality": "1804", "page_size": 2, "page": 2}),
        services.Case(query={"postcode": "8006", "topic": ["voldtekt"], "open": "0"}),
        hsds_services.Case(query={}),
        hsds_services.Case(query={"per_page": 1, "page": 2, "municipality": "1804"}),
        hsds_services.Case(query={"modified_after": "2000-01-01T00:00:00Z"}),
        services.Case(query={"changed_since": "2000-01-01T00:00:00Z"}),
        public_api["/api/v1/public/hsds/service_at_locations"]["GET"].Case(
            query={"postcode": "8006", "proximity": 10_000}
        ),
        public_api["/api/v1/public/hsds/organizations"]["GET"].Case(query={"full_service": "true"}),
        public_api["/api/v1/public/hsds/services/{id}"]["GET"].Case(
            path_parameters={"id": str(local.uuid)}
        ),
        public_api["/api/v1/public/openapi.json"]["GET"].Case(),
        gaps.Case(query={"quarter": "2025-Q1"}),
        gaps.Case(query={"quarter": "2025-Q1", "county": "03"}),
        gaps_csv.Case(query={"quarter": "2025-Q1", "county": "03"}),
    ]
    for case in cases:
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 200, case


def test_the_document_is_valid_openapi_3_1():
    import jsonschema_rs
    from schemathesis.specs.openapi.definitions import OPENAPI_31

    errors = [str(error) for error in jsonschema_rs.validator_for(OPENAPI_31).iter_errors(DOCUMENT)]
    assert errors == []
