"""The HSDS 3.0.1 API (/api/v1/public/hsds/): its paths and parameters, answers valid
against the official schemas, and nothing private (the leak test in test_public_api.py
walks every endpoint here too)."""

import io
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from services_directory.hsds.profile import taxonomy_id, taxonomy_term_id
from services_directory.hsds.schema import page_errors, schema_errors
from services_directory.models import Location, Municipality, Organization, Service, Topic
from tests.factories import BODO, add_location, add_phone, make_service, open_weekdays


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PUBLIC_API_RATE_LIMIT = 100_000
    settings.SIMPLE_HISTORY_ENABLED = False
    yield
    cache.clear()


@pytest.fixture
def directory(db):
    organization = Organization.objects.create(name="Bodø kommune", hsds_id="org-bodo")
    local = make_service(
        "Krisesenteret i Bodø",
        topics=["voldtekt"],
        types=["krisesenter"],
        municipalities=[BODO],
        organization=organization,
        hsds_id="bodo-1",
    )
    add_location(local, BODO)
    add_location(local, BODO, confidential=True)
    add_phone(local, "75 55 55 55")
    open_weekdays(local)
    national = make_service("Nasjonal linje", covers_whole_country=True, topics=["incest"])
    add_phone(national, "800 57 000")
    secret_org = Organization.objects.create(name="HEMMELIG organisasjon")
    draft = make_service("Utkast", is_published=False, organization=secret_org)
    add_location(draft, BODO)
    shelter = make_service("Skjult", municipalities=[BODO])
    Location.objects.create(
        service=shelter, municipality=Municipality.objects.get(number=BODO), is_confidential=True
    )
    return {"local": local, "national": national, "draft": draft, "shelter": shelter}


def url(name: str, **kwargs) -> str:
    return reverse(f"api:public_hsds{name}", kwargs=kwargs or None)


def get(client, name: str, params=None, **kwargs):
    response = client.get(url(name, **kwargs), params or {})
    assert response.status_code == 200, response.content
    return response.json()


def test_the_root_says_version_profile_and_openapi(client, db):
    body = get(client, "")
    assert body == {
        "version": "3.0.1",
        "profile": "http://testserver/api/v1/public/hsds/profile",
        "openapi_url": "http://testserver/api/v1/public/openapi.json",
    }
    profile = client.get(url("_profile"))
    assert profile["Content-Type"] == "text/markdown; charset=utf-8"
    assert "Norwegian helpline profile" in profile.text


def test_services_by_hsds_id_readable_id_too(client, directory):
    local = directory["local"]
    by_uuid = get(client, "_service", id=str(local.uuid))
    assert by_uuid["id"] == str(local.uuid) and by_uuid["x_id"] == "bodo-1"
    assert get(client, "_service", id="bodo-1") == by_uuid
    national = directory["national"]
    assert get(client, "_service", id=f"no-hotline-service-{national.pk}")["id"] == str(
        national.uuid
    )
    # A draft is not found by any of its ids; nor is the database key.
    for identifier in (str(directory["draft"].uuid), str(local.pk)):
        response = client.get(url("_service", id=identifier))
        assert response.status_code == 404
        assert list(response.json()["errors"]) == ["id"]


