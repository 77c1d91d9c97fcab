"""End to end in real headless Chromium (Debian's package): one call, start to finish.

Run only these with ``uv run pytest -m browser``; leave them out with ``-m "not browser"``.
``SCREENSHOTS=1 uv run pytest -m browser`` also rewrites the README's screenshots in
docs/screenshots/; without it a test run leaves the checkout as it found it.
"""

import pytest

from hotline.accounts.roles import Role
from tests.factories import (
    BODO,
    OSLO,
    TEST_PASSWORD,
    add_location,
    add_phone,
    enrol,
    make_service,
    make_site,
    make_user,
    open_weekdays,
    screenshot,
    totp_code,
)

# The live server needs committed data, so these tests run outside a transaction.
# serialized_rollback restores what migrations created (roles, vocabularies) afterwards;
# conftest reloads the reference geography after every browser test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_operator_finds_local_help_refers_and_closes_the_call(page):
    from hotline.audit.models import AuditEvent
    from hotline.calls.models import Call

    operator = make_user(Role.OPERATOR, username="kari")
    device = enrol(operator)
    make_site("Nasjonal hjelpelinje – Oslo", operator)
    local = make_service(
        "Krisesenteret i Bodø",
        topics=["voldtekt"],
        municipalities=[BODO],
        anonymous_contact=True,
        description_nb=(
            "Døgnåpent krisesenter for Salten. Råd og veiledning på telefon, samtaler, "
            "dagtilbud og trygt midlertidig botilbud for kvinner, menn og barn utsatt for "
            "vold i nære relasjoner. Du trenger ikke henvisning, og det koster ingenting."
        ),
    )
    add_location(local, BODO)
    add_phone(local, "75 55 55 55", "Døgnvakt")
    open_weekdays(local)
    elsewhere = make_service("Krisesenteret i Oslo", topics=["voldtekt"], municipalities=[OSLO])
    add_location(elsewhere, OSLO)
    hidden = add_location(elsewhere, OSLO, confidential=True)  # the shelter's own address
    hidden.address = "Skjulestien 9"
    hidden.save()
    make_service("Incestsenteret", topics=["incest"], covers_whole_country=True)

    # Log in.
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "kari")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    # The second factor: the code her authenticator app shows now.
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("input[name=token]", totp_code(device))
    page.press("input[name=token]", "Enter")
    page.wait_for_url("**/desk/")

    # Start the call: the panel swaps in place.
    page.click("#call-panel button[type=submit]")
    page.wait_for_selector("#call-panel form.call-form")

    # Where does the caller live? Type it, as an operator would.
    page.locator("#id_where").press_sequentially("Bodø", delay=40)
    page.wait_for_selector(".live__status strong:text('Bodø')")

    # One click on a topic: results update without a page load, the URL follows.
    page.locator("label.chip:has(input[name=topic][value=voldtekt])").click()
    page.wait_for_url("**topic=voldtekt**")
    first = page.locator("ol.hits > li").first
    first.locator(".hit__name:text('Krisesenteret i Bodø')").wait_for()
    assert "hit--local" in first.get_attribute("class")
    assert page.locator(".hit__name").all_inner_texts() == [
        "Krisesenteret i Bodø",
        "Krisesenteret i Oslo",
    ]
    assert first.locator("a.phone").inner_text() == "75 55 55 55"

    # The shelter's confidential address appears only on request, in place, and is logged.
    oslo = page.locator("ol.hits > li:has(.hit__name:text('Krisesenteret i Oslo'))")
    assert "Skjulestien 9" not in oslo.inner_text()
    oslo.locator("form.hit__confidential button").click()
    oslo.locator(".hit__confidential:has-text('Skjulestien 9')").wait_for()
    assert AuditEvent.objects.filter(kind="confidential_address_viewed", service=elsewhere).exists()

    # One click adds it as a referral in the call panel.
    first.locator("form[action$='/referrals/'] button").click()
    page.locator("#call-panel .call-referrals:has-text('Krisesenteret i Bodø')").wait_for()
    # The card's button has turned into "referred".
    first.locator("span.tag:text('Henvist i denne samtalen')").wait_for()
    assert first.locator("form[action$='/referrals/']").count() == 0

    screenshot(page, "desk.png")

    # A few taps of categories, each autosaved.
    # (The channel is already "phone" by default.)
    answers = (
        ("caller_role", "utsatt"),
        ("age_group", "25_34"),
        ("outcome", "referred"),
        ("unmet_reason", "none"),
    )
    for name, value in answers:
        with page.expect_response(lambda r: r.url.endswith("/desk/calls/current/")):
            page.check(f'#call-panel input[name={name}][value="{value}"]')
        page.wait_for_selector(f'#call-panel input[name={name}][value="{value}"]:checked')

    # Close the call.
    page.click("#call-panel button[formaction$='/close/']")
    page.wait_for_selector(".message")
    page.wait_for_selector("#call-panel form[action$='/desk/calls/start/']")

    call = Call.objects.get()
    assert call.is_open is False
    assert call.operator_id is None
    assert call.close_token is None
    assert call.caller_role == "utsatt" and call.outcome == "referred"
    assert list(call.referrals.all()) == [local]
    assert call.started_hour.minute == 0 and call.started_hour.second == 0
