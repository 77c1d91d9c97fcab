"""/desk/shelters/: the desk with free shelter places across the country in the results'
place, nearest the caller first, keeping the desk's search, strip and call panel."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.calls.models import Call
from services_directory.models import Service, ShelterCapacity
from tests.factories import (
    BODO,
    NARVIK,
    OSLO,
    add_location,
    add_phone,
    elements,
    login_verified,
    make_service,
)

pytestmark = pytest.mark.django_db
URL = "/desk/shelters/"
DESK = "/desk/"
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


class _Rows(HTMLParser):
    """The overview table's body rows: each a dict of its class, its row header's text
    (the name, with the status tag), its cells and the tel: links in it."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self.cell: dict | None = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append({"class": attributes.get("class", ""), "cells": [], "tel": []})
        elif self.in_body and tag in ("th", "td"):
            self.cell = {"tag": tag, "text": "", **attributes}
            self.rows[-1]["cells"].append(self.cell)
        elif self.in_body and tag == "a" and attributes.get("href", "").startswith("tel:"):
            self.rows[-1]["tel"].append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        elif tag in ("th", "td"):
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def rows(response) -> list[dict]:
    parser = _Rows()
    parser.feed(response.content.decode())
    for row in parser.rows:
        row["name"] = " ".join(row["cells"][0]["text"].split())
        labelled = [cell for cell in row["cells"] if "data-label" in cell]
        row["by_label"] = {cell["data-label"]: cell["text"].strip() for cell in labelled}
        row["text"] = " ".join(" ".join(cell["text"] for cell in row["cells"]).split())
    return parser.rows


def names(response) -> list[str]:
    return [row["name"].split(" Places free")[0].split(" Full")[0] for row in rows(response)]


def row_of(response, name: str) -> dict:
    (row,) = [row for row in rows(response) if row["name"].startswith(name)]
    return row


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
    assert "In alphabetical order" in response.text


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
    assert row_of(response, "Ofoten")["cells"][1]["text"].strip().endswith(" km)")


def test_the_desks_other_ways_to_give_the_place_work_too(operator_client, shelters):
    for query in ({"municipality": BODO}, {"postcode": "8006"}):
        assert names(operator_client.get(URL, query))[0] == "Salten krisesenter", query


def test_figures_age_and_phone_are_shown(operator_client, shelters):
    oslo = row_of(operator_client.get(URL), "Krisesenteret i Oslo")
    assert oslo["by_label"] == {
        "Women": "3",
        "Men": "0",
        "Families": "1",
        "Reported": "just now",
    }
    assert "Places free" in oslo["name"]
    assert oslo["tel"] == ["tel:+4722480380"]
    assert "22 48 03 80" in oslo["text"]
    assert "shelter--free" in oslo["class"]


def test_a_shelter_without_a_phone_says_so(operator_client, shelters):
    narvik = row_of(operator_client.get(URL), "Ofoten krisesenter")
    assert narvik["tel"] == []
    assert "No phone in the directory" in narvik["text"]


def test_a_report_under_a_minute_old_is_just_now_not_zero_minutes_ago(
    operator_client, shelters, settings
):
    """The Oslo report was made a moment ago: timesince alone says "0 minutes"."""
    oslo = row_of(operator_client.get(URL), "Krisesenteret i Oslo")
    assert oslo["by_label"]["Reported"] == "just now"
    assert "0\xa0minutes" not in oslo["text"]
    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    oslo = row_of(operator_client.get(URL), "Krisesenteret i Oslo")
    assert oslo["by_label"]["Meldt"] == "akkurat nå"
    assert "minutter" not in oslo["text"]


def test_stale_and_missing_reports_are_marked_and_show_no_figures(operator_client, shelters):
    response = operator_client.get(URL)
    narvik = row_of(response, "Ofoten krisesenter")
    assert "Last report 2 days ago – call to check" in narvik["text"]
    assert narvik["by_label"] == {}
    assert "shelter--stale" in narvik["class"]
    agder = row_of(response, "Agder krisesenter")
    assert "No report yet – call to check" in agder["text"]
    assert agder["by_label"] == {}


def test_confidential_addresses_are_not_on_the_overview(operator_client, shelters):
    text = operator_client.get(URL, {"where": "Oslo"}).text
    assert "Storgata 1" not in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"free": "1"}, ["Krisesenteret i Oslo"]),
        ({"free": "1", "free_for": "women"}, ["Krisesenteret i Oslo"]),
        ({"free_for": "families"}, ["Krisesenteret i Oslo"]),
        ({"free_for": "men"}, []),
        ({"free": "0"}, None),
    ],
)
def test_the_desks_free_place_filters_keep_current_free_places(
    operator_client, shelters, query, expected
):
    response = operator_client.get(URL, query)
    assert response.status_code == 200
    if expected is None:  # "free=0": no filter
        assert len(names(response)) == 4
    else:
        assert names(response) == expected
    if expected == []:
        assert "No shelter matches" in response.text


