"""The result card's "About": description, public address, and the facts callers fear most."""

import pytest

from services_directory.models import AccessibilityFeature, Location, Service
from tests.factories import OSLO, Node, add_location, make_service, parse_html

pytestmark = pytest.mark.django_db
DESK = "/desk/"
LONG = (
    "Krisesenteret gir råd og veiledning døgnet rundt. Vi har samtaletilbud for voksne og "
    "barn, og et trygt midlertidig botilbud. Du kan ringe anonymt, og det koster ingenting. "
    "Vi hjelper også med kontakt med politi, advokat og helsetjeneste når du ønsker det."
)


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def card(html: str, name: str) -> Node:
    """The result card of the service ``name``."""
    [found] = [
        hit for hit in parse_html(html).find_all("li", "hit") if hit.one("h2").text() == name
    ]
    return found


def desk(client, **query) -> str:
    response = client.get(DESK, {"municipality": OSLO, **query})
    assert response.status_code == 200
    return response.text


def test_the_description_shows_its_first_lines_and_the_rest_behind_read_more(operator_client):
    make_service("Senteret", municipalities=[OSLO], description_nb=LONG)
    about = card(desk(operator_client), "Senteret").one("div", "hit__about")
    lead = about.find_all("p")[0].text()
    assert lead.startswith("Krisesenteret gir råd og veiledning døgnet rundt.")
    assert lead.endswith(" …")
    details = about.one("details")
    assert details.one("summary").text() == "Read more: Senteret"
    # Nothing is lost between the two parts.
    assert " ".join([lead.removesuffix(" …"), details.one("p").text()]) == LONG


def test_a_short_description_needs_no_read_more(operator_client):
    make_service("Kort", municipalities=[OSLO], description_nb="Gratis samtaler.")
    about = card(desk(operator_client), "Kort").one("div", "hit__about")
    assert about.text() == "Gratis samtaler."
    assert about.find("details") is None


def test_the_description_is_translated_with_bokmal_as_fallback(operator_client):
    make_service(
        "Oversatt", municipalities=[OSLO], description_nb="Norsk tekst.", description_en="English."
    )
    make_service("Bare norsk", municipalities=[OSLO], description_nb="Bare bokmål her.")
    html = desk(operator_client)
    translated = card(html, "Oversatt").one("div", "hit__about")
    assert translated.text() == "English."
    assert "lang" not in translated.attrs
    # The fallback is marked as bokmål on the English page (WCAG 3.1.2).
    fallback = card(html, "Bare norsk").one("div", "hit__about")
    assert fallback.text() == "Bare bokmål her."
    assert fallback.attrs["lang"] == "nb"


def test_the_public_address_shows_with_postcode_and_place(operator_client):
    service = make_service("Adresse", municipalities=[OSLO])
    location = add_location(service, OSLO)
    Location.objects.filter(pk=location.pk).update(address="Tollbugata 10", postcode="0152")
    about = card(desk(operator_client), "Adresse")
    assert about.one("p", "hit__address").text() == "Address: Tollbugata 10, 0152 Oslo"


def test_a_confidential_address_never_shows_as_the_address(operator_client):
    service = make_service("Hemmelig", municipalities=[OSLO])
    location = add_location(service, OSLO, confidential=True)
    Location.objects.filter(pk=location.pk).update(address="Skjultveien 3")
    about = card(desk(operator_client), "Hemmelig")
    assert about.find("p", "hit__address") is None
    # Not on the card at all: only an audited "show" request reveals it.
    assert "Skjultveien 3" not in about.text()
    assert about.one("form", "hit__confidential").text() == (
        "Confidential address Show (logged) – Hemmelig"
    )


def badges(about: Node) -> list[str]:
    found = about.find("ul", "badges")
    return [badge.text() for badge in found.find_all("li")] if found else []


def test_badges_for_what_callers_fear_most(operator_client):
    make_service("Alt", municipalities=[OSLO], free_of_charge=True, anonymous_contact=True)
    make_service(
        "Ingenting",
        municipalities=[OSLO],
        free_of_charge=False,
        anonymous_contact=False,
        police_report_required=True,
    )
    html = desk(operator_client)
    assert badges(card(html, "Alt")) == [
        "Free of charge",
        "Anonymous contact possible",
        "No police report needed",
    ]
    assert badges(card(html, "Ingenting")) == []


def test_the_police_gets_no_no_police_report_badge(operator_client):
    make_service("Politiet", municipalities=[OSLO], types=["politi"])
    assert "No police report needed" not in badges(card(desk(operator_client), "Politiet"))


def test_accessibility_badges_where_recorded(operator_client):
    service = make_service("Tilgjengelig", municipalities=[OSLO], free_of_charge=False)
    service.accessibility.set(
        AccessibilityFeature.objects.filter(code__in=["teleslynge", "rullestol", "tolk"])
    )
    assert badges(card(desk(operator_client), "Tilgjengelig")) == [
        "No police report needed",
        "Wheelchair access",
        "Hearing loop",
    ]


def test_an_edited_description_shows_at_once(operator_client):
    service = make_service("Endret", municipalities=[OSLO], description_nb="Gammel tekst.")
    assert card(desk(operator_client), "Endret").one("div", "hit__about").text() == "Gammel tekst."
    service = Service.objects.get(pk=service.pk)
    service.description_nb = "Ny tekst."
    service.save()
    assert card(desk(operator_client), "Endret").one("div", "hit__about").text() == "Ny tekst."
