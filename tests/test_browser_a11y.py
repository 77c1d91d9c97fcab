"""Accessibility of the product itself: axe-core on every kind of screen, in Chromium.

axe-core is vendored (tests/vendor/, MPL 2.0, with its licence) so CI needs no network.
It is evaluated through the DevTools protocol, which the pages' Content-Security-Policy
does not govern, so the pages are checked with their real policy in force.
"""

import json
from pathlib import Path

import pytest

from tests.factories import (
    OSLO,
    add_location,
    add_phone,
    log_in,
    make_call,
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

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
SERIOUS = ("serious", "critical")
REPORT = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))
  }));
}"""


def all_violations(page) -> list[dict]:
    page.wait_for_load_state("networkidle")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(REPORT)


def serious_violations(page) -> list[dict]:
    return [v for v in all_violations(page) if v["impact"] in SERIOUS]


@pytest.fixture
def data():
    from datetime import date

    from hotline.guide.models import Article
    from services_directory.models import CapacityLink, ShelterCapacity

    admin = make_user(username="admin", is_staff=True, is_superuser=True)
    site = make_site("Nasjonal hjelpelinje – Oslo", admin)
    shelter = make_service(
        "Krisesenteret i Oslo",
        topics=["partnervold"],
        types=["krisesenter"],
        municipalities=[OSLO],
        description_nb="Døgnåpent krisesenter. " * 12,
        anonymous_contact=True,
    )
    add_location(shelter, OSLO, confidential=True)
    add_phone(shelter, "22 48 03 80")
    open_weekdays(shelter)
    ShelterCapacity.report(shelter, status="places_free", women=2, families=1)
    article = Article.objects.create(
        title_nb="Når innringeren er pårørende", body_nb="Tekst.", owner=admin, is_published=True
    )
    article.topics.set(shelter.topics.all())
    from hotline.guide.demo import load_demo_articles

    load_demo_articles(admin)  # a library worth a screenshot
    for day in range(1, 8):
        make_call(site, date(2025, 3, day + 2), caller_role="utsatt", municipality=OSLO)
    _link, token = CapacityLink.issue(shelter, admin)
    return {"shelter": shelter, "token": token, "article": article}


def test_no_serious_or_critical_violations_anywhere(page, data):
    found: dict[str, list[dict]] = {}

    def check(name: str) -> None:
        violations = serious_violations(page)
        if violations:
            found[name] = violations

    page.goto("/accounts/login/")
    check("login")
    log_in(page, "admin")

    page.goto("/desk/")
    check("desk, empty")
    page.goto(f"/desk/?municipality={OSLO}&topic=partnervold")
    page.locator(".hit__name").first.wait_for()
    page.locator(".hit__about details summary").first.click()
    check("desk, results")
    page.click("#call-panel form[action$='/start/'] button[type=submit]")
    page.wait_for_selector("#call-panel form.call-form")
    check("desk, call open")

    for name, url in (
        ("free shelter places", "/desk/shelters/?where=Oslo"),
        ("guidance library", "/desk/guide/"),
        ("guidance article", f"/desk/guide/{data['article'].pk}/"),
        ("editors' dashboard", "/directory/"),
        ("passkeys", "/accounts/passkeys/"),
        ("report: workload", "/reports/?period=2025-Q1"),
        ("report: callers", "/reports/calls/?period=2025-Q1"),
        ("report: referrals", "/reports/referrals/?period=2025-Q1"),
        ("report: unmet needs", "/reports/unmet-needs/?period=2025-Q1"),
    ):
        page.goto(url)
        check(name)
        if name == "guidance library":
            screenshot(page, "guide.png")

    page.context.clear_cookies()
    page.goto(f"/capacity/?key={data['token']}")
    check("capacity form")
    assert found == {}, json.dumps(found, indent=1)


REPORT_PAGES = (
    "/reports/?period=2025-Q1",
    "/reports/calls/?period=2025-Q1",
    "/reports/referrals/?period=2025-Q1",
    "/reports/unmet-needs/?period=2025-Q1",
)


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_report_landmarks_have_unique_names(page, data, width, height):
    """A report page has many landmarks (a region per table, and one per scrolling
    table); axe rates "landmark-unique" only moderate, so it is checked here by name."""
    from datetime import date, timedelta

    from hotline.calls.models import Site

    # Enough calls in March 2025 for figures, heatmap shades and a legend; too few
    # referrals for any, so the referral tables are one sentence each.
    site = Site.objects.get()
    for i in range(40):
        make_call(
            site,
            date(2025, 3, 3) + timedelta(days=i % 14),
            channel="chat" if i % 4 == 0 else "phone",
            caller_role="utsatt",
            municipality=OSLO,
            acute=i % 5 == 0,
        )
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "admin")
    found = {}
    for url in REPORT_PAGES:
        page.goto(url)
        violations = [
            v
            for v in all_violations(page)
            if v["impact"] in SERIOUS or v["id"] == "landmark-unique"
        ]
        if violations:
            found[url] = violations
    assert found == {}, json.dumps(found, indent=1)


def test_a_service_in_the_admin(page, data):
    """Django admin's own widgets too: inline fields, language tabs and switch, filters."""
    log_in(page, "admin")
    page.goto(f"/admin/services_directory/service/{data['shelter'].pk}/change/")
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)

    # The names match the visible bokmål text, from the project's JavaScript catalog.
    switch = page.locator("#modeltranslation-main-switch")
    assert switch.get_attribute("aria-label") == "Språk for de oversatte feltene"
    today = page.locator(".datetimeshortcuts a", has_text="I dag").first
    assert today.get_attribute("aria-label").startswith("I dag (")

    # The language tabs still work without their inner links: by mouse, keyboard, switch,
    # and show the panels on the page rather than fetch one (jQuery UI's remote tabs).
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    tabs = page.locator("li[role=tab][aria-controls^='tab_id_name_']")
    assert tabs.locator("a[href]").count() == 0
    tabs.nth(2).click()
    assert tabs.nth(2).get_attribute("aria-selected") == "true"
    assert page.locator("#id_name_en").is_visible()
    tabs.nth(2).focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    assert page.locator("#id_name_nn").is_visible()
    switch.select_option(index=0)
    assert tabs.nth(0).get_attribute("aria-selected") == "true"
    page.wait_for_load_state("networkidle")
    assert requests == []


