"""The shelter overview in real headless Chromium: it takes the desk's results' place
with the same search, follows the filters as they change, and fits a phone at 390×844
(stacked rows, no sideways scroll) with axe finding nothing serious.

``SCREENSHOTS=1`` also writes the pictures to docs/screenshots/ (see tests/factories.py).
"""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hotline.accounts.roles import Role
from tests.factories import (
    BODO,
    NARVIK,
    OSLO,
    add_location,
    add_phone,
    log_in,
    make_service,
    make_site,
    make_user,
    open_around_the_clock,
    screenshot,
)
from tests.test_browser_a11y import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def shelter(name, number, phone, **report):
    from services_directory.models import ShelterCapacity

    service = make_service(
        name,
        topics=["partnervold"],
        types=["krisesenter"],
        municipalities=[number],
        description_nb="Døgnåpent krisesenter for kvinner, menn og barn. " * 4,
    )
    add_location(service, number, confidential=True)
    add_phone(service, phone)
    # Døgnåpent, as real shelters are: the strip's "open now" holds at any hour of the run.
    open_around_the_clock(service)
    if report:
        ShelterCapacity.report(service, **report)
    return service


@pytest.fixture
def desk(page):
    from django.utils import timezone

    operator = make_user(Role.OPERATOR, username="kari")
    make_site("Nasjonal hjelpelinje – Oslo", operator)
    shelter("Salten krisesenter", BODO, "75 52 23 00", status="full", women=0, men=0, families=0)
    shelter(
        "Krisesenteret i Ofoten og Vesterålen",
        NARVIK,
        "76 94 40 00",
        status="places_free",
        women=2,
        families=1,
    )
    shelter(
        "Krisesenteret i Oslo",
        OSLO,
        "22 48 03 80",
        status="places_free",
        women=3,
        when=timezone.now() - timedelta(days=2),
    )
    support = make_service("Støttesenteret i Bodø", topics=["partnervold"], municipalities=[BODO])
    add_phone(support, "75 50 00 00")
    log_in(page, "kari")
    return page


def shelter_names(page) -> list[str]:
    cells = page.locator(".shelter-table tbody th[scope=row]").all_inner_texts()
    return [" ".join(text.split()).split(" Fullt")[0].split(" Ledige")[0] for text in cells]


def test_from_the_desk_to_the_overview_and_back_with_the_same_search(desk):
    desk.set_viewport_size({"width": 1366, "height": 768})
    desk.goto("/desk/")
    desk.locator("#id_where").press_sequentially("Bodø", delay=20)
    desk.wait_for_selector(".live__status strong:text('Bodø')")
    desk.locator("label.chip:has(input[name=topic][value=partnervold])").click()
    desk.wait_for_url("**topic=partnervold**")
    desk.get_by_role("link", name="Krisesenterplasser").click()
    desk.wait_for_url("**/desk/shelters/?where=Bod*topic=partnervold*")
    assert shelter_names(desk) == [
        "Salten krisesenter",
        "Krisesenteret i Ofoten og Vesterålen",
        "Krisesenteret i Oslo",
    ]
    # Still the desk: the place, the chosen topic, the strip and the call panel.
    expect(desk.locator("#id_where")).to_have_value("Bodø")
    expect(desk.locator("input[name=topic][value=partnervold]")).to_be_checked()
    expect(desk.locator("#acute-nearest")).to_contain_text("Nærmeste åpne nå")
    expect(desk.locator("#call-panel")).to_be_visible()
    # A table on a wide screen, with its column headers.
    expect(desk.locator(".shelter-table thead th").first).to_be_visible()
    desk.get_by_role("link", name="Tjenester").click()
    desk.wait_for_url("**/desk/?where=Bod*topic=partnervold*")
    desk.locator(".hit__name").first.wait_for()


def test_the_overview_follows_the_filters_as_they_change(desk):
    desk.set_viewport_size({"width": 1366, "height": 768})
    desk.goto("/desk/shelters/?where=Bod%C3%B8")
    assert shelter_names(desk)[0] == "Salten krisesenter"
    desk.evaluate("() => { window.notReloaded = true; }")
    where = desk.locator("#id_where")
    where.fill("")
    where.press_sequentially("Oslo", delay=20)
    desk.wait_for_url("**where=Oslo**")
    desk.locator(".live__status strong:text('Oslo')").wait_for()
    assert shelter_names(desk)[0] == "Krisesenteret i Oslo"
    # The strip follows too, and the links to the services keep the new search.
    expect(desk.get_by_role("link", name="Tjenester")).to_have_attribute(
        "href", "/desk/?where=Oslo"
    )
    desk.locator("label.chip:has(input[name=free])").click()
    desk.wait_for_url("**free=1**")
    expect(desk.locator(".shelter-table tbody tr")).to_have_count(1)
    # The Oslo report is two days old: only Ofoten reports a free place now.
    assert shelter_names(desk) == ["Krisesenteret i Ofoten og Vesterålen"]
    assert desk.evaluate("() => window.notReloaded") is True  # htmx, no page load


def test_on_a_phone_the_overview_stacks_and_never_scrolls_sideways(desk):
    desk.set_viewport_size({"width": 390, "height": 844})
    desk.goto("/desk/shelters/?where=Bod%C3%B8")
    desk.locator(".shelter-table tbody tr").first.wait_for()
    assert desk.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert desk.locator("section.acute").bounding_box()["height"] <= 80
    rows = desk.locator(".shelter-table tbody tr")
    for n in range(rows.count()):
        row = rows.nth(n).bounding_box()
        name = rows.nth(n).locator("th").bounding_box()
        phone = rows.nth(n).locator("a.phone")
        # One block a shelter: the name across it, the number a link on its own line.
        assert name["width"] > row["width"] * 0.9, (n, name, row)
        assert row["x"] >= 0 and row["x"] + row["width"] <= 390, (n, row)
        assert phone.get_attribute("href").startswith("tel:+47")
        assert phone.bounding_box()["y"] > name["y"]
    # The figures are named on a phone (the column headers are not drawn).
    labels = rows.first.locator("td[data-label]").evaluate_all(
        "cells => cells.map(cell => getComputedStyle(cell, '::before').content)"
    )
    assert labels[0].startswith('"Kvinner: "'), labels
    screenshot(desk, "shelters-390.png")
    assert serious_violations(desk) == []
    desk.get_by_role("link", name="Samtalelogg").click()
    desk.wait_for_url("**#call-panel")
    assert 0 <= desk.locator("#call-panel").bounding_box()["y"] < 844


def test_axe_finds_nothing_serious_on_the_desk_at_390(desk):
    desk.set_viewport_size({"width": 390, "height": 844})
    desk.goto("/desk/?where=Bod%C3%B8&topic=partnervold")
    desk.locator(".hit__name").first.wait_for()
    assert serious_violations(desk) == []
