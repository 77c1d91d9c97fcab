"""The open API for the web portal (/api/v1/public/): what it shows, what it never shows,
filters and pages, HSDS, caching validators, CORS and the rate limit."""

import json
import re
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from hotline.api.openapi import DOCUMENT, current_body
from services_directory import hsds, search_index
from services_directory.hours import OSLO
from services_directory.models import (
    AccessibilityFeature,
    ContactChannel,
    County,
    Language,
    Location,
    Municipality,
    OpeningHours,
    Organization,
    Service,
)
from tests.factories import add_location, add_phone, make_service, open_weekdays

SERVICES = reverse("api:public_services")
HSDS_SERVICES = reverse("api:public_hsds_services")
OPENAPI = reverse("api:public_openapi")
BODO, NARVIK, OSLO_NUMBER, VAGAN = "1804", "1806", "0301", "1865"
MONDAY_MORNING = datetime(2027, 2, 8, 9, 0, tzinfo=OSLO)

# Unique strings that must never leave through the public API.
SECRET_NOTE = "OPNOTE-7f3a"
SECRET_NAME = "CONFNAME-7f3a"
SECRET_ADDRESS = "CONFADDR-7f3a"
SECRET_POSTCODE = "ZQXV"
SECRET_LATITUDE, SECRET_LONGITUDE = 68.2345678, 14.5678912
DRAFT = "DRAFT-7f3a"
INACTIVE = "INACTIVE-7f3a"
CLOSED = "TEMPCLOSED-7f3a"
MARKERS = (SECRET_NOTE, SECRET_NAME, SECRET_ADDRESS, SECRET_POSTCODE, DRAFT, INACTIVE, CLOSED)


def hsds_service_url(service) -> str:
    return reverse("api:public_hsds_service", kwargs={"id": str(service.uuid)})


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PUBLIC_API_RATE_LIMIT = 100_000
    # Change history is not what these tests are about, and writing it is most of the
    # fixture's cost.
    settings.SIMPLE_HISTORY_ENABLED = False
    yield
    # The rate limit's counters would follow later tests from the same address.
    cache.clear()


@pytest.fixture
def directory(db):
    """A local centre in Bodø (every field filled), a regional one in Narvik, a national
    line, a shelter with only a confidential address, and services that must not show."""
    nordland = County.objects.get(number="18")
    local = make_service(
        "Local centre",
        topics=["voldtekt"],
        groups=["kvinner"],
        types=["krisesenter"],
        municipalities=[BODO],
        description="Hjelp etter voldtekt.",
        organization=Organization.objects.create(
            name="Bodø kommune", url="https://bodo.example.no", organization_number="972418013"
        ),
        min_age=16,
        operator_note=SECRET_NOTE,
    )
    local.name_en, local.description_en = "Local centre (en)", "Help after rape."
    local.save()
    local.languages.set(Language.objects.filter(code__in=["nb", "ar"]))
    local.accessibility.set(AccessibilityFeature.objects.filter(code="rullestol"))
    location = add_location(local, BODO)
    location.name, location.postcode = "Sentrum", "8006"
    location.save()
    phone = add_phone(local, "75 55 55 55", "Døgnvakt")
    chat = ContactChannel.objects.create(
        service=local, kind="chat", value="https://chat.example.no", position=2
    )
    OpeningHours.objects.create(
        service=local, channel=chat, weekday=0, opens=time(18), closes=time(22)
    )
    open_weekdays(local)
    OpeningHours.objects.create(
        service=local, kind="exception", valid_from=date(2027, 3, 1), valid_to=date(2027, 3, 2)
    )
    OpeningHours.objects.create(
        service=local, kind="exception", valid_from=date(2020, 1, 1)
    )  # long past

    regional = make_service("Regional centre", topics=["voldtekt"])
    regional.coverage_counties.set([nordland])
    add_location(regional, NARVIK)

    national = make_service("National line", covers_whole_country=True, topics=["incest"])
    add_phone(national, "800 57 000")
    for weekday in range(7):
        OpeningHours.objects.create(
            service=national, weekday=weekday, opens=time(0), closes=time(0)
        )

    shelter = make_service("Shelter", municipalities=[BODO], operator_note=SECRET_NOTE)
    Location.objects.create(
        service=shelter,
        municipality=Municipality.objects.get(number=VAGAN),
        name=SECRET_NAME,
        address=SECRET_ADDRESS,
        postcode=SECRET_POSTCODE,
        latitude=SECRET_LATITUDE,
        longitude=SECRET_LONGITUDE,
        is_confidential=True,
    )
    # The local centre also has a confidential address, next to its public one.
    Location.objects.create(
        service=local,
        municipality=Municipality.objects.get(number=VAGAN),
        name=SECRET_NAME,
        address=SECRET_ADDRESS,
        postcode=SECRET_POSTCODE,
        latitude=SECRET_LATITUDE,
        longitude=SECRET_LONGITUDE,
        is_confidential=True,
    )

    hidden = [
        make_service(DRAFT, is_published=False, municipalities=[BODO]),
        make_service(INACTIVE, status="inactive", municipalities=[BODO]),
        make_service(CLOSED, status="temporarily_closed", municipalities=[BODO]),
    ]
    for service in hidden:
        add_location(service, BODO)
        add_phone(service, "22 33 44 55", DRAFT)
    return {
        "local": local,
        "regional": regional,
        "national": national,
        "shelter": shelter,
        "hidden": hidden,
        "phone": phone,
    }


