"""/desk/shelters/: free shelter places across the country, nearest the caller first."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from services_directory.models import Service, ShelterCapacity
from tests.factories import (
    BODO,
    NARVIK,
    OSLO,
    add_location,
    add_phone,
    login_verified,
    make_service,
)

pytestmark = pytest.mark.django_db
URL = "/desk/shelters/"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def shelter(name, number, *, phone=None, **report):
    service = make_service(name, types=["krisesenter"], municipalities=[number])
    add_location(service, number, confidential=True)
    if phone:
        add_phone(service, phone)
    if report:
        ShelterCapacity.report(service, **report)
    return service


@pytest.fixture
def shelters():
    stale = timezone.now() - timedelta(days=2)
    return {
        "oslo": shelter(
            "Krisesenteret i Oslo",
            OSLO,
            phone="22 48 03 80",
            status="places_free",
            women=3,
            men=0,
            families=1,
        ),
        "bodo": shelter(
            "Salten krisesenter",
            BODO,
            phone="75 52 23 00",
            status="full",
            women=0,
            men=0,
            families=0,
        ),
        "narvik": shelter("Ofoten krisesenter", NARVIK, status="places_free", women=2, when=stale),
        "unreported": shelter("Agder krisesenter", "4204"),
    }


def names(response) -> list[str]:
    return [
        re.sub(r"<[^>]+>.*", "", name).strip()
        for name in re.findall(r'<th scope="row">(.*?)</th>', response.text, re.S)
    ]


def test_every_reporting_shelter_is_listed_by_name_without_a_place(operator_client, shelters):
    make_service("Not a shelter", types=["stottesenter"], municipalities=[OSLO])
    draft = shelter("Draft shelter", OSLO, status="places_free", women=1)
    Service.objects.filter(pk=draft.pk).update(is_published=False)
    response = operator_client.get(URL)
    assert response.status_code == 200
    assert names(response) == [
        "Agder krisesenter",
        "Krisesenteret i Oslo",
        "Ofoten krisesenter",
        "Salten krisesenter",
    ]


def test_nearest_first_from_the_callers_place(operator_client, shelters):
    response = operator_client.get(URL, {"where": "Bodø"})
    assert response.status_code == 200
    assert names(response) == [
        "Salten krisesenter",
        "Ofoten krisesenter",
        "Krisesenteret i Oslo",
        "Agder krisesenter",
    ]
    assert "Nearest <strong>Bodø</strong> first" in response.text
    assert " km)" in response.text


def test_figures_age_and_phone_are_shown(operator_client, shelters):
    text = operator_client.get(URL).text
    oslo = text.split("Krisesenteret i Oslo")[1].split("</tr>")[0]
    assert re.findall(r"<td>(\d)</td>", oslo) == ["3", "0", "1"]
    assert "just now" in oslo  # the report's age
    assert 'href="tel:+4722480380"' in oslo
    assert "22 48 03 80" in oslo


def test_a_report_under_a_minute_old_is_just_now_not_zero_minutes_ago(
    operator_client, shelters, settings
):
    """The Oslo report was made a moment ago: timesince alone says "0 minutes"."""
    oslo = operator_client.get(URL).text.split("Krisesenteret i Oslo")[1].split("</tr>")[0]
    assert "<td>just now</td>" in oslo
    assert "0\xa0minutes" not in oslo
    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    text = operator_client.get(URL).text
    oslo = text.split("Krisesenteret i Oslo")[1].split("</tr>")[0]
    assert "<td>akkurat nå</td>" in oslo
    assert "minutter" not in oslo


def test_stale_and_missing_reports_are_marked_and_show_no_figures(operator_client, shelters):
    text = operator_client.get(URL).text
    narvik = text.split("Ofoten krisesenter")[1].split("</tr>")[0]
    assert "Last report 2\xa0days ago – call to check" in narvik
    assert "<td>2</td>" not in narvik
    assert "shelter--stale" in text.split("Ofoten krisesenter")[0].rsplit("<tr", 1)[1]
    agder = text.split("Agder krisesenter")[1].split("</tr>")[0]
    assert "No report yet – call to check" in agder


def test_confidential_addresses_are_not_on_the_overview(operator_client, shelters):
    assert "Storgata 1" not in operator_client.get(URL).text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"free": "on"}, ["Krisesenteret i Oslo"]),
        ({"free": "on", "kind": "women"}, ["Krisesenteret i Oslo"]),
        ({"free": "on", "kind": "families"}, ["Krisesenteret i Oslo"]),
        ({"free": "on", "kind": "men"}, []),
    ],
)
def test_only_current_free_places_of_the_kind_needed(operator_client, shelters, query, expected):
    response = operator_client.get(URL, query)
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"where": "99887766"}, "Where does the caller live?"),
        ({"where": "Nowhere-at-all"}, "Where does the caller live?"),
        ({"kind": "children"}, "Free place for"),
        ({"where": "x" * 101}, "Where does the caller live?"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(operator_client, shelters, query, field):
    response = operator_client.get(URL, query)
    assert response.status_code == 400
    assert f"<li>{field}:" in response.text
    # The error never repeats what was typed (it may be a phone number).
    assert "99887766" not in response.text.split('class="error-summary"')[1].split("</div>")[0]


def test_htmx_gets_only_the_results(operator_client, shelters):
    response = operator_client.get(URL, {"where": "Oslo"}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="shelter-results"')
    bad = operator_client.get(URL, {"where": "99887766"}, headers=HTMX)
    assert bad.status_code == 400
    assert bad["HX-Push-Url"] == "false"


def test_a_fixed_number_of_queries(operator_client, shelters, django_assert_max_num_queries):
    for i in range(5):
        shelter(f"Ekstra {i}", OSLO, phone="22 00 00 0" + str(i), status="full")
    with django_assert_max_num_queries(12):
        assert operator_client.get(URL, {"where": "Oslo"}).status_code == 200


def test_the_desk_links_to_the_overview(operator_client):
    text = operator_client.get(reverse("desk:home")).text
    assert f'href="{URL}"' in text


def test_only_operators(client, editor, supervisor):
    for user in (editor, supervisor):
        login_verified(client, user)
        assert client.get(URL).status_code == 403


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_read_only(operator_client):
    assert operator_client.post(URL).status_code == 405
