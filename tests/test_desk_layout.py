"""The desk's search during a call (issue 22): "open at" typed the Norwegian way in the
first row, the acute strip following the search, and the way out of a thin result."""

import html
import logging
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.roles import Role
from services_directory.models import OpeningHours
from tests.factories import (
    BODO,
    add_location,
    add_phone,
    login_verified,
    make_service,
    make_user,
    writes,
)

URL = reverse("desk:home")
# Tuesday 24 December 2030: the searches below say when, so they hold on any day.
NOON = "24.12.2030 12:00"


def text(fragment: str) -> str:
    """What a fragment says, tags dropped and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def part(response, pattern: str) -> str:
    """The first element matching ``pattern`` (up to its closing tag), or ''."""
    found = re.search(pattern, response.content.decode(), re.S)
    return found.group(0) if found else ""


def strip(response) -> str:
    return text(part(response, r'<p id="acute-nearest".*?</p>'))


def way_out(response) -> str:
    return part(response, r'<div class="way-out">.*?</div>')


def way_out_rows(response) -> dict[str, tuple[str, str]]:
    """Each filter named in the way out: (its link, what the row says)."""
    rows = re.findall(r'<li><a href="([^"]*)">([^<]*)</a>:(.*?)</li>', way_out(response), re.S)
    return {name: (html.unescape(href), text(says)) for href, name, says in rows}


def always_open(service) -> None:
    for weekday in range(7):
        OpeningHours.objects.create(service=service, weekday=weekday, opens=time(0), closes=time(0))


def nights_only(service) -> None:
    for weekday in range(7):
        OpeningHours.objects.create(
            service=service, weekday=weekday, opens=time(22), closes=time(6)
        )


def phoned(name, *, topics, hours=always_open, **fields):
    service = make_service(name, topics=topics, municipalities=[BODO], **fields)
    add_location(service, BODO)
    add_phone(service, "75 55 55 55")
    hours(service)
    return service


def today_at(days: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days), time(hour, minute))


def next_5_january() -> datetime:
    """5 January 08:00 without a year: this year's unless it has passed."""
    today = timezone.localdate()
    year = today.year if date(today.year, 1, 5) >= today else today.year + 1
    return datetime(year, 1, 5, 8, 0)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("24.12.2030 03:00", lambda: datetime(2030, 12, 24, 3, 0)),
        ("5.1 kl. 8.00", next_5_january),
        ("i morgen 08:00", lambda: today_at(1, 8)),  # tomorrow from today
        ("I MORGEN 08:00", lambda: today_at(1, 8)),
        ("i dag 22:30", lambda: today_at(0, 22, 30)),
        ("22:30", lambda: today_at(0, 22, 30)),
        ("2030-12-24T03:00", lambda: datetime(2030, 12, 24, 3, 0)),  # the README's ISO 8601
    ],
)
def test_open_at_is_read_the_norwegian_way(operator_client, db, typed, expected):
    response = operator_client.get(URL, {"at": typed})
    assert response.status_code == 200
    assert timezone.localtime(response.context["result"].at).replace(tzinfo=None) == expected()


def test_tomorrow_is_from_today_not_from_a_chosen_time(operator_client, db):
    # The box holds one moment: "i morgen" is always tomorrow of the day it is typed.
    response = operator_client.get(URL, {"at": "i morgen 08:00", "open": "1"})
    at = timezone.localtime(response.context["result"].at)
    assert at.date() == timezone.localdate() + timedelta(1)


@pytest.mark.parametrize("typed", ["31.02 08:00", "neste uke", "24.12", "25:00", "12/24/2026"])
def test_a_time_not_understood_is_a_400_naming_at(operator_client, db, typed):
    response = operator_client.get(URL, {"at": typed})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["at"]
    summary = text(part(response, r'<div class="error-summary">.*?</div>'))
    assert "24.12 03:00" in summary  # says how to write it


def test_open_at_is_a_text_box_in_the_first_row(operator_client, db):
    response = operator_client.get(URL, {"at": "24.12 03:00"})
    first_row = part(response, r'<div class="search__first">.*?<fieldset')
    box = re.search(r'<input type="text" name="at" id="id_at"[^>]*>', first_row)
    assert box is not None and 'value="24.12 03:00"' in box.group(0)
    more_filters = part(response, r'<details class="more-filters".*?</details>')
    assert 'name="at"' not in more_filters
    assert '<span class="when-then">Åpent da</span>' in response.content.decode()