def test_topics_stay_in_the_search_but_choose_services_not_shelters(operator_client, shelters):
    response = operator_client.get(URL, {"where": "Bodø", "topic": "voldtekt"})
    assert response.status_code == 200
    assert len(names(response)) == 4
    assert "Topics and the other filters choose services, not shelters." in response.text
    [chip] = elements(response.text, "input", name="topic", value="voldtekt")
    assert "checked" in chip
    assert "choose services, not shelters" not in operator_client.get(URL).text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"where": "99887766"}, "Where does the caller live?"),
        ({"where": "Nowhere-at-all"}, "Where does the caller live?"),
        ({"free_for": "children"}, "Free place for"),
        ({"free": "maybe"}, "Free place now"),
        ({"topic": "no-such-topic"}, "Topic"),
        ({"where": "x" * 101}, "Where does the caller live?"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(operator_client, shelters, query, field):
    response = operator_client.get(URL, query)
    assert response.status_code == 400
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert f"<li>{field}:" in summary
    # The error never repeats what was typed (it may be a phone number) ...
    assert "99887766" not in summary
    # ... nor do the links to the desk's other view carry it.
    assert elements(response.text, "a", href=DESK)
    assert rows(response) == []


def test_the_overview_is_the_desk_with_its_search_strip_and_call_panel(operator_client, shelters):
    response = operator_client.get(URL, {"where": "Bodø", "free": "1"})
    text = response.text
    # The desk's own search, sent back to the overview.
    [search] = elements(text, "form", id="search")
    assert search["action"] == URL
    assert search["hx-get"] == URL
    [where] = elements(text, "input", name="where")
    assert where["value"] == "Bodø"
    [free] = elements(text, "input", name="free", value="1")
    assert "checked" in free
    # The acute strip and the call panel, as on the desk.
    assert elements(text, "p", id="acute-nearest")
    assert elements(text, "a", href="tel:112")
    assert 'id="call-panel"' in text
    # The two views of the one search: a link to the other, this one marked as current.
    assert elements(text, "a", href=f"{DESK}?where=Bod%C3%B8&free=1")
    assert not elements(text, "a", href=f"{URL}?where=Bod%C3%B8&free=1")
    # (The menu's "Free places" is current too, as a link.)
    current = [a for a in elements(text, "a", aria_current="page") if "href" not in a]
    assert len(current) == 1
    assert '<a aria-current="page">Shelter places</a>' in text


def test_the_desk_links_to_the_overview_with_its_search(operator_client, shelters):
    text = operator_client.get(DESK, {"where": "Bodø", "topic": "voldtekt"}).text
    assert elements(text, "a", href=f"{URL}?where=Bod%C3%B8&topic=voldtekt")
    assert '<a aria-current="page">Services</a>' in text
    # Without a search, plain links (the menu's among them).
    assert elements(operator_client.get(DESK).text, "a", href=URL)


def test_htmx_gets_the_live_region_and_the_strip(operator_client, shelters):
    response = operator_client.get(URL, {"where": "Oslo"}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="live"')
    assert 'id="shelter-results"' in response.text
    assert names(response)[0] == "Krisesenteret i Oslo"
    [strip] = elements(response.text, "p", id="acute-nearest")
    assert strip["hx-swap-oob"] == "true"
    assert 'id="search"' not in response.text  # the search box is not redrawn under the typing
    bad = operator_client.get(URL, {"where": "99887766"}, headers=HTMX)
    assert bad.status_code == 400
    assert bad["HX-Push-Url"] == "false"


def test_a_refused_close_posted_from_the_overview_stays_on_it(
    operator, operator_site, operator_client, shelters
):
    call = Call.start(operator, operator_site)
    response = operator_client.post(
        reverse("calls:close"),
        {"token": call.close_token, "next": f"{URL}?where=Oslo"},
    )
    assert response.status_code == 400
    assert names(response)[0] == "Krisesenteret i Oslo"
    [search] = elements(response.text, "form", id="search")
    assert search["action"] == URL


def test_a_fixed_number_of_queries(operator_client, shelters, django_assert_max_num_queries):
    for i in range(5):
        shelter(f"Ekstra {i}", OSLO, phone="22 00 00 0" + str(i), status="full")
    operator_client.get(URL, {"where": "Oslo"})  # the search index, built once a process
    with django_assert_max_num_queries(12):
        assert operator_client.get(URL, {"where": "Oslo"}).status_code == 200
    with django_assert_max_num_queries(10):
        assert operator_client.get(URL, {"where": "Oslo"}, headers=HTMX).status_code == 200


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
