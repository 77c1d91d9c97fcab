"""Accessibility filter (desk, staff API, public API), the "Tolk / teksttelefon" panel, and
the "Ledig plass nå" chip."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from services_directory.models import (
    AccessibilityFeature,
    OpeningHours,
    Service,
    ServiceType,
    ShelterCapacity,
)
from services_directory.models.vocabulary import INTERPRETER_TYPE_CODE
from tests.factories import OSLO, add_phone, login_verified, make_service, parse_html

pytestmark = pytest.mark.django_db
DESK = "/desk/"
API = "/api/v1/search"
PUBLIC = "/api/v1/public/services"


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def accessible():
    """One service with step-free access and a hearing loop, one with neither."""
    both = make_service("Step-free centre", topics=["voldtekt"], municipalities=[OSLO])
    both.accessibility.set(
        AccessibilityFeature.objects.filter(code__in=["rullestol", "teleslynge"])
    )
    wheelchair = make_service("Ramp centre", topics=["voldtekt"], municipalities=[OSLO])
    wheelchair.accessibility.set(AccessibilityFeature.objects.filter(code="rullestol"))
    make_service("Stairs centre", topics=["voldtekt"], municipalities=[OSLO])
    return both


def desk_names(response) -> list[str]:
    return [hit.service.name for hit in response.context["result"].hits]


# Accessibility


def test_the_desk_filters_by_accessibility(operator_client, accessible):
    response = operator_client.get(DESK, {"municipality": OSLO, "accessibility": "rullestol"})
    assert response.status_code == 200
    assert sorted(desk_names(response)) == ["Ramp centre", "Step-free centre"]
    both = operator_client.get(
        DESK, {"municipality": OSLO, "accessibility": ["rullestol", "teleslynge"]}
    )
    assert desk_names(both) == ["Step-free centre"]
    # The chips are offered under "More filters", and open it when ticked.
    assert 'name="accessibility" value="teleslynge"' in both.text
    assert '<details class="more-filters" open>' in both.text


def test_the_staff_api_filters_by_accessibility(operator_client, accessible):
    response = operator_client.get(API, {"accessibility": ["rullestol", "teleslynge"]})
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["results"]] == ["Step-free centre"]


def test_the_public_api_filters_by_accessibility(client, accessible):
    response = client.get(PUBLIC, {"accessibility": "teleslynge"})
    assert response.status_code == 200
    assert [r["name"]["nb"] for r in response.json()["results"]] == ["Step-free centre"]


def test_the_public_api_documents_the_parameter(client):
    document = client.get("/api/v1/public/openapi.json").json()
    parameters = document["paths"]["/api/v1/public/services"]["get"]["parameters"]
    assert any(p.get("name") == "accessibility" for p in parameters)


@pytest.mark.parametrize("url", [DESK, API, PUBLIC])
def test_an_unknown_accessibility_code_is_a_400_naming_the_field(operator_client, url):
    response = operator_client.get(url, {"accessibility": "jetpack"})
    assert response.status_code == 400
    if url == DESK:
        assert list(response.context["form"].errors) == ["accessibility"]
    else:
        assert list(response.json()["errors"]) == ["accessibility"]


# Tolk / teksttelefon


@pytest.fixture
def interpreter():
    service = make_service("Telefontolk", covers_whole_country=True)
    service.service_types.set(ServiceType.objects.filter(code=INTERPRETER_TYPE_CODE))
    add_phone(service, "22 99 10 10", "Avtalenummer 4411")
    for weekday in range(7):
        OpeningHours.objects.create(service=service, weekday=weekday, opens=time(0), closes=time(0))
    return service


def panel(html: str) -> str:
    return html.split('class="interpreters"')[1].split("</section>")[0]


def test_the_interpreter_type_exists():
    assert ServiceType.objects.filter(code=INTERPRETER_TYPE_CODE).exists()


def test_the_desk_panel_lists_the_lines_interpreter_contacts(operator_client, interpreter):
    make_service("Not an interpreter", covers_whole_country=True)
    draft = make_service("Draft interpreter", is_published=False)
    draft.service_types.set(ServiceType.objects.filter(code=INTERPRETER_TYPE_CODE))
    text = panel(operator_client.get(DESK).text)
    assert "Interpreter / text relay" in operator_client.get(DESK).text
    assert "Telefontolk" in text
    assert 'href="tel:+4722991010"' in text
    assert "Avtalenummer 4411" in text
    assert "Open" in text
    assert "Not an interpreter" not in text and "Draft interpreter" not in text


def test_the_panel_follows_the_directory_at_once(operator_client, interpreter):
    assert "Telefontolk" in panel(operator_client.get(DESK).text)
    relay = make_service("Teksttelefon", covers_whole_country=True)
    relay.service_types.set(ServiceType.objects.filter(code=INTERPRETER_TYPE_CODE))
    add_phone(relay, "22 99 20 20")
    interpreter.status = Service.Status.TEMPORARILY_CLOSED
    interpreter.save()
    text = panel(operator_client.get(DESK).text)
    # In the order editors entered them; the closed one says so.
    assert text.index("Telefontolk") < text.index("Teksttelefon")
    assert "Temporarily closed" in text.split("Teksttelefon")[0]
    assert 'href="tel:+4722992020"' in text


def test_without_contacts_the_panel_says_how_to_add_them(operator_client):
    assert "Editors add them as services" in panel(operator_client.get(DESK).text)


def test_norwegian_names_and_descriptions_are_marked_on_english_pages(operator_client, interpreter):
    """The operator client's pages are in English: the untranslated name and the
    phone's description fell back to bokmål (WCAG 3.1.2)."""
    section = parse_html(operator_client.get(DESK).text).one("section", "interpreters")
    name = section.one("strong")
    assert (name.text(), name.attrs.get("lang")) == ("Telefontolk", "nb")
    description = section.one("span", "muted")
    assert (description.text(), description.attrs.get("lang")) == ("Avtalenummer 4411", "nb")
    Service.objects.filter(pk=interpreter.pk).update(name_en="Phone interpreter")
    section = parse_html(operator_client.get(DESK).text).one("section", "interpreters")
    assert "lang" not in section.one("strong").attrs


