"""The desk's layout during a call (issue 22), in real headless Chromium: the first
matching phone on the first screen once a place and a topic are chosen, and on a phone
the call panel one tap away under a strip at most 80 px high.

``SCREENSHOTS=1`` also writes the pictures to docs/screenshots/ (see tests/factories.py).
"""

import pytest

from hotline.accounts.roles import Role
from tests.factories import (
    BODO,
    add_location,
    add_phone,
    log_in,
    make_article,
    make_service,
    make_site,
    make_user,
    screenshot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Guidance as long as the real topics': it once pushed the first card below the fold.
GUIDANCE = "Spør om innringer er trygg nå, og om hen trenger legehjelp. " * 12


@pytest.fixture
def desk(page):
    from services_directory.models import OpeningHours, Topic

    operator = make_user(Role.OPERATOR, username="kari")
    make_site("Nasjonal hjelpelinje – Oslo", operator)
    Topic.objects.filter(code="voldtekt").update(guidance_nb=GUIDANCE)
    for n in range(3):
        make_article(f"Samtale etter voldtekt, del {n + 1}", operator, topics=["voldtekt"])
    for n, name in enumerate(("Overgrepsmottaket i Bodø", "Krisesenteret i Salten", "DIXI")):
        service = make_service(
            name,
            topics=["voldtekt"],
            municipalities=[BODO],
            description_nb="Døgnåpent tilbud med samtaler og oppfølging. " * 6,
        )
        add_location(service, BODO)
        add_phone(service, f"75 55 55 5{n}", "Døgnvakt")
        for weekday in range(7):  # always open: "open now" keeps them all
            OpeningHours.objects.create(
                service=service, weekday=weekday, opens="00:00", closes="23:59"
            )
    log_in(page, "kari")
    return page


def phone_box(page, n: int = 0) -> dict:
    phone = page.locator("ol.hits > li a.phone").nth(n)
    phone.wait_for()
    return phone.bounding_box()


@pytest.mark.parametrize("open_now", [False, True])
def test_first_phone_on_the_first_screen_at_1366x768(desk, open_now):
    desk.set_viewport_size({"width": 1366, "height": 768})
    desk.goto("/desk/")
    desk.locator("#id_where").press_sequentially("Bodø", delay=20)
    desk.wait_for_selector(".live__status strong:text('Bodø')")
    desk.locator("label.chip:has(input[name=topic][value=voldtekt])").click()
    desk.wait_for_url("**topic=voldtekt**")
    if open_now:
        desk.locator("label.chip--open").click()
        desk.wait_for_url("**open=1**")
    desk.locator("ol.hits > li .hit__name:text('Overgrepsmottaket i Bodø')").wait_for()
    desk.locator(".guidance--folded").first.wait_for()
    box = phone_box(desk)
    screenshot(desk, f"desk-1366{'-open' if open_now else ''}.png")
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768, box


def test_first_three_phones_in_view_at_1920x1080(desk):
    desk.set_viewport_size({"width": 1920, "height": 1080})
    desk.goto("/desk/?where=Bod%C3%B8&topic=voldtekt")
    boxes = [phone_box(desk, n) for n in range(3)]
    screenshot(desk, "desk-1920.png")
    assert all(box["y"] >= 0 and box["y"] + box["height"] <= 1080 for box in boxes), boxes


def test_on_a_phone_the_strip_is_low_and_the_call_panel_one_tap_away(desk):
    desk.set_viewport_size({"width": 390, "height": 844})
    desk.goto("/desk/?where=Bod%C3%B8&topic=voldtekt")
    desk.locator("ol.hits > li").first.wait_for()
    strip = desk.locator("section.acute").bounding_box()
    assert strip["height"] <= 80, strip
    # Still every acute number, by its name too (for screen readers).
    assert desk.get_by_role("link", name="112 Politi").count() == 1
    screenshot(desk, "desk-390.png")
    desk.get_by_role("link", name="Samtalelogg").click()
    desk.wait_for_url("**#call-panel")
    panel = desk.locator("#call-panel").bounding_box()
    assert 0 <= panel["y"] < 844, panel


def test_the_call_panel_link_is_not_drawn_beside_the_panel(desk):
    desk.set_viewport_size({"width": 1366, "height": 768})
    desk.goto("/desk/")
    assert not desk.locator("a.acute__to-call").is_visible()


def page_box(page, locator) -> dict:
    """The element's box on the page (not the viewport): where it is on the first screen."""
    box = locator.bounding_box()
    scrolled = page.evaluate("() => ({x: window.scrollX, y: window.scrollY})")
    return {**box, "x": box["x"] + scrolled["x"], "y": box["y"] + scrolled["y"]}


def scroll_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("open_now", [False, True])
def test_on_a_phone_the_first_phone_is_on_the_first_screen(desk, open_now):
    desk.set_viewport_size({"width": 390, "height": 844})
    desk.goto("/desk/")
    desk.locator("#id_where").press_sequentially("Bodø", delay=20)
    desk.wait_for_selector(".live__status strong:text('Bodø')")
    desk.locator("label.chip:has(input[name=topic][value=voldtekt])").click()
    desk.wait_for_url("**topic=voldtekt**")
    if open_now:
        desk.locator("label.chip--open").click()
        desk.wait_for_url("**open=1**")
    desk.locator("ol.hits > li .hit__name:text('Overgrepsmottaket i Bodø')").wait_for()
    phone = page_box(desk, desk.locator("ol.hits > li a.phone").first)
    screenshot(desk, f"desk-390-topic{'-open' if open_now else ''}.png")
    assert phone["y"] >= 0 and phone["y"] + phone["height"] <= 844, phone
    # The header is one short line, the page never scrolls sideways ...
    assert desk.locator("header.site-header").bounding_box()["height"] <= 48
    assert scroll_width(desk) <= 390
    # ... and the call panel is one tap away.
    desk.get_by_role("link", name="Samtalelogg").click()
    desk.wait_for_url("**#call-panel")
    assert 0 <= desk.locator("#call-panel").bounding_box()["y"] < 844


def test_on_a_phone_the_topics_are_one_row_that_the_keyboard_reaches(desk):
    desk.set_viewport_size({"width": 390, "height": 844})
    desk.goto("/desk/?where=Bod%C3%B8&topic=egen-voldsbruk")
    desk.locator(".live__status").wait_for()
    row = desk.locator("fieldset.chips--topics")
    chips = row.locator("label.chip")
    tops = {round(box["y"]) for box in (chips.nth(n).bounding_box() for n in range(chips.count()))}
    assert len(tops) == 1, "the topics wrap to more than one row"
    assert row.bounding_box()["height"] < 100
    # The ticked topic, far along the row, is scrolled into view on load.
    ticked = desk.locator("label.chip:has(input[value=egen-voldsbruk])").bounding_box()
    assert ticked["x"] >= 0 and ticked["x"] + ticked["width"] <= 390, ticked
    # Tab walks the row, each topic scrolled into view as it gets the focus.
    desk.locator("#search button[type=submit]").focus()
    desk.keyboard.press("Tab")  # "Tøm"
    for _ in range(chips.count()):
        desk.keyboard.press("Tab")
        focused = desk.evaluate(
            """() => {
              const chip = document.activeElement.closest('label').getBoundingClientRect();
              const row = document.activeElement.closest('fieldset').getBoundingClientRect();
              return {name: document.activeElement.name,
                      inside: chip.left >= row.left - 1 && chip.right <= row.right + 1};
            }"""
        )
        assert focused["inside"], focused
        if focused["name"] != "topic":
            break
    # Past the topics, "Åpent nå" and then "Ledig plass nå", ticked by Space.
    assert focused["name"] == "open"
    desk.keyboard.press("Tab")
    desk.keyboard.press("Space")
    desk.wait_for_url("**free=1**")
