"""The public gap page (/open-data/gaps/) in Chromium, without logging in: no serious
axe-core violation, usable by keyboard, and readable on a phone (390 px) without the
page itself scrolling sideways (the wide tables scroll in their own region)."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from services_directory.models import ServiceType
from tests.factories import make_call, make_site, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
SERIOUS = ("serious", "critical")
REPORT = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => ["serious", "critical"].includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))
  }));
}"""


@pytest.fixture
def calls():
    site = make_site("Nettsidesenteret")
    centre = ServiceType.objects.get(code="krisesenter")
    for n in range(30):
        make_call(
            site,
            date(2025, 2, 3) + timedelta(days=n % 20),
            municipality="0301" if n % 3 else "4601",
            unmet_reason="no_service" if n % 2 else "full",
            unmet_service_type=centre,
        )


def serious_violations(page) -> list[dict]:
    page.wait_for_load_state("networkidle")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(REPORT)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_the_page_is_accessible_and_fits(page, calls, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/open-data/gaps/?quarter=2025-Q1")
    assert page.locator("h1").inner_text() == "Udekket behov etter fylke"
    assert page.locator("table").count() == 2
    assert serious_violations(page) == []
    # The page does not scroll sideways; the tables do, each in its own region.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"open-data-gaps-{width}.png")


def test_choosing_a_county_and_quarter_by_keyboard(page, calls):
    page.goto("/open-data/gaps/?quarter=2025-Q1")
    page.locator("select[name=county]").focus()
    page.keyboard.press("End")  # the last county, Finnmark
    page.wait_for_url("**county=56**")
    rows = page.locator("table").first.locator("tbody th[scope=row]")
    assert rows.all_inner_texts() == ["Finnmark"]
    assert page.locator("tfoot th").first.inner_text() == "Hele landet"
    # Without htmx the same form still works: a real GET.
    page.goto("/open-data/gaps/?quarter=2024-Q4&county=03")
    assert "4. kvartal 2024" in page.locator("[role=status]").inner_text()
