"""End to end in Chromium: the "Ledig plass nå" chip, the shelter overview, training mode,
and the desk at 1366×768 as a new operator would meet it."""

import re
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
    open_weekdays,
    screenshot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def shelter(name, number, phone, **report):
    from services_directory.models import ShelterCapacity

    service = make_service(
        name, topics=["partnervold"], types=["krisesenter"], municipalities=[number]
    )
    add_location(service, number, confidential=True)
    add_phone(service, phone)
    if report:
        ShelterCapacity.report(service, **report)
    return service


@pytest.fixture
def shelters():
    from django.utils import timezone

    shelter("Salten krisesenter", BODO, "75 52 23 00", status="full", women=0, men=0, families=0)
    shelter("Ofoten krisesenter", NARVIK, "76 94 40 00", status="places_free", women=2, families=1)
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


def hit_names(page) -> list[str]:
    return page.locator(".hit__name").all_inner_texts()


def test_the_free_place_chip_keeps_shelters_with_a_place_now(page, shelters):
    make_user(Role.OPERATOR, username="kari")
    log_in(page, "kari")
    page.goto(f"/desk/?municipality={BODO}&topic=partnervold")
    page.locator(".hit__name").first.wait_for()
    assert len(hit_names(page)) == 4
    page.locator("label.chip:has(input[name=free])").click()
    page.wait_for_url("**free=1**")
    expect(page.locator(".hit__name")).to_have_count(1)
    assert hit_names(page) == ["Ofoten krisesenter"]
    # Unticked, everything is back.
    page.locator("label.chip:has(input[name=free])").click()
    expect(page.locator(".hit__name")).to_have_count(4)


def test_the_shelter_overview_nearest_first_with_stale_reports_marked(page, shelters):
    make_user(Role.OPERATOR, username="kari")
    log_in(page, "kari")
    page.click("nav a[href='/desk/shelters/']")
    page.wait_for_url("**/desk/shelters/")
    page.locator("#id_where").press_sequentially("Bodø", delay=30)
    page.wait_for_url("**where=Bod**")
    page.locator(".live__status strong:text('Bodø')").wait_for()
    rows = page.locator(".shelter-table tbody th[scope=row]")
    names = [text.split("\n")[0].strip() for text in rows.all_inner_texts()]
    assert names[0].startswith("Salten krisesenter")
    assert "Ofoten krisesenter" in names[1]
    assert "Krisesenteret i Oslo" in names[2]
    oslo = page.locator(".shelter-table tbody tr").nth(2)
    assert "shelter--stale" in oslo.get_attribute("class")
    assert "ring og sjekk" in oslo.inner_text()
    assert oslo.locator("a.phone").inner_text() == "22 48 03 80"
    screenshot(page, "shelters.png")
    page.locator("label.chip:has(input[name=free])").click()
    page.wait_for_url("**free=1**")
    expect(page.locator(".shelter-table tbody tr")).to_have_count(1)
    assert "Ofoten krisesenter" in page.locator(".shelter-table tbody th").inner_text()


def test_training_mode_shows_the_banner_and_counts_nothing(page):
    from hotline.calls.models import Call
    from hotline.reports.models import CallStat

    trainee = make_user(Role.OPERATOR, username="ny")
    make_site("Opplæring", trainee, is_training=True)
    log_in(page, "ny")
    page.wait_for_url("**/desk/")
    assert "TRENING" in page.locator("#training-banner").inner_text()
    page.click("#call-panel button[type=submit]")
    page.wait_for_selector("#call-panel form.call-form")
    assert page.locator("#training-banner").is_visible()
    # The call timer runs (in the browser only).
    expect(page.locator("#call-timer")).to_have_text(re.compile(r"^0:0[1-9]$"), timeout=4000)
    answers = (("caller_role", "utsatt"), ("outcome", "information"), ("unmet_reason", "none"))
    for name, value in answers:
        with page.expect_response(lambda r: r.url.endswith("/desk/calls/current/")):
            page.check(f'#call-panel input[name={name}][value="{value}"]')
    page.click("#call-panel button[formaction$='/close/']")
    page.wait_for_selector("#call-panel form[action$='/desk/calls/start/']")
    assert page.evaluate("() => sessionStorage.getItem('hotline-call-started')") is None
    call = Call.objects.get()
    assert not call.is_open
    assert not CallStat.objects.exists()


def test_at_1366_by_768_the_first_open_service_phone_is_in_view(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    operator = make_user(Role.OPERATOR, username="kari")
    make_site("Nasjonal hjelpelinje – Oslo", operator)
    local = make_service(
        "Krisesenteret i Bodø",
        topics=["voldtekt"],
        municipalities=[BODO],
        description_nb="Døgnåpent krisesenter med samtaler og botilbud. " * 6,
    )
    add_location(local, BODO)
    add_phone(local, "75 55 55 55", "Døgnvakt")
    open_weekdays(local)
    log_in(page, "kari")
    page.locator("#id_where").press_sequentially("Bodø", delay=30)
    page.wait_for_selector(".live__status strong:text('Bodø')")
    page.locator("label.chip:has(input[name=topic][value=voldtekt])").click()
    page.wait_for_url("**topic=voldtekt**")
    phone = page.locator("ol.hits > li").first.locator("a.phone").first
    phone.wait_for()
    box = phone.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    # Keyboard: the focused control is visibly outlined.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