def test_the_export_file_holds_only_what_the_api_serves_anyone(client, directory, tmp_path):
    # Why manage.py export_hsds is not in the audit log (docs/operations.md).
    path = tmp_path / "export.json"
    call_command("export_hsds", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert {entry["x_id"] for entry in exported} == {
        "bodo-1",
        *(f"no-hotline-service-{directory[name].pk}" for name in ("national", "shelter")),
    }
    assert exported == [get(client, "_service", id=entry["id"]) for entry in exported]
    listed = get(client, "_services", {"per_page": 50})["contents"]
    assert sorted(entry["id"] for entry in listed) == [entry["id"] for entry in exported]


def test_service_filters(client, directory):
    local, national = directory["local"], directory["national"]

    def names(params):
        return [entry["name"] for entry in get(client, "_services", params)["contents"]]

    everything = names({})
    assert everything == ["Krisesenteret i Bodø", "Nasjonal linje", "Skjult"]
    assert names({"search": "bodø"}) == ["Krisesenteret i Bodø"]
    rape = taxonomy_term_id("topic", "voldtekt")
    assert names({"taxonomy_term_id": rape}) == ["Krisesenteret i Bodø"]
    assert names({"taxonomy_term_id": "topic:incest"}) == ["Nasjonal linje"]
    assert names({"taxonomy_id": taxonomy_id("service_type")}) == ["Krisesenteret i Bodø"]
    assert names({"organization_id": str(local.organization.uuid)}) == ["Krisesenteret i Bodø"]
    # The triggers stamp with the database's clock, which time_machine does not move.
    Service.objects.filter(pk=national.pk).update(
        public_updated_at=timezone.now() + timedelta(days=2)
    )
    later = (timezone.now() + timedelta(days=1)).isoformat()
    assert names({"modified_after": later}) == ["Nasjonal linje"]
    # Any moment the standard allows is answered, the very first and last too.
    assert names({"modified_after": "0001-01-01T00:00:00+01:00"}) == everything
    assert names({"modified_after": "9999-12-31T23:59:59-01:00"}) == []
    # Combined with the desk's filters, e.g. a place.
    assert names({"municipality": BODO, "search": "linje"}) == ["Nasjonal linje"]


def test_full_and_minimal_shapes(client, directory):
    full = get(client, "_services")["contents"][0]
    listed = get(client, "_services", {"full": "false"})["contents"][0]
    minimal = get(client, "_services", {"minimal": "true"})["contents"][0]
    assert "phones" in full and "schedules" in full
    assert "phones" not in listed and listed["organization"]["name"] == "Bodø kommune"
    assert set(minimal) == {"id", "name", "status", "last_modified"}
    response = client.get(url("_services"), {"minimal": "true", "full": "true"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["minimal"]


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("_services", {"colour": "red"}, "colour"),
        ("_services", {"taxonomy_term_id": "nope"}, "taxonomy_term_id"),
        ("_services", {"taxonomy_id": "nope"}, "taxonomy_id"),
        ("_services", {"organization_id": "not-a-uuid"}, "organization_id"),
        ("_services", {"modified_after": "yesterday"}, "modified_after"),
        ("_services", {"modified_after": "2026-01-01T00:00"}, "modified_after"),  # no offset
        ("_services", {"modified_after": "2026-02-30T00:00:00Z"}, "modified_after"),
        ("_services", {"full": "maybe"}, "full"),
        ("_services", {"page": "١"}, "page"),  # Arabic-Indic digit one
        ("_services", {"per_page": "101"}, "per_page"),
        ("_services", {"q": "x"}, "q"),
        ("_organizations", {"taxonomy_term_id": "x"}, "taxonomy_term_id"),
        ("_organizations", {"per_page": "٢"}, "per_page"),
        ("_taxonomies", {"full": "true"}, "full"),
        ("_taxonomy_terms", {"taxonomy_id": "colour"}, "taxonomy_id"),
        ("_service_at_locations", {"minimal": "true"}, "minimal"),
        ("", {"page": "1"}, "page"),
    ],
)
def test_unknown_and_bad_parameters_are_a_400_naming_them(client, db, name, params, field):
    response = client.get(url(name), params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_a_detail_refuses_parameters_too(client, directory):
    response = client.get(url("_service", id="bodo-1"), {"full": "true"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["full"]


def test_organizations_only_with_a_public_service(client, directory):
    page = get(client, "_organizations")
    names = [entry["name"] for entry in page["contents"]]
    assert "HEMMELIG organisasjon" not in names
    assert "Bodø kommune" in names
    local = directory["local"]
    detail = get(client, "_organization", id=str(local.organization.uuid))
    assert [service["name"] for service in detail["services"]] == ["Krisesenteret i Bodø"]
    assert get(client, "_organization", id="org-bodo") == detail
    secret = directory["draft"].organization
    assert client.get(url("_organization", id=str(secret.uuid))).status_code == 404
    assert get(client, "_organizations", {"search": "bodø"})["total_items"] == 1


def test_taxonomies_and_terms(client, db):
    taxonomies = get(client, "_taxonomies")["contents"]
    assert [t["name"] for t in taxonomies] == [
        "service_type",
        "topic",
        "target_group",
        "accessibility",
    ]
    topic = get(client, "_taxonomy", id=taxonomy_id("topic"))
    assert topic["name"] == "topic"
    terms = get(client, "_taxonomy_terms", {"taxonomy_id": topic["id"], "per_page": 100})
    assert terms["total_items"] == Topic.objects.filter(is_active=True).count()
    rape = get(client, "_taxonomy_term", id=taxonomy_term_id("topic", "voldtekt"))
    assert (rape["code"], rape["taxonomy_id"]) == ("voldtekt", topic["id"])
    assert get(client, "_taxonomy_terms", {"search": "voldtekt"})["total_items"] >= 1
    assert client.get(url("_taxonomy_term", id="nope")).status_code == 404
    assert client.get(url("_taxonomy", id="nope")).status_code == 404


def test_service_at_locations_are_public_addresses_only(client, directory):
    page = get(client, "_service_at_locations")
    local = directory["local"]
    (public,) = [loc for loc in local.locations.all() if not loc.is_confidential]
    assert [entry["location_id"] for entry in page["contents"]] == [str(public.uuid)]
    entry = page["contents"][0]
    assert entry["service"]["name"] == "Krisesenteret i Bodø"
    assert "phones" not in entry["service"]  # list-shaped unless full=true
    detail = get(client, "_service_at_location", id=entry["id"])
    assert detail["location"] == entry["location"] and "phones" in detail["service"]
    hidden = [
        loc for s in (directory["draft"], directory["shelter"], local) for loc in s.locations.all()
    ]
    for location in hidden:
        if location.pk != public.pk:
            from services_directory.hsds.exporter import service_at_location_id

            sal = service_at_location_id(location)
            assert client.get(url("_service_at_location", id=sal)).status_code == 404
    assert get(client, "_service_at_locations", {"search": "nasjonal"})["total_items"] == 0


def test_every_answer_is_valid_against_the_official_schemas(client, directory):
    local = directory["local"]
    pages = {
        "_services": "service_list",
        "_organizations": "organization_list",
        "_taxonomies": "taxonomy",
        "_taxonomy_terms": "taxonomy_term",
        "_service_at_locations": "service_at_location_list",
    }
    errors = []
    for name, item in pages.items():
        for params in ({}, {"full": "true"}, {"full": "false"}, {"minimal": "true"}):
            response = client.get(url(name), params | {"per_page": 100})
            if response.status_code == 200:
                errors += [f"{name} {params} {e}" for e in page_errors(response.json(), item)]
    sal = get(client, "_service_at_locations")["contents"][0]["id"]
    details = [
        ("_service", str(local.uuid), "service"),
        ("_organization", str(local.organization.uuid), "organization"),
        ("_taxonomy", taxonomy_id("topic"), "taxonomy"),
        ("_taxonomy_term", taxonomy_term_id("topic", "voldtekt"), "taxonomy_term"),
        ("_service_at_location", sal, "service_at_location_list"),
    ]
    for name, identifier, schema in details:
        errors += [f"{name} {e}" for e in schema_errors(get(client, name, id=identifier), schema)]
    assert errors == []