def names(response) -> list[str]:
    return [result["name"]["nb"] for result in response.json()["results"]]


def walk(value, path="$"):
    """Every (path, leaf) in a decoded JSON document, keys included."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", key
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")
    else:
        yield path, value


# --- What is shown -------------------------------------------------------------------------


def test_anonymous_gets_published_active_services_by_name(client, directory):
    response = client.get(SERVICES)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert names(response) == ["Local centre", "National line", "Regional centre", "Shelter"]


def test_a_service_in_full(client, directory):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        body = client.get(SERVICES, {"municipality": BODO}).json()
    service = directory["local"]
    result = body["results"][0]
    assert set(result) == set(DOCUMENT["components"]["schemas"]["Service"]["properties"])
    assert result["id"] == service.pk
    assert result["hsds_id"] == str(service.uuid)  # the id of /hsds/services/{id}
    assert result["name"] == {"nb": "Local centre", "en": "Local centre (en)"}
    assert result["description"] == {"nb": "Hjelp etter voldtekt.", "en": "Help after rape."}
    assert result["status"] == "active"
    assert result["organization"] == {
        "name": "Bodø kommune",
        "url": "https://bodo.example.no",
        "organization_number": "972418013",
    }
    assert result["service_types"] == ["krisesenter"]
    assert result["topics"] == ["voldtekt"]
    assert result["target_groups"] == ["kvinner"]
    assert result["accessibility"] == ["rullestol"]
    assert result["languages"] == ["ar", "nb"]
    assert (result["min_age"], result["max_age"]) == (16, None)
    assert result["free_of_charge"] is True
    assert result["coverage"] == {"whole_country": False, "counties": [], "municipalities": [BODO]}
    assert result["match"] == {"coverage": "local", "distance_km": 0.0}
    assert result["updated_at"].startswith(str(service.updated_at.year))

    hours = result["hours"]
    assert hours["weekly"][0] == {"day": "MO", "opens": "08:00", "closes": "16:00"}
    assert [row["day"] for row in hours["weekly"]] == ["MO", "TU", "WE", "TH", "FR"]
    assert hours["holiday_policy"] == "normal"
    assert hours["public_holidays"] == []
    # The exception from 2020 is over and left out.
    assert hours["exceptions"] == [{"from": "2027-03-01", "to": "2027-03-02", "spans": []}]
    assert hours["summary"] == {"nb": "Hverdager 08–16", "en": "Weekdays 08–16"}
    assert hours["open_now"] is True
    assert hours["closes_at"] == "2027-02-08T16:00:00+01:00"
    assert hours["opens_next"] is None
    assert hours["always_open"] is False

    assert result["phones"] == [
        {
            "kind": "phone",
            "number": "+4775555555",
            "display": "75 55 55 55",
            "description": {"nb": "Døgnvakt"},
            "hours": None,
        }
    ]
    (chat,) = result["channels"]
    assert chat["kind"] == "chat" and chat["value"] == "https://chat.example.no"
    assert chat["hours"]["weekly"] == [{"day": "MO", "opens": "18:00", "closes": "22:00"}]
    assert chat["hours"]["open_now"] is False
    assert chat["hours"]["opens_next"] == "2027-02-08T18:00:00+01:00"

    (location,) = result["locations"]  # the confidential one is left out
    assert location == {
        "name": "Sentrum",
        "address": "Storgata 1",
        "postcode": "8006",
        "place": "Bodø",
        "municipality": {"number": BODO, "name": "Bodø"},
        "county": {"number": "18", "name": "Nordland"},
        "latitude": location["latitude"],
        "longitude": location["longitude"],
    }
    assert body["location"] == {"municipality": BODO, "name": "Bodø", "county": "18"}
    assert body["at"] == "2027-02-08T09:00:00+01:00"


def test_closed_now_says_when_it_opens(client, directory):
    with time_machine.travel(datetime(2027, 2, 6, 23, 30, tzinfo=OSLO), tick=False):
        results = client.get(SERVICES).json()["results"]
    by_name = {result["name"]["nb"]: result["hours"] for result in results}
    assert by_name["Local centre"]["open_now"] is False
    assert by_name["Local centre"]["opens_next"] == "2027-02-08T08:00:00+01:00"
    assert by_name["National line"]["open_now"] and by_name["National line"]["always_open"]
    assert by_name["National line"]["summary"]["en"] == "Open 24/7"


# --- What is never shown ---------------------------------------------------------------


def _public_documents(client, directory):
    yield SERVICES, client.get(SERVICES).json()
    # Not Vågan itself: the answer names the place asked about.
    for params in ({"municipality": BODO}, {"municipality": NARVIK}, {"postcode": "8006"}):
        yield f"{SERVICES} {params}", client.get(SERVICES, params).json()
        yield f"{HSDS_SERVICES} {params}", client.get(HSDS_SERVICES, params).json()
    yield HSDS_SERVICES, client.get(HSDS_SERVICES).json()
    for key in ("local", "regional", "national", "shelter"):
        url = hsds_service_url(directory[key])
        yield url, client.get(url).json()
    yield OPENAPI, client.get(OPENAPI).json()
    # The rest of the HSDS API, lists in every shape and every detail they name.
    for name in (
        "services",
        "organizations",
        "taxonomies",
        "taxonomy_terms",
        "service_at_locations",
    ):
        url = reverse(f"api:public_hsds_{name}")
        for params in ({}, {"full": "true"}, {"full": "false"}, {"minimal": "true"}):
            response = client.get(url, params)
            if response.status_code == 400:  # minimal is for services only
                continue
            page = response.json()
            yield f"{url} {params}", page
            detail = f"api:public_hsds_{name.removesuffix('s').replace('taxonomie', 'taxonomy')}"
            for entry in page["contents"]:
                entry_url = reverse(detail, kwargs={"id": entry["id"]})
                yield entry_url, client.get(entry_url).json()
    for params in ({"search": "e"}, {"modified_after": "2000-01-01T00:00"}):
        yield f"{HSDS_SERVICES} {params}", client.get(HSDS_SERVICES, params).json()
    yield "hsds root", client.get(reverse("api:public_hsds")).json()


def test_nothing_private_leaves_through_any_endpoint(client, directory):
    checked = 0
    for where, document in _public_documents(client, directory):
        for path, leaf in walk(document):
            checked += 1
            if isinstance(leaf, str):
                for marker in MARKERS:
                    assert marker not in leaf, f"{marker} at {where} {path}"
                # The confidential address's municipality, Vågan, is nobody's coverage
                # (the OpenAPI document lists every municipality a parameter takes).
                if where != OPENAPI:
                    assert leaf not in (VAGAN, "Vågan"), f"{leaf} at {where} {path}"
            elif isinstance(leaf, float):
                assert leaf not in (SECRET_LATITUDE, SECRET_LONGITUDE), f"{where} {path}"
    assert checked > 5000


def test_distances_ignore_confidential_addresses(client, directory):
    # Vågan is where both confidential addresses are; the shelter has no public one.
    body = client.get(SERVICES, {"municipality": VAGAN}).json()
    matches = {result["name"]["nb"]: result["match"] for result in body["results"]}
    assert matches["Shelter"] == {"coverage": "outside", "distance_km": None}
    # Measured to the public address in Bodø (about 100 km), not the one in Vågan.
    assert matches["Local centre"]["distance_km"] > 50


@pytest.mark.parametrize("key", ["draft", "inactive", "closed"])
def test_hidden_services_are_404_as_hsds(client, directory, key):
    service = directory["hidden"][["draft", "inactive", "closed"].index(key)]
    response = client.get(hsds_service_url(service))
    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["id"]


@pytest.mark.parametrize(
    "path",
    [
        "nothing",
        "services/",
        "hsds/services/abc/def",
        "hsds/nothing",
        "x%0Ay%0A",
    ],
)
def test_other_addresses_are_a_json_404(client, db, path):
    response = client.get(f"/api/v1/public/{path}")
    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["__all__"]
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "identifier",
    ["999999", "abc", "-1", "\n", "12\n", "5b9e3f0e-2f4e-4d7a-8f59-0d7a2b1c9e11"],
)
def test_unknown_service_is_404(client, db, identifier):
    response = client.get(reverse("api:public_hsds_service", kwargs={"id": identifier}))
    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["id"]
    assert response["Access-Control-Allow-Origin"] == "*"


# --- Filters, order and pages ----------------------------------------------------------


def test_ranking_with_a_place_and_its_postcode(client, directory):
    expected = ["Local centre", "Shelter", "Regional centre", "National line"]
    assert names(client.get(SERVICES, {"municipality": BODO})) == expected
    assert names(client.get(SERVICES, {"postcode": "8006"})) == expected


def test_filters(client, directory):
    young = make_service("Youth line", groups=["unge"], types=["hjelpetelefon"], max_age=25)
    young.languages.set([Language.objects.get(code="so")])
    assert names(client.get(SERVICES, {"topic": "voldtekt"})) == [
        "Local centre",
        "Regional centre",
    ]
    assert names(client.get(SERVICES, {"topic": ["voldtekt", "incest"]})) == []
    assert names(client.get(SERVICES, {"group": "unge", "type": "hjelpetelefon"})) == ["Youth line"]
    assert names(client.get(SERVICES, {"language": "so"})) == ["Youth line"]
    assert "Youth line" not in names(client.get(SERVICES, {"age": 30}))
    with time_machine.travel(datetime(2027, 2, 6, 23, 30, tzinfo=OSLO), tick=False):
        assert names(client.get(SERVICES, {"open": "1"})) == ["National line"]


def test_pages(client, directory):
    first = client.get(SERVICES, {"page_size": 3, "topic": []}).json()
    assert first["count"] == 4
    assert len(first["results"]) == 3
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/public/services?page_size=3&page=2"
    second = client.get(first["next"]).json()
    assert [r["name"]["nb"] for r in second["results"]] == ["Shelter"]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/public/services?page_size=3&page=1"


def test_a_page_past_the_end_is_a_404_but_page_one_always_exists(client, directory):
    response = client.get(SERVICES, {"page": 2})
    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["page"]
    empty = client.get(SERVICES, {"topic": ["voldtekt", "incest"]})
    assert empty.status_code == 200
    assert empty.json()["count"] == 0 and empty.json()["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"topic": "no-such-topic"}, "topic"),
        ({"group": "nobody"}, "group"),
        ({"type": "spaceship"}, "type"),
        ({"municipality": "9999"}, "municipality"),
        ({"postcode": "12345"}, "postcode"),
        ({"municipality": BODO, "postcode": "8006"}, "postcode"),
        ({"language": "xx"}, "language"),
        ({"age": "200"}, "age"),
        ({"open": "yes"}, "open"),
        # The desk's other parameters are refused, not silently ignored.
        ({"q": "krisesenter"}, "q"),
        ({"at": "2027-02-08T09:00"}, "at"),
        ({"limit": "5"}, "limit"),
    ],
)
@pytest.mark.parametrize("url", [SERVICES, HSDS_SERVICES])
def test_bad_input_is_a_400_naming_the_field(client, db, url, params, field):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert all(isinstance(message, str) for message in errors[field])


# --- HSDS ----------------------------------------------------------------------------------


def test_hsds_page_is_the_export_profile(client, directory):
    body = client.get(HSDS_SERVICES, {"per_page": 3}).json()
    exported = {entry["id"]: entry for entry in hsds.export_services()[0]}
    assert {key: body[key] for key in body if key != "contents"} == {
        "total_items": 4,
        "total_pages": 2,
        "page_number": 1,
        "size": 3,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    for entry in body["contents"]:
        assert entry == exported[entry["id"]]
    last = client.get(HSDS_SERVICES, {"page": 2, "page_size": 3}).json()
    assert (last["size"], last["first_page"], last["last_page"]) == (1, False, True)
    assert [entry["name"] for entry in body["contents"] + last["contents"]] == [
        "Local centre",
        "National line",
        "Regional centre",
        "Shelter",
    ]


def test_hsds_empty_page(client, directory):
    body = client.get(HSDS_SERVICES, {"topic": ["voldtekt", "incest"]}).json()
    assert body["empty"] is True and body["contents"] == [] and body["total_items"] == 0


def test_hsds_page_size_has_one_name_at_a_time(client, db):
    response = client.get(HSDS_SERVICES, {"per_page": 3, "page_size": 3})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["per_page"]


def test_hsds_service_is_the_export_profile(client, directory):
    service = directory["local"]
    body = client.get(hsds_service_url(service)).json()
    (exported,) = [e for e in hsds.export_services()[0] if e["id"] == body["id"]]
    assert body == exported
    assert body["phones"][0]["number"] == "+4775555555"
    assert len(body["service_at_locations"]) == 1  # not the confidential one


def test_a_page_costs_a_fixed_number_of_queries(client, directory, django_assert_max_num_queries):
    for n in range(10):
        service = make_service(f"Extra {n}", municipalities=[BODO], topics=["voldtekt"])
        add_location(service, BODO)
        add_phone(service, "75 55 55 55")
        open_weekdays(service)
    search_index.current_index()  # built once per process, not per page
    with django_assert_max_num_queries(25):
        assert client.get(SERVICES, {"municipality": BODO}).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(HSDS_SERVICES, {"municipality": BODO}).status_code == 200


# --- Caching -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [SERVICES, HSDS_SERVICES, OPENAPI, f"{SERVICES}?municipality={BODO}"]
)
def test_validators_and_304(client, directory, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    etag, last_modified = response["ETag"], response["Last-Modified"]
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert not_modified["Access-Control-Allow-Origin"] == "*"
    assert not_modified["Cache-Control"] == "public, max-age=60"
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_single_service_validators(client, directory):
    local = directory["local"]
    local.refresh_from_db()  # its locations and channels stamped it after it was made
    url = hsds_service_url(local)
    response = client.get(url)
    assert response["Last-Modified"] == http_date(local.public_updated_at.timestamp())
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    local.save()  # nothing public changed
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    local.description = "Ny beskrivelse"
    local.save()
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 200


def test_last_modified_is_the_newest_published_change(client, directory):
    regional, draft = directory["regional"], directory["hidden"][0]
    regional.name = "Regionalt senter"
    regional.save()
    # A draft does not count, however new its change.
    Service.objects.filter(pk=draft.pk).update(public_updated_at=timezone.now() + timedelta(days=1))
    response = client.get(HSDS_SERVICES)
    regional.refresh_from_db()
    assert response["Last-Modified"] == http_date(regional.public_updated_at.timestamp())


def test_etag_changes_with_edits_removals_and_the_query(client, directory):
    def etag(params=None):
        return client.get(HSDS_SERVICES, params or {})["ETag"]

    first = etag()
    assert etag() == first
    assert etag({"page_size": 2}) != first
    directory["regional"].name = "Regionalt senter"
    directory["regional"].save()
    edited = etag()
    assert edited != first
    # Unpublishing an older service does not move the newest change; the count does.
    with time_machine.travel(MONDAY_MORNING - timedelta(days=400)):
        directory["national"].is_published = False
        directory["national"].save()
    assert etag() != edited
    unpublished = etag()
    directory["shelter"].delete()
    assert etag() != unpublished


def test_open_now_moves_the_validators_every_minute(client, directory):
    # Years after the entries' public stamps, which the database's own clock writes (the
    # triggers), not the test's: the minute is then the newest change.
    monday_morning = datetime(2036, 2, 4, 9, 0, tzinfo=OSLO)
    with time_machine.travel(monday_morning, tick=False):
        response = client.get(SERVICES)
        hsds_etag = client.get(HSDS_SERVICES)["ETag"]
    with time_machine.travel(monday_morning + timedelta(minutes=1), tick=False):
        later = client.get(SERVICES, headers={"If-None-Match": response["ETag"]})
        assert later.status_code == 200
        assert later["Last-Modified"] == http_date(
            (monday_morning + timedelta(minutes=1)).timestamp()
        )
        # HSDS carries schedules, not "open now".
        assert client.get(HSDS_SERVICES)["ETag"] == hsds_etag


# --- CORS, methods, rate limit --------------------------------------------------------------


@pytest.mark.parametrize("url", [SERVICES, HSDS_SERVICES, OPENAPI])
def test_cors_preflight(client, db, url):
    response = client.options(
        url,
        headers={
            "Origin": "https://portal.example.no",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "If-None-Match, If-Modified-Since"
    assert "Access-Control-Allow-Credentials" not in response


def test_cors_on_answers(client, directory):
    response = client.get(SERVICES, headers={"Origin": "https://portal.example.no"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


ALL_LISTS = [
    SERVICES,
    OPENAPI,
    *(
        reverse(f"api:public_hsds{name}")
        for name in (
            "",
            "_profile",
            "_services",
            "_organizations",
            "_taxonomies",
            "_taxonomy_terms",
            "_service_at_locations",
        )
    ),
]


@pytest.mark.parametrize("url", [*ALL_LISTS, "/api/v1/public/nothing"])
def test_head_works_and_writes_are_a_json_405(db, url):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a browser's POST would meet it
    head = client.head(url)
    assert head.status_code == (404 if url.endswith("nothing") else 200)
    assert head.content == b""
    for method in (client.post, client.put, client.patch, client.delete):
        response = method(url)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response["Content-Type"] == "application/json"
        assert list(response.json()["errors"]) == ["__all__"]


def test_staff_get_the_same_as_everyone(operator_client, directory):
    assert names(operator_client.get(SERVICES))[0] == "Local centre"


# A fixed clock: a minute boundary mid-test would reset the fixed-window counters.
@time_machine.travel(MONDAY_MORNING, tick=False)
def test_rate_limit_per_address(client, db, settings):
    settings.PUBLIC_API_RATE_LIMIT = 2
    address = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get(OPENAPI, **address).status_code == 200
    assert client.get(SERVICES, **address).status_code == 200
    response = client.get(SERVICES, **address)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert list(response.json()["errors"]) == ["__all__"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "no-store"
    # Preflights cost nothing and are not counted; other addresses have their own budget.
    assert client.options(SERVICES, **address).status_code == 204
    assert client.get(SERVICES, REMOTE_ADDR="203.0.113.8").status_code == 200


# --- The OpenAPI document ------------------------------------------------------------------


def test_openapi_document_names_every_public_route(client, db):
    from hotline.api import urls

    body = client.get(OPENAPI).json()
    assert body == json.loads(current_body())
    assert set(body["paths"]) == set(DOCUMENT["paths"])
    assert body["openapi"].startswith("3.1")
    documented = set(body["paths"])
    public = {
        "/api/v1/" + re.sub(r"<\w+:id>", "{id}", str(pattern.pattern))
        for pattern in urls.urlpatterns
        if str(pattern.pattern).startswith("public/")
    }
    assert documented == public
