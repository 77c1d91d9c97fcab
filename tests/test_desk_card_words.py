"""What a result card says beyond its fields: a missing number said plainly (with the way
to report it), "open then" for a chosen time, and Norwegian texts marked as such on
English pages (WCAG 3.1.2). Asserted on the parsed page."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import resolve

from services_directory.models import ContactChannel, OpeningHours, Service
from tests.factories import OSLO, Node, add_phone, make_service, parse_html

pytestmark = pytest.mark.django_db
DESK = "/desk/"


def desk(client, **query) -> Node:
    response = client.get(DESK, {"municipality": OSLO, **query})
    assert response.status_code == 200
    return parse_html(response.text)


def card(page: Node, name: str) -> Node:
    [found] = [
        hit for hit in page.one("ol", "hits").find_all("li", "hit")
        if hit.one("h2", "hit__name").text() == name
    ]  # fmt: skip
    return found


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# --- No number to ring ---


def test_a_card_without_a_phone_says_so_and_offers_to_report_it(operator_client):
    service = make_service("Uten nummer", municipalities=[OSLO])
    ContactChannel.objects.create(service=service, kind="web", value="https://example.no")
    found = card(desk(operator_client), "Uten nummer")
    assert found.find("ul", "phones") is None
    notice = found.one("p", "hit__no-phone")
    assert "hit__no-phone--missing" in notice.classes  # coloured as a warning
    assert notice.one("strong").text() == "Ingen telefonnummer registrert."
    report = notice.one("a")
    assert report.text() == "Meld fra om feil: Uten nummer"
    path, query = report.attrs["href"].split("?")
    assert resolve(path).url_name == "report_error"
    assert resolve(path).kwargs == {"pk": service.pk}
    assert query == f"next=/desk/%3Fmunicipality%3D{OSLO}"
    assert report.attrs["hx-get"] == report.attrs["href"]
    assert report.attrs["hx-target"] == f"#report-{service.pk}"
    # One way to report on the card: the notice's, not a second one below.
    assert found.one("div", "hit__actions").find("a") is None
    # Its other channels still show.
    assert found.one("p", "hit__channels").one("a").attrs["href"] == "https://example.no"


def test_the_offered_report_form_opens(operator_client):
    make_service("Uten nummer", municipalities=[OSLO])
    report = card(desk(operator_client), "Uten nummer").one("p", "hit__no-phone").one("a")
    response = operator_client.get(report.attrs["href"])
    assert response.status_code == 200
    assert parse_html(response.text).find("form") is not None


def test_a_web_or_chat_only_service_says_that_instead(operator_client):
    service = make_service("Bare chat", municipalities=[OSLO], web_or_chat_only=True)
    ContactChannel.objects.create(service=service, kind="chat", value="https://chat.example.no")
    found = card(desk(operator_client), "Bare chat")
    notice = found.one("p", "hit__no-phone")
    assert notice.text() == "Nås bare via nett eller chat: ikke noe telefonnummer."
    assert "hit__no-phone--missing" not in notice.classes
    assert notice.find("a") is None
    # Reporting an error stays where it is on every card.
    actions = found.one("div", "hit__actions")
    assert actions.one("a").text() == "Meld fra om feil i denne oppføringen: Bare chat"


def test_a_flag_for_web_or_chat_changes_nothing_when_there_is_a_phone(operator_client):
    service = make_service("Med nummer", municipalities=[OSLO], web_or_chat_only=True)
    add_phone(service, "22 33 44 55")
    found = card(desk(operator_client), "Med nummer")
    assert found.one("a", "phone").text() == "22 33 44 55"
    assert found.find("p", "hit__no-phone") is None


def test_a_phone_added_later_shows_at_once(operator_client):
    service = make_service("Snart nummer", municipalities=[OSLO])
    assert card(desk(operator_client), "Snart nummer").find("p", "hit__no-phone")
    add_phone(service, "22 33 44 55")
    found = card(desk(operator_client), "Snart nummer")
    assert found.find("p", "hit__no-phone") is None
    assert found.one("a", "phone").text() == "22 33 44 55"


# --- Open then, for a chosen time ---


@pytest.fixture
def weekdays():
    """Open Monday to Friday 08–16."""
    service = make_service("Dagtid", municipalities=[OSLO])
    add_phone(service, "22 33 44 55")
    for weekday in range(5):
        OpeningHours.objects.create(
            service=service, weekday=weekday, opens=time(8), closes=time(16)
        )
    return service


@pytest.fixture
def weeks_before():
    """A today well before the chosen days of January 2027: within a week of them the
    card names the weekday instead of the date."""
    with time_machine.travel(datetime(2026, 11, 2, 12, tzinfo=ZoneInfo("Europe/Oslo"))):
        yield


def status(page: Node, name: str) -> tuple[str, str]:
    line = card(page, name).one("p", "hit__status")
    return line.one("span", "tag").text(), line.text()


def test_a_chosen_time_says_open_then_with_the_time(operator_client, weekdays, weeks_before):
    # 2027-01-04 is a Monday.
    tag, line = status(desk(operator_client, at="04.01.2027 10:00"), "Dagtid")
    assert tag == "Åpent da"
    assert "(4. jan 10:00)" in line.lower()  # the chosen time, as the strip says it
    assert "stenger 16:00" in line
    assert "nå" not in line


def test_a_chosen_time_says_closed_then(operator_client, weekdays, weeks_before):
    tag, line = status(desk(operator_client, at="02.01.2027 03:00"), "Dagtid")  # a Saturday
    assert tag == "Stengt da"
    assert "(2. jan 03:00)" in line.lower()
    assert "åpner mandag 08:00" in line


def test_without_a_chosen_time_the_card_speaks_of_now(operator_client, weekdays):
    page = desk(operator_client)
    assert status(page, "Dagtid")[0] in ("Åpen", "Stengt")
    assert card(page, "Dagtid").find("span", "hit__when") is None


def test_open_then_in_english(operator_client, english, weekdays, weeks_before):
    tag, line = status(desk(operator_client, at="04.01.2027 10:00"), "Dagtid")
    assert tag == "Open then"
    assert "closes 16:00" in line
    tag, _line = status(desk(operator_client, at="02.01.2027 03:00"), "Dagtid")
    assert tag == "Closed then"


def test_a_temporarily_closed_service_says_so_whatever_the_time(operator_client, weekdays):
    Service.objects.filter(pk=weekdays.pk).update(status=Service.Status.TEMPORARILY_CLOSED)
    page = desk(operator_client, at="04.01.2027 10:00", open="")
    assert status(page, "Dagtid")[0] == "Midlertidig stengt"
    assert card(page, "Dagtid").find("span", "hit__when") is None


# --- Norwegian content on English pages ---


def test_norwegian_texts_are_marked_on_english_pages(operator_client, english):
    service = make_service(
        "Krisesenteret",
        municipalities=[OSLO],
        operator_note="Ring helst før kl. 22.",
        description_nb="Vi hjelper døgnet rundt.",
    )
    add_phone(service, "22 33 44 55", "Vakttelefon")
    found = card(desk(operator_client), "Krisesenteret")
    note = found.one("p", "hit__note")
    assert note.one("strong").text() == "Note for operators:"  # the interface's words
    assert "lang" not in note.one("strong").attrs
    assert note.one("span").attrs["lang"] == "nb"
    assert note.one("span").text() == "Ring helst før kl. 22."
    assert found.one("div", "hit__about").attrs["lang"] == "nb"
    assert found.one("h2", "hit__name").attrs["lang"] == "nb"
    assert found.one("p", "hit__org").attrs["lang"] == "nb"
    assert found.one("ul", "phones").one("span", "muted").attrs["lang"] == "nb"


def test_translated_texts_are_not_marked(operator_client, english):
    service = make_service(
        "Krisesenteret",
        municipalities=[OSLO],
        name_en="The crisis centre",
        description_nb="Vi hjelper døgnet rundt.",
        description_en="We help around the clock.",
    )
    ContactChannel.objects.create(
        service=service,
        kind="phone",
        value="+4722334455",
        description_nb="Vakttelefon",
        description_en="Duty phone",
    )
    found = card(desk(operator_client), "The crisis centre")
    assert "lang" not in found.one("h2", "hit__name").attrs
    assert "lang" not in found.one("div", "hit__about").attrs
    assert "lang" not in found.one("ul", "phones").one("span", "muted").attrs


def test_nothing_is_marked_on_bokmal_pages(operator_client):
    service = make_service(
        "Krisesenteret", municipalities=[OSLO], operator_note="Merk.", description_nb="Tekst."
    )
    add_phone(service, "22 33 44 55", "Vakt")
    found = card(desk(operator_client), "Krisesenteret")
    assert [node.tag for node in found.find_all() if "lang" in node.attrs] == []
