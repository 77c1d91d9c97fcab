"""GET /api/v1/search: parameters, ranking, response shape and the 400s."""

import pytest
from django.urls import reverse

from hotline.accounts.roles import Role
from services_directory.models import Language
from tests.factories import BODO, login_verified, make_service, make_user

URL = reverse("api:search")


def names(response):
    return [r["name"] for r in response.json()["results"]]


def test_ranking_local_regional_national_outside_by_distance(operator_client, directory):
    response = operator_client.get(URL, {"municipality": BODO, "topic": "voldtekt"})
    assert response.status_code == 200
    assert names(response) == [
        "Local centre",
        "Regional near",
        "Regional far",
        "National line",
        "Oslo centre",
        "Oslo line",
    ]
    coverage = [r["coverage"] for r in response.json()["results"]]
    assert coverage == ["local", "regional", "regional", "national", "outside", "outside"]
    distances = [r["distance_km"] for r in response.json()["results"]]
    assert distances[0] == 0.0
    assert 100 < distances[2] < 200  # Bodø–Narvik
    assert distances[3] is None and distances[5] is None
    assert 700 < distances[4] < 900  # Bodø–Oslo


def test_response_shape(operator_client, directory):
    body = operator_client.get(URL, {"municipality": BODO, "limit": 1}).json()
    assert body["location"] == {"municipality": BODO, "name": "Bodø", "county": "18"}
    assert body["at"].endswith(("+01:00", "+02:00"))
    (result,) = body["results"]
    assert set(result) == {
        "id",
        "name",
        "organization",
        "service_types",
        "topics",
        "target_groups",
        "coverage",
        "distance_km",
        "open_now",
        "opens_next",
        "closes_at",
        "always_open",
        "phones",
        "languages",
        "municipality",
    }
    assert result["id"] == directory["local"].pk
    assert result["phones"] == [{"number": "+4775555555", "description": "Døgnvakt"}]
    assert result["municipality"] == BODO
    assert result["topics"] == ["voldtekt"]


def test_open_filter_and_times_at_a_given_moment(operator_client, directory):
    # Saturday night: only the 24/7 national line is open.
    body = operator_client.get(
        URL, {"municipality": BODO, "open": "1", "at": "2027-02-06T23:30"}
    ).json()
    assert [r["name"] for r in body["results"]] == ["National line"]
    assert body["at"] == "2027-02-06T23:30:00+01:00"
    (line,) = body["results"]
    assert line["open_now"] and line["always_open"] and line["closes_at"] is None

    body = operator_client.get(URL, {"municipality": BODO, "at": "2027-02-06T23:30"}).json()
    local = body["results"][0]
    assert local["name"] == "Local centre"
    assert local["open_now"] is False
    assert local["opens_next"] == "2027-02-08T08:00:00+01:00"

    body = operator_client.get(URL, {"municipality": BODO, "at": "2027-02-08T09:00"}).json()
    assert body["results"][0]["closes_at"] == "2027-02-08T16:00:00+01:00"


def test_open_zero_means_no_filter(operator_client, directory):
    response = operator_client.get(
        URL, {"municipality": BODO, "open": "0", "at": "2027-02-06T23:30"}
    )
    assert len(names(response)) == 6


def test_postcode_resolves_to_its_municipality(operator_client, directory):
    body = operator_client.get(URL, {"postcode": "8006", "topic": "voldtekt"}).json()
    assert body["location"]["municipality"] == BODO
    assert body["results"][0]["name"] == "Local centre"


def test_svalbard_postcode_has_no_municipality(operator_client, directory):
    body = operator_client.get(URL, {"postcode": "9170"}).json()
    assert body["location"] is None
    assert body["results"][0]["name"] == "National line"


def test_every_topic_must_match(operator_client, directory):
    response = operator_client.get(URL, {"topic": ["voldtekt", "incest"]})
    assert names(response) == ["Regional near"]


def test_group_type_age_and_language_filters(operator_client, directory):
    young = make_service(
        "Youth line", groups=["unge"], types=["hjelpetelefon"], min_age=12, max_age=25
    )
    young.languages.set([Language.objects.get(code="ar")])
    assert names(operator_client.get(URL, {"group": "unge"})) == ["Youth line"]
    assert names(operator_client.get(URL, {"type": "hjelpetelefon", "group": "unge"})) == [
        "Youth line"
    ]
    assert names(operator_client.get(URL, {"type": "krisesenter", "group": "unge"})) == []
    assert "Youth line" in names(operator_client.get(URL, {"age": 16}))
    assert "Youth line" not in names(operator_client.get(URL, {"age": 30}))
    assert names(operator_client.get(URL, {"language": "ar"})) == ["Youth line"]


