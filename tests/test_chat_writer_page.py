"""The writer's page /chat/: open to anyone, one short step, no cookies, strict CSP."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import elements

pytestmark = pytest.mark.django_db

START = "/chat/"
ROOM = "/chat/?language=nb&age_group=&safe=yes"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_first_step_asks_language_age_and_safety_and_nothing_identifying(client):
    response = client.get(START)
    assert response.status_code == 200
    html = response.content.decode()
    names = {e["name"] for tag in ("input", "select", "textarea") for e in elements(html, tag)}
    assert names == {"language", "age_group", "safe"}
    assert elements(html, "form", class_="chat-start")[0]["method"] == "get"
    assert "Er det trygt for deg å skrive nå?" in text_of(response)
    languages = re.search(r'<select name="language".*?</select>', html, re.S).group(0)
    assert re.findall(r'value="(\w+)"', languages) == ["nb", "en", "se"]
    assert elements(html, "a", class_="quick-exit")[0]["href"] == "https://www.yr.no/"


def test_the_room_carries_the_choices_for_the_script(client):
    response = client.get("/chat/?language=en&age_group=16_17&safe=unsure")
    assert response.status_code == 200
    html = response.content.decode()
    room = elements(html, "div", id="chat-room")[0]
    assert (room["data-language"], room["data-age-group"], room["data-safe"]) == (
        "en",
        "16_17",
        "unsure",
    )
    assert elements(html, "html")[0]["lang"] == "en"
    assert elements(html, "div", id="chat-log")[0]["aria-live"] == "polite"
    assert elements(html, "p", id="chat-status")[0]["role"] == "status"
    assert elements(html, "script", id="chat-strings")[0]["type"] == "application/json"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("language=xx&safe=yes", "Språk"),
        ("language=nb&safe=maybe", "Er det trygt"),
        ("language=nb&safe=yes&age_group=99", "Alder"),
    ],
)
def test_bad_answers_are_a_400_naming_the_field(client, query, field):
    response = client.get(f"/chat/?{query}")
    assert response.status_code == 400
    errors = re.search(r'class="chat-errors".*?</div>', response.content.decode(), re.S)
    assert errors and field in errors.group(0)


def test_no_cookie_and_a_strict_csp_without_inline_script(client):
    for url in (START, ROOM):
        response = client.get(url)
        assert not response.cookies
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        for script in elements(response.content.decode(), "script"):
            assert script.get("src") or script.get("type") == "application/json"


def test_only_get(client):
    assert client.post(START).status_code == 405


def test_closed_hours_say_when_it_opens_and_give_the_numbers(client, settings):
    now = datetime.now(ZoneInfo("Europe/Oslo"))
    # A one-minute window well away from now: closed.
    hour = (now.hour + 12) % 24
    settings.CHAT_HOURS = f"{hour:02d}:00-{hour:02d}:01"
    response = client.get(ROOM)
    assert response.status_code == 200
    text = text_of(response)
    assert "stengt" in text and "åpner" in text
    hrefs = {a["href"] for a in elements(response.content.decode(), "a")}
    assert {"tel:116006", "tel:112", "tel:113"} <= hrefs
    assert not elements(response.content.decode(), "div", id="chat-room")


def test_holidays_follow_the_hours_engine(settings):
    from hotline.chat import hours

    settings.CHAT_HOURS = "00:00-00:00"
    settings.CHAT_HOLIDAY_HOURS = "closed"
    christmas = datetime(2026, 12, 25, 12, tzinfo=ZoneInfo("Europe/Oslo"))
    assert not hours.is_open(christmas)
    assert hours.is_open(datetime(2026, 12, 23, 12, tzinfo=ZoneInfo("Europe/Oslo")))
    settings.CHAT_HOLIDAY_HOURS = "10:00-14:00"
    assert hours.is_open(christmas)
    assert not hours.is_open(christmas.replace(hour=15))