def test_the_panel_is_in_bokmal_by_default(client, settings, operator, interpreter):
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    login_verified(client, operator)
    assert "Tolk / teksttelefon" in client.get(DESK).text


# Ledig plass nå


@pytest.fixture
def shelters():
    def shelter(name, **report):
        service = make_service(name, types=["krisesenter"], municipalities=[OSLO])
        ShelterCapacity.report(service, **report)
        return service

    shelter("Free for women", status="places_free", women=2, men=0, families=0)
    shelter("Free for families", status="places_free", women=0, families=1)
    shelter("Full", status="full", women=0, men=0, families=0)
    shelter(
        "Old news",
        status="places_free",
        women=4,
        when=timezone.now() - timedelta(days=3),
    )
    make_service("Support centre", municipalities=[OSLO])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"free": "1"}, ["Free for families", "Free for women"]),
        ({"free": "1", "free_for": "women"}, ["Free for women"]),
        ({"free_for": "families"}, ["Free for families"]),
        ({"free": "1", "free_for": "men"}, []),
        (
            {"free": "0"},
            ["Free for families", "Free for women", "Full", "Old news", "Support centre"],
        ),
    ],
)
def test_the_chip_limits_results_to_current_free_places(operator_client, shelters, query, expected):
    response = operator_client.get(DESK, {"municipality": OSLO, **query})
    assert response.status_code == 200
    assert sorted(desk_names(response)) == expected


def test_the_chip_is_on_the_desk(operator_client):
    text = operator_client.get(DESK, {"free": "1"}).text
    assert '<input type="checkbox" name="free" value="1" checked>' in text


@pytest.mark.parametrize(
    ("query", "field"), [({"free": "yes"}, "free"), ({"free_for": "children"}, "free_for")]
)
def test_bad_chip_values_are_a_400_naming_the_field(operator_client, query, field):
    response = operator_client.get(DESK, query)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