def test_free_text_matches_service_and_organisation(operator_client, directory):
    assert names(operator_client.get(URL, {"q": "regional"})) == ["Regional far", "Regional near"]
    assert names(operator_client.get(URL, {"q": "oslo line org"})) == ["Oslo line"]


def test_limit(operator_client, directory):
    assert len(names(operator_client.get(URL, {"limit": 2}))) == 2
    assert len(names(operator_client.get(URL))) == 6


def test_drafts_and_closed_down_services_are_not_found(operator_client, directory):
    make_service("Draft", is_published=False)
    make_service("Closed down", status="inactive")
    found = names(operator_client.get(URL, {"limit": 100}))
    assert "Draft" not in found and "Closed down" not in found


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"topic": "no-such-topic"}, "topic"),
        ({"group": "nobody"}, "group"),
        ({"type": "spaceship"}, "type"),
        ({"municipality": "9999"}, "municipality"),
        ({"municipality": "Oslo"}, "municipality"),
        ({"postcode": "0000"}, "postcode"),
        ({"postcode": "12345"}, "postcode"),
        ({"municipality": BODO, "postcode": "8006"}, "postcode"),
        ({"at": "2027-13-01T10:00"}, "at"),
        ({"at": "tomorrow"}, "at"),
        ({"at": "2027-03-28T02:30"}, "at"),  # does not exist: clocks spring forward
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"age": "-1"}, "age"),
        ({"age": "200"}, "age"),
        ({"language": "xx"}, "language"),
        ({"open": "yes"}, "open"),
        ({"q": "99 88 77 66"}, "q"),
        ({"q": "x" * 101}, "q"),
        # Instants the opening-hours engine cannot answer for (an OverflowError once).
        ({"at": "9999-12-31T23:59"}, "at"),
        ({"at": "0001-01-01T00:00"}, "at"),
        ({"at": "0001-01-01T00:00+05:00"}, "at"),
        ({"at": "1899-12-31T23:59"}, "at"),
        ({"at": "9998-01-01T00:00"}, "at"),
        # Digits of other scripts are refused, not read as numbers.
        ({"age": "١٨"}, "age"),  # Arabic-Indic 18
        ({"limit": "５"}, "limit"),  # fullwidth 5
        ({"municipality": "١٨٠٤"}, "municipality"),
        ({"postcode": "８００６"}, "postcode"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(operator_client, params, field):
    response = operator_client.get(URL, params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert errors[field] and all(isinstance(message, str) for message in errors[field])


@pytest.mark.parametrize("at", ["1900-01-01T00:00", "9997-12-31T23:59"])
def test_the_first_and_last_instants_are_answered(operator_client, at):
    make_service("Døgnåpen", covers_whole_country=True)
    response = operator_client.get(URL, {"at": at, "open": "1"})
    assert response.status_code == 200
    assert response.json()["at"].startswith(at[:10])


def test_an_empty_parameter_is_the_same_as_none(operator_client):
    # Documented in the README: the desk's form sends its empty fields too.
    make_service("Døgnåpen", covers_whole_country=True)
    empty = operator_client.get(URL, {"postcode": "", "municipality": "", "age": ""})
    assert empty.status_code == 200
    assert empty.json()["results"] == operator_client.get(URL).json()["results"]


def test_anonymous_gets_a_json_401(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert "errors" in response.json()


def test_post_is_not_allowed(operator_client):
    assert operator_client.post(URL).status_code == 405


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.EDITOR, Role.SUPERVISOR])
def test_all_staff_roles_may_search(client, db, role):
    login_verified(client, make_user(role))
    assert client.get(URL).status_code == 200


def test_a_user_without_a_role_is_refused(client, db):
    login_verified(client, make_user())
    assert client.get(URL).status_code == 403


def test_free_text_tolerates_typos(operator_client, directory):
    make_service("Krisesenteret i Bodø")
    assert names(operator_client.get(URL, {"q": "krisesentret"})) == ["Krisesenteret i Bodø"]
    assert names(operator_client.get(URL, {"q": "krisesenter bodø"})) == ["Krisesenteret i Bodø"]
    # A near miss must be near: one letter in four is too much.
    assert names(operator_client.get(URL, {"q": "bodo"})) == []
