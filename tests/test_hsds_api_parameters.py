"""The HSDS 3.0.1 parameters the standard defines and the directory once refused:
``postcode`` and ``proximity`` on /service_at_locations, ``format=ndjson`` on every list,
``full_service`` on /organizations, ``top_only`` and ``parent_id`` on /taxonomy_terms;
each with its bad input (a 400 naming the parameter)."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from services_directory.hsds.profile import taxonomy_term_id
from services_directory.hsds.schema import schema_errors
from services_directory.models import Organization, Topic
from tests.factories import BODO, NARVIK, OSLO, add_location, add_phone, make_service


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PUBLIC_API_RATE_LIMIT = 100_000
    settings.SIMPLE_HISTORY_ENABLED = False
    yield
    cache.clear()


def url(name: str, **kwargs) -> str:
    return reverse(f"api:public_hsds{name}", kwargs=kwargs or None)


def get(client, name: str, params=None, **kwargs):
    response = client.get(url(name, **kwargs), params or {})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def directory(db):
    organization = Organization.objects.create(name="Bodø kommune")
    bodo = make_service("Bodø senter", municipalities=[BODO], organization=organization)
    add_location(bodo, BODO)
    add_phone(bodo, "75 55 55 55")
    narvik = make_service("Narvik senter", municipalities=[NARVIK])
    add_location(narvik, NARVIK)
    national = make_service("Nasjonal linje", covers_whole_country=True)
    add_location(national, OSLO)
    # A national service whose only public address is in Oslo and whose confidential
    # one is in Bodø: near Bodø it must not be, or distances would betray the shelter.
    hidden = make_service("Hemmelig krisesenter", covers_whole_country=True)
    add_location(hidden, OSLO)
    secret = add_location(hidden, BODO, confidential=True)
    secret.address = "Hemmelig vei 9"
    secret.save()
    return {"bodo": bodo, "narvik": narvik, "national": national, "hidden": hidden}


def names(page: dict) -> list[str]:
    return [entry["service"]["name"] for entry in page["contents"]]


def test_postcode_gives_the_services_whose_coverage_includes_it(client, directory):
    assert sorted(names(get(client, "_service_at_locations", {"postcode": "8006"}))) == [
        "Bodø senter",
        "Hemmelig krisesenter",
        "Nasjonal linje",
    ]
    oslo = names(get(client, "_service_at_locations", {"postcode": "0150"}))
    assert sorted(oslo) == ["Hemmelig krisesenter", "Nasjonal linje"]


def test_proximity_measures_from_public_addresses_only(client, directory):
    near = get(client, "_service_at_locations", {"postcode": "8006", "proximity": "10000"})
    assert names(near) == ["Bodø senter"]
    # Coverage still applies: Narvik's centre is near enough at 200 km but does not
    # cover Bodø; nor does the shelter's confidential address in Bodø count.
    far = get(client, "_service_at_locations", {"postcode": "8006", "proximity": "200000"})
    assert names(far) == ["Bodø senter"]
    everywhere = get(client, "_service_at_locations", {"postcode": "8006", "proximity": "3000000"})
    # Nearest first: Bodø, then the two Oslo addresses (in their usual order).
    assert names(everywhere) == ["Bodø senter", "Hemmelig krisesenter", "Nasjonal linje"]
    assert b"Hemmelig vei" not in json.dumps(everywhere).encode()
    assert names(get(client, "_service_at_locations", {"postcode": "9170"})) == [
        "Hemmelig krisesenter",
        "Nasjonal linje",
    ]
    # Longyearbyen has no municipality, so no centre: nothing is within any distance.
    svalbard = {"postcode": "9170", "proximity": "3000000"}
    assert names(get(client, "_service_at_locations", svalbard)) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"postcode": "abc"}, "postcode"),
        ({"postcode": "0000"}, "postcode"),
        ({"postcode": "80061"}, "postcode"),
        ({"postcode": "8006", "proximity": "-1"}, "proximity"),
        ({"postcode": "8006", "proximity": "ten"}, "proximity"),
        ({"postcode": "8006", "proximity": "3000001"}, "proximity"),
        ({"postcode": "8006", "proximity": "١٠"}, "proximity"),
        ({"proximity": "1000"}, "proximity"),
        ({"format": "xml"}, "format"),
        ({"format": ""}, "format"),
    ],
)
def test_bad_postcode_proximity_or_format_is_a_400_naming_it(client, db, params, field):
    response = client.get(url("_service_at_locations"), params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(
    ("name", "item"),
    [
        ("_services", "service"),
        ("_organizations", "organization_list"),
        ("_taxonomies", "taxonomy"),
        ("_taxonomy_terms", "taxonomy_term"),
        ("_service_at_locations", "service_at_location_list"),
    ],
)
def test_ndjson_streams_every_result_without_pages(client, directory, name, item):
    paged = get(client, name, {"per_page": 100})
    # page and per_page mean nothing without pages: everything comes, whatever they say.
    response = client.get(url(name), {"format": "ndjson", "per_page": 1, "page": 2})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert records == paged["contents"]
    assert all(schema_errors(record, item) == [] for record in records)
    assert "Hemmelig vei" not in "".join(lines)
    # The validators are there, so a poller gets a 304 for an unchanged stream.
    again = client.get(
        url(name),
        {"format": "ndjson", "per_page": 1, "page": 2},
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304


def test_ndjson_of_services_is_ordered_as_the_pages_and_filtered(client, directory):
    lines = client.get(url("_services"), {"format": "ndjson", "municipality": BODO})
    streamed = [json.loads(line)["name"] for line in b"".join(lines.streaming_content).splitlines()]
    paged = [
        entry["name"] for entry in get(client, "_services", {"municipality": BODO})["contents"]
    ]
    assert streamed == paged


def test_full_service_nests_the_services_in_full(client, directory):
    organization = directory["bodo"].organization
    listed = get(client, "_organizations", {"full": "true"})["contents"]
    full = get(client, "_organizations", {"full_service": "true"})["contents"]
    (bodo_listed,) = [o for o in listed if o["id"] == str(organization.uuid)]
    (bodo_full,) = [o for o in full if o["id"] == str(organization.uuid)]
    assert "phones" not in bodo_listed["services"][0]
    assert bodo_full["services"][0]["phones"][0]["number"] == "+4775555555"
    assert schema_errors(bodo_full, "organization") == []
    detail = get(client, "_organization", {"full_service": "true"}, id=str(organization.uuid))
    assert detail == bodo_full
    plain = get(client, "_organization", id=str(organization.uuid))
    assert "phones" not in plain["services"][0]
    assert (
        get(client, "_organization", {"full_service": "false"}, id=str(organization.uuid)) == plain
    )


@pytest.mark.parametrize("name", ["_organizations", "_organization"])
def test_a_bad_full_service_is_a_400_naming_it(client, directory, name):
    kwargs = {"id": str(directory["bodo"].organization.uuid)} if name == "_organization" else {}
    response = client.get(url(name, **kwargs), {"full_service": "maybe"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["full_service"]


def test_taxonomy_terms_are_flat(client, db):
    every = get(client, "_taxonomy_terms", {"per_page": 100})
    assert get(client, "_taxonomy_terms", {"per_page": 100, "top_only": "true"}) == every
    rape = taxonomy_term_id("topic", "voldtekt")
    assert get(client, "_taxonomy_terms", {"parent_id": rape})["contents"] == []
    assert every["total_items"] >= Topic.objects.filter(is_active=True).count()
    for params, field in (({"parent_id": "nope"}, "parent_id"), ({"top_only": "x"}, "top_only")):
        response = client.get(url("_taxonomy_terms"), params)
        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field]


def test_a_stream_holds_its_slot_until_it_is_sent(client, directory, settings):
    """The ndjson is made while it is sent, after the view returned: the concurrency
    limit must still count it, or a flood of streams would escape it."""
    from hotline.api.throttle import SLOT_SCOPE
    from hotline.slots import held

    response = client.get(url("_services"), {"format": "ndjson"})
    assert held(SLOT_SCOPE, settings.PUBLIC_API_SLOTS) == 1
    assert len(b"".join(response.streaming_content).splitlines()) == 4
    assert held(SLOT_SCOPE, settings.PUBLIC_API_SLOTS) == 0
    client.get(url("_services"))
    assert held(SLOT_SCOPE, settings.PUBLIC_API_SLOTS) == 0