def test_the_strip_follows_the_searched_topic(operator_client, db):
    phoned("Overgrepsmottaket", topics=["voldtekt"])
    phoned("Alternativ til vold", topics=["egen-voldsbruk"])
    nearest = strip(operator_client.get(URL, {"where": "Bodø", "topic": "egen-voldsbruk"}))
    assert "Alternativ til vold" in nearest and "Overgrepsmottaket" not in nearest
    htmx = operator_client.get(
        URL, {"where": "Bodø", "topic": "voldtekt"}, headers={"HX-Request": "true"}
    )
    assert "Overgrepsmottaket" in strip(htmx)


def test_the_strip_answers_for_the_chosen_time_and_says_so(operator_client, db):
    phoned("Dagtilbudet", topics=["voldtekt"], hours=lambda s: None)  # no hours: closed
    phoned("Nattåpent", topics=["voldtekt"], hours=nights_only)
    night = strip(operator_client.get(URL, {"where": "Bodø", "at": "24.12.2030 03:00"}))
    assert night.startswith("Nærmeste åpne") and "Nattåpent" in night, night
    assert "03:00" in night and "nå" not in night.split(":")[0]
    nobody = strip(operator_client.get(URL, {"where": "Bodø", "at": NOON}))
    assert nobody.startswith("Ingen tjeneste som passer søket"), nobody


def test_a_thin_result_names_the_filter_to_drop_and_what_opens_next(operator_client, db):
    phoned("Alternativ til vold", topics=["egen-voldsbruk"], hours=nights_only)
    phoned("Overgrepsmottaket", topics=["voldtekt"])
    response = operator_client.get(
        URL, {"where": "Bodø", "topic": ["egen-voldsbruk", "voldtekt"], "open": "1", "at": NOON}
    )
    assert response.status_code == 200
    rows = way_out_rows(response)
    assert rows["Egen voldsbruk"][1] == "1 tjeneste"  # voldtekt alone, open at noon
    # Without "voldtekt" (egen-voldsbruk is closed at noon) or without "open" (nobody has
    # both topics) nothing more is found: no way out, so not offered.
    assert set(rows) == {"Egen voldsbruk"}
    # The link drops just the filter it is about.
    at = "at=24.12.2030+12%3A00"
    assert rows["Egen voldsbruk"][0] == f"?where=Bod%C3%B8&topic=voldtekt&open=1&{at}"

    alone = operator_client.get(
        URL, {"where": "Bodø", "topic": "egen-voldsbruk", "open": "1", "at": NOON}
    )
    assert alone.status_code == 200
    opening = re.search(r"Alternativ til vold – åpner (.*)", text(way_out(alone)))
    assert opening is not None and opening.group(1).startswith("24.")
    assert opening.group(1).endswith("22:00")


def test_a_thin_search_with_its_way_out_writes_nothing_and_asks_nothing_twice(
    operator_client, db, caplog
):
    phoned("Alternativ til vold", topics=["egen-voldsbruk"], hours=nights_only)
    params = {"where": "Bodø", "topic": "egen-voldsbruk", "open": "1", "at": NOON}
    operator_client.get(URL, params)  # builds the index
    with CaptureQueriesContext(connection) as queries, caplog.at_level(logging.DEBUG):
        response = operator_client.get(URL, params)
    assert way_out(response) != ""
    assert writes(queries) == []
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(set(statements)) == len(statements)
    assert "voldsbruk" not in caplog.text and "Bodø" not in caplog.text


def test_no_way_out_when_enough_matches(operator_client, db):
    for n in range(3):
        phoned(f"Senter {n}", topics=["voldtekt"])
    response = operator_client.get(URL, {"where": "Bodø", "topic": "voldtekt"})
    assert response.status_code == 200 and way_out(response) == ""


def test_on_a_narrow_screen_the_call_panel_is_one_link_away(operator_client, db):
    response = operator_client.get(URL)
    strip_html = part(response, r'<section class="acute".*?</section>')
    assert '<a class="acute__to-call" href="#call-panel">Samtalelogg</a>' in strip_html
    assert 'id="call-panel"' in response.content.decode()


def test_the_desk_refuses_other_methods_and_roles(client, operator_client, db):
    assert operator_client.post(URL, {"at": "24.12 03:00"}).status_code == 405
    editor = make_user(Role.EDITOR)
    login_verified(client, editor)
    assert client.get(URL, {"at": "24.12 03:00"}).status_code == 403
