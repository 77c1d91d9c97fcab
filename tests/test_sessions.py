"""Staff sessions: idle timeout, absolute lifetime, sign-out everywhere, who is signed in."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.middleware import ACTIVITY_COOKIE
from hotline.accounts.roles import Role
from tests.factories import login_verified, make_user

pytestmark = pytest.mark.django_db


def signed_in(client) -> bool:
    response = client.get(reverse("about"))
    return response.status_code == 200


def test_an_idle_session_ends_after_the_timeout(client, operator, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        login_verified(client, operator)
        assert signed_in(client)
        clock.shift(timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES, seconds=-5))
        assert signed_in(client)  # just inside the timeout, and the clock starts again
        clock.shift(timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES, seconds=5))
        response = client.get(reverse("desk:home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"])
        assert "uten aktivitet" in page.text  # "signed out after a period without activity"


def test_the_default_idle_timeout_is_30_minutes(settings):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30


def test_the_idle_timeout_is_configurable(client, operator, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        login_verified(client, operator)
        assert signed_in(client)
        clock.shift(timedelta(minutes=6))
        assert not signed_in(client)


def test_activity_keeps_a_session_only_until_its_absolute_lifetime(client, operator, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        login_verified(client, operator)
        assert signed_in(client)
        # A request every 20 minutes, well inside the idle timeout, for the whole lifetime.
        for _ in range(settings.SESSION_COOKIE_AGE // 1200):
            clock.shift(timedelta(minutes=20))
            assert signed_in(client)
        clock.shift(timedelta(minutes=20))
        assert not signed_in(client)


def test_a_password_change_signs_out_every_session(operator):
    desk, laptop = Client(), Client()
    login_verified(desk, operator)
    login_verified(laptop, operator)
    assert signed_in(desk) and signed_in(laptop)
    operator.set_password("a whole new passphrase here")
    operator.save()
    assert not signed_in(desk)
    assert not signed_in(laptop)


def test_a_new_authenticator_signs_out_sessions_that_used_the_old_one(operator):
    from hotline.accounts.two_factor import confirm_enrolment, pending_totp_device, reset_devices

    desk = Client()
    login_verified(desk, operator)
    assert signed_in(desk)
    reset_devices(operator)
    confirm_enrolment(pending_totp_device(operator))
    assert not signed_in(desk)


@pytest.mark.parametrize(
    ("role", "page"),
    [
        (Role.OPERATOR, "desk:home"),
        (Role.EDITOR, "directory:dashboard"),
        (Role.SUPERVISOR, "reports:home"),
        (Role.OPERATOR, "about"),
    ],
)
def test_every_staff_page_says_who_is_signed_in_with_a_log_out_button(client, role, page):
    user = make_user(role, username=f"kari-{role}")
    login_verified(client, user)
    text = client.get(reverse(page)).text
    assert f"Logget inn som <strong>kari-{role}</strong>" in text
    assert f'action="{reverse("logout")}" method="post"' in text
    assert ">Logg ut</button>" in text


@pytest.fixture
def one_minute_clock(client, operator, settings):
    """A signed-in client with a one-minute idle timeout, on a clock that moves when told."""
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 1
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login_verified(client, operator)
        assert signed_in(client)
        yield clock


def test_an_operator_active_every_35_to_50_seconds_stays_signed_in(client, one_minute_clock):
    for gap in [35, 50, 45, 40, 50, 35, 50, 50, 45]:
        one_minute_clock.shift(timedelta(seconds=gap))
        assert signed_in(client), f"signed out after a {gap} s pause"


def test_idleness_counts_from_the_last_request_not_the_last_refresh(client, one_minute_clock):
    one_minute_clock.shift(timedelta(seconds=50))
    assert signed_in(client)  # the session's own clock is not refreshed this soon
    one_minute_clock.shift(timedelta(seconds=61))
    assert not signed_in(client)


def test_without_the_activity_cookie_the_sessions_clock_still_counts(client, one_minute_clock):
    # A forged or missing cookie can only make a session look older, never newer.
    one_minute_clock.shift(timedelta(seconds=50))
    assert signed_in(client)
    client.cookies[ACTIVITY_COOKIE] = str(int(time.time()) + 3600)  # not signed
    one_minute_clock.shift(timedelta(seconds=50))
    assert not signed_in(client)  # 100 s since the session's clock was last refreshed


def test_the_activity_cookie_is_not_set_on_public_api_answers(client, operator):
    login_verified(client, operator)
    assert ACTIVITY_COOKIE in client.get(reverse("about")).cookies
    assert ACTIVITY_COOKIE not in client.get(reverse("api:public_services")).cookies