def test_an_article_in_the_admin(page, data):
    log_in(page, "admin")
    page.goto(f"/admin/guide/article/{data['article'].pk}/change/")
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


def test_the_admins_lists_add_form_and_history(page, data):
    """The rest of an editor's admin: the services list (with its filters), a new service,
    and a service's history with the inline rows saved with it."""
    log_in(page, "admin")
    shelter = data["shelter"]
    found = {}
    for url in (
        "/admin/services_directory/service/?q=krise",
        "/admin/services_directory/service/add/",
        f"/admin/services_directory/service/{shelter.pk}/history/",
        "/admin/services_directory/placename/",
    ):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "nb"
        if violations := serious_violations(page):
            found[url] = violations
    assert found == {}, json.dumps(found, indent=1)


CONTRAST = """el => {
  const rgb = c => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const style = getComputedStyle(el);
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_a_secondary_button_stays_readable_on_hover(page, data):
    log_in(page, "admin")
    page.goto("/directory/")
    button = page.locator("a.button--secondary").first
    assert button.evaluate(CONTRAST) >= 4.5
    button.hover()
    page.wait_for_timeout(100)
    assert button.evaluate(CONTRAST) >= 4.5


def test_verified_today_keeps_the_focus_on_its_row(page, data):
    log_in(page, "admin")
    page.goto("/directory/")
    shelter = data["shelter"]
    row = page.locator(f"#review-{shelter.pk}")
    row.get_by_role("button").click()
    done = page.locator(f"#review-{shelter.pk} .review__done")
    done.wait_for()
    assert done.evaluate("el => el === document.activeElement")
    assert "Neste gjennomgang" in done.inner_text()
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
