"""End to end in Chromium with its virtual authenticator (DevTools' WebAuthn domain): add
a passkey with the keyboard, sign out, and sign in again with the passkey for the code."""

import pytest
from playwright.sync_api import expect

from hotline.accounts.roles import Role
from tests.factories import TEST_PASSWORD, log_in, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def virtual_authenticator(page) -> None:
    """A platform passkey (like Touch ID) that answers at once, with the user verified."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_add_a_passkey_and_sign_in_with_it(page, live_server, settings):
    from hotline.accounts.models import Passkey
    from hotline.audit.models import AuditEvent

    # The live server's own origin (a port chosen at random); the RP ID stays localhost.
    settings.WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    user = make_user(Role.OPERATOR, username="kari")
    virtual_authenticator(page)
    log_in(page, "kari")

    page.goto("/accounts/passkeys/")
    expect(page.locator("[data-passkey-unsupported]")).to_be_hidden()
    form = page.locator("form[data-passkey=add]")
    expect(form).to_be_visible()
    page.fill("#id_name", "Jobb-PC")
    page.press("#id_name", "Enter")  # the keyboard is enough
    expect(page.locator(".messages")).to_contain_text("Passnøkkel lagt til")
    expect(page.locator("table")).to_contain_text("Jobb-PC")
    credential = Passkey.objects.get(user=user)
    assert credential.name == "Jobb-PC"
    assert AuditEvent.objects.filter(kind="passkey_added", actor=user).exists()

    page.click(".signed-in button[type=submit]")  # log out
    page.goto("/accounts/login/?next=/desk/")
    page.fill("input[name=username]", "kari")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/accounts/two-factor/**")
    button = page.get_by_role("button", name="Bruk en passnøkkel")
    expect(button).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/")
    expect(page.locator("h1")).to_be_visible()
    assert AuditEvent.objects.filter(
        kind="second_factor_passed", actor=user, details={"method": "passkey"}
    ).exists()
    credential.refresh_from_db()
    assert credential.last_used_at is not None


def test_without_webauthn_the_passkey_forms_stay_hidden(page, live_server):
    make_user(Role.OPERATOR, username="kari")
    # As in a browser without the API.
    page.add_init_script("delete window.PublicKeyCredential;")
    log_in(page, "kari")
    page.goto("/accounts/passkeys/")
    expect(page.locator("[data-passkey-unsupported]")).to_be_visible()
    expect(page.locator("form[data-passkey=add]")).to_be_hidden()
