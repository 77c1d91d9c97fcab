"""The result card in real Chromium: a service without a phone says so where the number
would be, and its "report an error" opens the report form in place, by keyboard too,
on a desktop and on a phone."""

import os

import pytest

from hotline.accounts.roles import Role
from tests.factories import OSLO, add_phone, log_in, make_service, make_user
from tests.test_browser_a11y import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_a_card_without_a_phone_offers_the_report_in_place(page, width, height):
    make_user(Role.OPERATOR, username="kari")
    make_service("Med engelsk merknad", topics=["voldtekt"], municipalities=[OSLO],
                 operator_note="Ring helst før kl. 22.")  # fmt: skip
    silent = make_service("Krisesenteret uten nummer", topics=["voldtekt"], municipalities=[OSLO])
    make_service("Chattjenesten", topics=["voldtekt"], municipalities=[OSLO], web_or_chat_only=True)
    add_phone(make_service("Legevakten", topics=["voldtekt"], municipalities=[OSLO]), "116117")
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "kari")
    page.goto(f"/desk/?municipality={OSLO}&topic=voldtekt")

    chat = page.locator("ol.hits > li:has(.hit__name:text('Chattjenesten'))")
    assert chat.locator(".hit__no-phone").inner_text() == (
        "Nås bare via nett eller chat: ikke noe telefonnummer."
    )
    card = page.locator("ol.hits > li:has(.hit__name:text('Krisesenteret uten nummer'))")
    notice = card.locator(".hit__no-phone")
    assert notice.inner_text().startswith("Ingen telefonnummer registrert.")
    # Seen without scrolling sideways, and inside the card.
    box, card_box = notice.bounding_box(), card.bounding_box()
    assert box and card_box
    assert (
        card_box["x"] <= box["x"] and box["x"] + box["width"] <= card_box["x"] + card_box["width"]
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Its colours and the lang marks pass axe as the rest of the desk does.
    assert serious_violations(page) == []
    if os.environ.get("CARD_SCREENSHOTS"):
        card.screenshot(path=f"{os.environ['CARD_SCREENSHOTS']}/no-phone-{width}.png")

    # On the English page the bokmål note is marked as such, and axe is still content.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    page.reload()
    note = page.locator("ol.hits > li:has(.hit__name:text('Med engelsk merknad')) .hit__note span")
    assert note.get_attribute("lang") == "nb"
    assert serious_violations(page) == []

    # By keyboard: focus the link and press Enter; the form opens inside the card.
    link = notice.locator("a")
    link.focus()
    page.keyboard.press("Enter")
    form = page.locator(f"#report-{silent.pk} form")
    form.wait_for()
    assert page.url.endswith(f"/desk/?municipality={OSLO}&topic=voldtekt")  # still the desk
    assert form.locator("textarea, select, input[type=radio]").count() > 0
