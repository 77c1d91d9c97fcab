"""A service's contact e-mail for the directory (issue 24) is never public and never
exported: not in the public API, not in any HSDS output, not in the export file, not on
the desk. The address is planted on a published service and searched for everywhere."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_confirming_service

pytestmark = pytest.mark.django_db
SECRET = "kontakt-hemmelig@senter.example.no"


@pytest.fixture
def service():
    return make_confirming_service(contact_email=SECRET, covers_whole_country=True)


def test_not_in_the_public_api_nor_hsds(client, service):
    service_id = str(service.uuid)
    organization_id = str(service.organization.uuid)
    urls = [
        reverse("api:public_services"),
        reverse("api:public_services") + "?municipality=1804",
        reverse("api:public_hsds_services"),
        reverse("api:public_hsds_service", args=[service_id]),
        reverse("api:public_hsds_organizations"),
        reverse("api:public_hsds_organization", args=[organization_id]),
        reverse("api:public_hsds_service_at_locations"),
        reverse("api:public_openapi"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
        assert "contact_email" not in response.content.decode(), url
    # The service is really in them: the test would pass on empty answers otherwise.
    detail = client.get(reverse("api:public_hsds_service", args=[service_id])).json()
    assert detail["name"] == "Senter mot incest Bodø"


def test_not_in_the_hsds_export(tmp_path, service):
    path = tmp_path / "export"
    call_command("export_hsds", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    assert files
    exported = "".join(p.read_text(errors="replace") for p in files)
    assert "Senter mot incest Bodø" in exported
    assert SECRET not in exported


def test_not_on_the_desk_nor_in_the_staff_search(operator_client, service):
    page = operator_client.get(reverse("desk:home"), {"where": "Bodø", "topic": "incest"})
    assert "Senter mot incest Bodø" in page.text
    assert SECRET not in page.text
    api = operator_client.get(reverse("api:search"), {"municipality": "1804"})
    assert api.status_code == 200
    assert SECRET not in json.dumps(api.json())
