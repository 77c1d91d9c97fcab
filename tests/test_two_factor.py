"""Two-factor sign-in: set-up on first sign-in, codes, recovery codes, lockout."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.accounts.roles import Role
from hotline.accounts.two_factor import GUESS_LIMIT, reset_devices
from hotline.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, enrol, make_user, totp_code

pytestmark = pytest.mark.django_db


def password_step(client, username="operator", **extra):
    return client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD}, **extra)


def verified(client) -> bool:
    return client.get(reverse("desk:home")).status_code == 200


# Set-up on first sign-in


def test_first_sign_in_shows_a_qr_code_and_the_key_as_text(client):
    make_user(Role.OPERATOR)
    password_step(client)
    response = client.get(reverse("desk:home"))
    assert response["Location"].startswith(reverse("two_factor_setup"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<svg" in page.text and 'role="img"' in page.text
    device = TOTPDevice.objects.get(confirmed=False)
    key = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', page.text)
    assert key is not None
    from base64 import b32decode

    secret = key.group(1).replace(" ", "")
    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    # A reload keeps the same key: the app may already hold it.
    assert key.group(0) in client.get(reverse("two_factor_setup")).text
    assert TOTPDevice.objects.count() == 1


def test_a_right_code_turns_it_on_and_shows_recovery_codes_once(client):
    user = make_user(Role.OPERATOR)
    password_step(client)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(
        reverse("two_factor_setup"), {"token": totp_code(device), "next": "/desk/"}
    )
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.text)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    device.refresh_from_db()
    assert device.confirmed
    assert verified(client)
    assert AuditEvent.objects.filter(kind="two_factor_enrolled", actor=user).exists()
    # Set up once: the page now sends the user on instead of showing a new key.
    assert client.get(reverse("two_factor_setup")).status_code == 302


def test_a_wrong_code_at_set_up_is_a_400_and_turns_nothing_on(client):
    make_user(Role.OPERATOR)
    password_step(client)
    client.get(reverse("two_factor_setup"))
    response = client.post(reverse("two_factor_setup"), {"token": "000000x"})
    assert response.status_code == 400
    assert 'id="id_token_error"' in response.text
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert not verified(client)


def test_an_empty_code_is_a_400_naming_the_field(client):
    enrol(make_user(Role.OPERATOR))
    password_step(client)
    response = client.post(reverse("two_factor"), {"token": ""})
    assert response.status_code == 400
    assert 'id="id_token_error"' in response.text


def test_the_steps_refuse_other_methods(client):
    make_user(Role.OPERATOR)
    password_step(client)
    assert client.put(reverse("two_factor")).status_code == 405
    assert client.delete(reverse("two_factor_setup")).status_code == 405


def test_anonymous_users_are_sent_to_the_password_step(client):
    for name in ("two_factor", "two_factor_setup"):
        assert client.get(reverse(name))["Location"].startswith(reverse("login"))


# Signing in


def test_the_code_completes_the_sign_in_and_follows_next(client):
    user = make_user(Role.OPERATOR)
    device = enrol(user)
    password_step(client)
    assert not verified(client)
    response = client.post(reverse("two_factor"), {"token": totp_code(device), "next": "/about/"})
    assert response["Location"] == "/about/"
    assert verified(client)
    assert AuditEvent.objects.filter(kind="second_factor_passed", actor=user).exists()


def test_next_cannot_leave_the_site(client):
    device = enrol(make_user(Role.OPERATOR))
    password_step(client)
    response = client.post(
        reverse("two_factor"), {"token": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_a_recovery_code_works_once(client):
    user = make_user(Role.OPERATOR)
    enrol(user)
    static = StaticDevice.objects.create(user=user, name="recovery codes")
    StaticToken.objects.create(device=static, token="abcd2345")
    password_step(client)
    assert client.post(reverse("two_factor"), {"token": "ABCD 2345"}).status_code == 302
    assert verified(client)
    client.post(reverse("logout"))
    password_step(client)
    assert client.post(reverse("two_factor"), {"token": "abcd2345"}).status_code == 400
    assert not verified(client)


def test_an_old_code_is_refused(client):
    device = enrol(make_user(Role.OPERATOR))
    password_step(client)
    stale = f"{totp(device.bin_key, step=device.step, t0=device.t0 - 300):06d}"  # 10 steps ago
    assert client.post(reverse("two_factor"), {"token": stale}).status_code == 400
    assert not verified(client)


def test_wrong_codes_lock_the_account_out_like_wrong_passwords(client):
    """Axes counts wrong codes; signing in again with the password does not reset them."""
    device = enrol(make_user(Role.OPERATOR))
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        password_step(client)
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            if attempt == 2:
                password_step(client)  # the password again must not wipe the count
            response = client.post(reverse("two_factor"), {"token": "123456"})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session  # locked out means signed out
        assert password_step(client).status_code == 429
        assert AuditEvent.objects.filter(kind="second_factor_failed").count() >= 3

        clock.move_to(start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        assert password_step(client).status_code == 302
        assert client.post(reverse("two_factor"), {"token": totp_code(device)}).status_code == 302
        assert verified(client)


def test_the_admin_needs_the_second_factor_too(client):
    enrol(make_user(Role.EDITOR, username="ed", is_staff=True))
    client.post(reverse("admin:login"), {"username": "ed", "password": TEST_PASSWORD})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor"))


# Reset


def test_a_reset_signs_out_every_session_and_asks_for_set_up_again(client, operator):
    from tests.factories import login_verified

    login_verified(client, operator)
    assert verified(client)
    reset_devices(operator)
    response = client.get(reverse("desk:home"))
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    password_step(client)
    assert client.get(reverse("desk:home"))["Location"].startswith(reverse("two_factor_setup"))


def test_without_require_2fa_the_password_is_enough(client, settings):
    settings.REQUIRE_2FA = False
    make_user(Role.OPERATOR)
    password_step(client)
    assert verified(client)


ATTACKER, USER_DESK = "198.51.100.7", "203.0.113.20"


def wrong_code(device) -> str:
    return f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"


def guess(address: str, device, times: int):
    guesser = Client(REMOTE_ADDR=address)
    password_step(guesser)
    for _ in range(times):
        response = guesser.post(reverse("two_factor"), {"token": wrong_code(device)})
    return guesser, response


def sign_in(address: str, device) -> Client:
    client = Client(REMOTE_ADDR=address)
    assert password_step(client).status_code == 302
    client.post(reverse("two_factor"), {"token": totp_code(device)})
    return client


def test_a_guesser_locks_out_their_own_address_not_the_user(client):
    """Someone who knows the password cannot keep the user's second factor blocked."""
    device = enrol(make_user(Role.OPERATOR))
    guesser, response = guess(ATTACKER, device, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert password_step(guesser).status_code == 429  # locked, from that address
    assert verified(sign_in(USER_DESK, device))


def test_a_guesser_with_many_addresses_is_stopped_but_not_at_the_users_desk(client):
    device = enrol(make_user(Role.OPERATOR))
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert verified(sign_in(USER_DESK, device))  # the user's usual address
        for n in range(GUESS_LIMIT // settings.AXES_FAILURE_LIMIT):
            guess(f"198.51.100.{10 + n}", device, settings.AXES_FAILURE_LIMIT)
        clock.shift(timedelta(seconds=30))  # the app shows a new code
        # The budget is spent: a right code from a new address is refused too...
        newcomer = Client(REMOTE_ADDR="192.0.2.99")
        assert password_step(newcomer).status_code == 302
        response = newcomer.post(reverse("two_factor"), {"token": totp_code(device)})
        assert response.status_code == 429
        assert not verified(newcomer)
        # ...but the user signs in at their desk.
        clock.shift(timedelta(seconds=30))
        assert verified(sign_in(USER_DESK, device))


def test_the_guess_budget_is_forgotten_after_a_day(client):
    device = enrol(make_user(Role.OPERATOR))
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for n in range(GUESS_LIMIT // settings.AXES_FAILURE_LIMIT):
            guess(f"198.51.100.{10 + n}", device, settings.AXES_FAILURE_LIMIT)
        clock.shift(timedelta(hours=24, seconds=30))
        assert verified(sign_in("192.0.2.99", device))
