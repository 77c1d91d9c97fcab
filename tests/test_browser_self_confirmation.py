"""A service confirms or corrects its entry from a phone, and an editor accepts the
proposal (issue 24, part 1), in Chromium at 390×844 and 1366×768, checked with axe."""

import os

import pytest

from services_directory.models import ConfirmationLink, Service, ServiceProposal
from tests.factories import (
    TEST_PASSWORD,
    log_in,
    make_confirming_service,
    make_user,
    screenshot,
    serious_axe_violations,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def fits_the_width(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def look(page, name: str) -> None:
    """For a person checking the layout: LOOK=dir saves what the test sees."""
    if os.environ.get("LOOK"):
        page.screenshot(path=f"{os.environ['LOOK']}/{name}.png", full_page=True)


def test_a_service_confirms_and_proposes_from_a_phone(page):
    service = make_confirming_service()
    _link, token = ConfirmationLink.issue(service)
    page.set_viewport_size(PHONE)
    page.goto(f"/confirm/?key={token}")
    assert page.locator("h1").inner_text() == "Stemmer oppføringen deres?"
    assert "75 12 34 56" in page.locator(".confirm__entry").inner_text()
    assert "Hemmeligveien" not in page.content()
    assert serious_axe_violations(page) == []
    assert fits_the_width(page)
    look(page, "confirm-390")
    screenshot(page, "confirm-390.png")

    page.get_by_role("button", name="Alt stemmer").click()
    page.wait_for_load_state()
    assert "Vi har notert at oppføringen stemmer" in page.locator(".messages").inner_text()
    assert Service.objects.get().confirmed_by_service_at is not None

    page.get_by_role("link", name="Foreslå endringer").click()
    page.get_by_label("Telefonnumre").fill("75 12 34 56\n915 55 555")
    page.get_by_label("Lørdag").fill("10 til 14")
    page.get_by_role("button", name="Send til hjelpetelefonen").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert "Skriv tidene som 08:00–16:00" in summary.inner_text()
    assert not ServiceProposal.objects.exists()
    assert serious_axe_violations(page) == []
    assert fits_the_width(page)
    look(page, "propose-390-error")
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.name") == "hours_5"
    page.keyboard.press("Control+A")
    page.keyboard.type("10:00–14:00")
    page.get_by_role("button", name="Send til hjelpetelefonen").click()
    page.wait_for_load_state()
    assert (
        "En redaktør hos hjelpetelefonen sjekker endringene"
        in page.locator(".messages").inner_text()
    )
    proposal = ServiceProposal.objects.get()
    assert proposal.changes["phones"] == ["+4775123456", "+4791555555"]
    assert Service.objects.get().phone_numbers() == ["75 12 34 56"]  # not yet published


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_an_editor_accepts_a_proposal(page, viewport):
    from hotline.accounts.roles import Role
    from services_directory.self_confirmation import propose, public_entry

    make_user(Role.EDITOR, username="redaktor", is_staff=True)
    service = make_confirming_service()
    link, _token = ConfirmationLink.issue(service)
    seen = public_entry(service)
    propose(link, seen, {**seen, "phones": ["+4791555555"]})
    page.set_viewport_size(viewport)
    log_in(page, "redaktor", TEST_PASSWORD)
    page.goto("/directory/")
    page.locator("#proposals").get_by_role("link", name="Åpne forslaget").click()
    page.wait_for_load_state()
    diff = page.locator(".proposal-diff").inner_text()
    assert "75 12 34 56" in diff and "915 55 555" in diff
    assert serious_axe_violations(page) == []
    look(page, f"proposal-{viewport['width']}")
    page.get_by_role("button", name="Godta delene med kryss").click()
    page.wait_for_url("**/directory/")
    assert "operatørene ser dem nå" in page.locator(".messages").inner_text()
    assert Service.objects.get().phone_numbers() == ["915 55 555"]
