"""Public answers kept in the cache (hotline/api/cached.py): a page asked for again is
served from the cache with the same body and ETag, never after the directory changed,
never for a filtered request (a search), and never with anything staff-only in it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services_directory.models import Location, Organization, Service
from tests.factories import BODO, add_location, add_phone, make_service

SERVICES = reverse("api:public_services")
HSDS_SERVICES = reverse("api:public_hsds_services")
HSDS_LOCATIONS = reverse("api:public_hsds_service_at_locations")
HSDS_ORGANIZATIONS = reverse("api:public_hsds_organizations")
LISTS = (SERVICES, HSDS_SERVICES, HSDS_LOCATIONS, HSDS_ORGANIZATIONS)
CONFIDENTIAL_ADDRESS = "Hemmeligveien 7"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PUBLIC_API_RATE_LIMIT = 100_000
    settings.SIMPLE_HISTORY_ENABLED = False


@pytest.fixture
def directory(db):
    local = make_service("Krisesenteret i Bodø", topics=["voldtekt"], municipalities=[BODO])
    add_location(local, BODO)
    add_phone(local, "75 55 55 55")
    shelter = make_service("Skjult", municipalities=[BODO])
    hidden = add_location(shelter, BODO, confidential=True)
    Location.objects.filter(pk=hidden.pk).update(address=CONFIDENTIAL_ADDRESS)
    make_service("Nasjonal linje", covers_whole_country=True)
    return {"local": local, "shelter": shelter}


def kept() -> dict[str, bytes]:
    """The public answers in the (local-memory) cache, by key."""
    return {key: value for key, value in cache._cache.items() if "public-answer" in key}  # type: ignore[attr-defined]


def queries(client, url, **params) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    return response, len(captured)


@pytest.mark.parametrize("url", LISTS)
def test_a_page_asked_for_again_costs_about_a_304(client, directory, url):
    params = {"per_page": 100} if "hsds" in url else {"page_size": 100}
    first, cold = queries(client, url, **params)
    second, warm = queries(client, url, **params)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"]
    assert len(kept()) == 1
    with CaptureQueriesContext(connection) as captured:
        not_modified = client.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    # What a 304 reads, and the search index's state: no ranking, no rows, no JSON.
    assert warm <= len(captured) + 1 < cold


def test_a_current_copy_still_gets_a_304(client, directory):
    etag = client.get(HSDS_SERVICES)["ETag"]
    response = client.get(HSDS_SERVICES, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""


@pytest.mark.parametrize("url", LISTS)
def test_an_edit_is_served_at_once(client, directory, url):
    client.get(url)
    local = directory["local"]
    local.name_nb = "Salten centre"
    local.save()
    organization = local.organization
    organization.name = "Salten org"
    organization.save()
    body = client.get(url).content.decode()
    assert "Salten org" in body if url == HSDS_ORGANIZATIONS else "Salten centre" in body


@pytest.mark.parametrize("url", LISTS)
def test_a_bulk_update_that_leaves_updated_at_is_served_at_once(client, directory, url):
    # An update() moves no updated_at; the database triggers still stamp the public time
    # that the ETag and the cache key follow.
    client.get(url)
    Service.objects.filter(pk=directory["local"].pk).update(name_nb="Renamed centre")
    Organization.objects.filter(services=directory["local"]).update(name="Renamed org")
    body = client.get(url).content.decode()
    assert "Renamed org" in body if url == HSDS_ORGANIZATIONS else "Renamed centre" in body


@pytest.mark.parametrize("url", LISTS)
def test_moving_a_confidential_address_keeps_the_cached_page(client, directory, url):
    # A miss would render the page anew, and the time that takes would tell that a
    # shelter moved; the staff side still sees the new address
    # (test_confidential_location_attack).
    first = client.get(url)
    before = kept()
    Location.objects.filter(service=directory["shelter"]).update(address="Ny gate 2")
    second = client.get(url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert kept() == before


def test_an_unpublished_service_leaves_the_cached_page(client, directory):
    assert "Nasjonal linje" in client.get(HSDS_SERVICES).content.decode()
    Service.objects.filter(name_nb="Nasjonal linje").update(is_published=False)
    assert "Nasjonal linje" not in client.get(HSDS_SERVICES).content.decode()


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (SERVICES, {"where": BODO}),
        (SERVICES, {"topic": "voldtekt"}),
        (HSDS_SERVICES, {"search": "Bodø"}),
        (HSDS_SERVICES, {"open": "1"}),
        (HSDS_ORGANIZATIONS, {"search": "kommune"}),
        (HSDS_LOCATIONS, {"taxonomy_id": "topic"}),
    ],
)
def test_a_filtered_request_is_a_search_and_never_kept(client, directory, url, params):
    response = client.get(url, params)
    assert response.status_code == 200
    assert kept() == {}


def test_nothing_staff_only_is_kept(client, operator_client, directory):
    for url in LISTS:
        client.get(url, {"full": "true"} if url == HSDS_LOCATIONS else {})
    operator_client.get(reverse("api:search"), {"where": BODO})
    values = kept().values()
    assert len(values) == len(LISTS)
    # Local memory keeps values pickled: the bodies' bytes are in them as they are.
    assert all(b"Krisesenteret i Bod" in value for value in values)
    assert not any(CONFIDENTIAL_ADDRESS.encode() in value for value in values)


def test_each_host_gets_its_own_links(client, directory, settings):
    settings.ALLOWED_HOSTS = ["testserver", "portal.example"]
    client.get(SERVICES, {"page_size": 1})
    body = client.get(SERVICES, {"page_size": 1}, HTTP_HOST="portal.example").json()
    assert body["next"].startswith("http://portal.example/")


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (SERVICES, "page_size"),
        (HSDS_SERVICES, "per_page"),
        (HSDS_LOCATIONS, "per_page"),
        (HSDS_ORGANIZATIONS, "per_page"),
        (reverse("api:public_hsds_taxonomy_terms"), "per_page"),
    ],
)
@pytest.mark.parametrize("size", ["0", "101", "1e9", "-1"])
def test_page_sizes_are_capped(client, directory, url, field, size):
    response = client.get(url, {field: size})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert kept() == {}


@pytest.mark.parametrize("url", LISTS)
def test_writes_are_refused(client, directory, url):
    response = client.post(url)
    assert response.status_code == 405
    assert kept() == {}


def test_a_page_past_the_end_is_not_kept(client, directory):
    response = client.get(HSDS_SERVICES, {"page": 99})
    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["page"]
    assert kept() == {}
