"""Everything the directory writes as HSDS validates against the official HSDS 3.0.1
schemas (services_directory/hsds/schemas/, Draft 2020-12, formats checked)."""

import copy

import pytest
from django.db import transaction
from django.urls import reverse

from services_directory.demo import load_demo_directory
from services_directory.hsds import export_services, import_services
from services_directory.hsds.schema import page_errors, schema_errors
from services_directory.models import Service
from tests.factories import rich_directory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_directory(django_db_setup, django_db_blocker):
    """The demo directory, loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo_directory()
        try:
            yield
        finally:
            transaction.set_rollback(True)


def every_optional_field() -> list[dict]:
    """The richest records the profile takes: every optional field and extension."""
    records = rich_directory()
    rich = records[0]
    rich["fees_description"] = "Gratis for alle under 25"
    rich["x_translations"]["en"]["fees_description"] = "Free for everyone under 25"
    rich["organization"]["organization_identifiers"] = [
        {"identifier_scheme": "NO-BRC", "identifier": "974760673", "identifier_type": "orgnr"}
    ]
    rich["service_at_locations"][0]["location"]["x_confidential"] = False
    return records


def test_the_demo_directory_exports_valid_services(demo_directory):
    exported, _warnings = export_services()
    assert len(exported) == Service.objects.public().count() > 30
    errors = [f"{e['x_id']}: {error}" for e in exported for error in schema_errors(e, "service")]
    assert errors == []


def test_a_directory_using_every_optional_field_exports_valid_services():
    import_services(every_optional_field())
    # Only these records: the demo directory may be loaded too (module fixture).
    exported = [e for e in export_services()[0] if e["x_id"] in ("svc-rich", "svc-second")]
    assert len(exported) == 2
    # The export really uses the optional parts the schema has to judge.
    rich = next(entry for entry in exported if entry["x_id"] == "svc-rich")
    for key in (
        "additional_urls",
        "email",
        "url",
        "fees_description",
        "minimum_age",
        "maximum_age",
        "last_modified",
        "x_chat_schedules",
        "x_translations",
    ):
        assert rich.get(key), key
    assert rich["organization"]["organization_identifiers"]
    assert rich["phones"][0]["x_schedules"]
    assert any("latitude" in sal["location"] for sal in rich["service_at_locations"])
    assert {"valid_from", "x_public_holidays", "freq"} <= {
        key for schedule in rich["schedules"] for key in schedule
    }
    assert {term["taxonomy_term"]["taxonomy"] for term in rich["attributes"]} == {
        "service_type",
        "topic",
        "target_group",
        "accessibility",
    }
    errors = [e for entry in exported for e in schema_errors(entry, "service")]
    assert errors == []


def test_the_schemas_find_what_was_wrong_before():
    """The check is not vacuous: the export before this profile change failed it."""
    import_services(every_optional_field())
    entry = next(e for e in export_services()[0] if e["x_id"] == "svc-rich")
    old = copy.deepcopy(entry)
    old["id"] = "no-hotline-service-1"
    del old["attributes"][0]["taxonomy_term"]["description"]
    errors = schema_errors(old, "service")
    assert any(error.startswith("id: ") and "uuid" in error for error in errors)
    assert any(
        error.startswith("attributes[0].taxonomy_term: ") and "description" in error
        for error in errors
    )


def test_the_hsds_api_gives_valid_objects(client, settings):
    settings.PUBLIC_API_RATE_LIMIT = 100_000
    import_services(every_optional_field())
    page = client.get(reverse("api:public_hsds_services"), {"per_page": 100}).json()
    assert {"svc-rich", "svc-second"} <= {entry["x_id"] for entry in page["contents"]}
    assert page_errors(page, "service_list") == []
    assert [e for entry in page["contents"] for e in schema_errors(entry, "service")] == []
    service = Service.objects.get(hsds_id="svc-rich")
    detail = client.get(reverse("api:public_hsds_service", kwargs={"id": str(service.uuid)})).json()
    assert schema_errors(detail, "service") == []
