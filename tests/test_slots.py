"""Global concurrency limits (hotline/slots.py): while every slot is taken, the public
API answers a JSON 503 and a password check a bokmål 503 page, both at once and with
Retry-After; slots are given back after exceptions and expire when their holder dies."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from hotline.accounts import throttle as sign_in
from hotline.api import throttle as public
from hotline.audit.models import AuditEvent
from hotline.slots import LEASE_SECONDS, RETRY_AFTER_SECONDS, held, slot
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db
HSDS_SERVICES = reverse("api:public_hsds_services")
OPENAPI = reverse("api:public_openapi")


@pytest.fixture(autouse=True)
def _slots(settings):
    settings.PUBLIC_API_SLOTS = 2
    settings.PASSWORD_CHECK_SLOTS = 1
    settings.PUBLIC_API_RATE_LIMIT = 100_000


def test_a_slot_is_held_for_the_block_and_given_back():
    with slot("work", 2) as first, slot("work", 2) as second:
        assert first and second
        assert held("work", 2) == 2
        with slot("work", 2) as third:
            assert not third
        assert held("work", 2) == 2
    assert held("work", 2) == 0


def test_a_slot_is_given_back_when_the_work_raises():
    with pytest.raises(RuntimeError), slot("work", 1):
        raise RuntimeError
    assert held("work", 1) == 0


def test_a_dead_holders_slot_expires():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        died = slot("work", 1)
        assert died.__enter__()  # a process that dies never leaves the block
        with slot("work", 1) as free:
            assert not free
        clock.move_to(start + timedelta(seconds=LEASE_SECONDS + 1))
        with slot("work", 1) as free:
            assert free


def test_an_expired_lease_taken_by_another_is_not_given_back_by_the_first():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock, slot("work", 1) as slow:
        assert slow
        clock.move_to(start + timedelta(seconds=LEASE_SECONDS + 1))
        fresh = slot("work", 1)
        assert fresh.__enter__()
    # The slow request's exit left the fresh request's slot alone.
    assert held("work", 1) == 1


# --- The public API -------------------------------------------------------------------


def hold_all(scope: str, count: int) -> list:
    holders = [slot(scope, count) for _ in range(count)]
    assert all(holder.__enter__() for holder in holders)
    return holders


def give_back(holders: list) -> None:
    for holder in holders:
        holder.__exit__(None, None, None)


def test_the_public_api_answers_503_at_once_when_its_slots_are_full(client):
    holders = hold_all(public.SLOT_SCOPE, 2)
    response = client.get(HSDS_SERVICES)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert list(response.json()["errors"]) == ["__all__"]
    assert "opptatt" in response.json()["errors"]["__all__"][0]
    give_back(holders)
    assert client.get(HSDS_SERVICES).status_code == 200


# A fixed clock: a minute boundary mid-test would reset the fixed-window counter.
@time_machine.travel(timezone.now(), tick=False)
def test_the_rate_limit_answers_before_a_slot_is_taken(client, settings):
    settings.PUBLIC_API_RATE_LIMIT = 1
    assert client.get(OPENAPI).status_code == 200
    holders = hold_all(public.SLOT_SCOPE, 2)
    assert client.get(OPENAPI).status_code == 429
    give_back(holders)


def test_a_public_request_gives_its_slot_back(client):
    assert client.get(HSDS_SERVICES).status_code == 200
    assert client.get(HSDS_SERVICES, {"per_page": "0"}).status_code == 400
    assert client.post(HSDS_SERVICES).status_code == 405
    assert held(public.SLOT_SCOPE, 2) == 0


def test_a_public_request_that_raises_gives_its_slot_back(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("hotline.api.hsds._page", broken)
    with pytest.raises(RuntimeError):
        client.get(HSDS_SERVICES)
    assert held(public.SLOT_SCOPE, 2) == 0


# --- Password checks ------------------------------------------------------------------


def login(client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_a_password_check_answers_a_bokmal_503_when_its_slots_are_full(client):
    make_user(username="kari")
    holders = hold_all(sign_in.SLOT_SCOPE, 1)
    response = login(client, "kari", TEST_PASSWORD)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    assert '<html lang="nb">' in response.text
    assert parse_html("<h1>Innlogging satt på pause</h1>") in parse_html(response.text)
    assert "_auth_user_id" not in client.session
    # Not a failed sign-in: nothing is counted against the account or the address.
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGN_IN_FAILED).exists()
    give_back(holders)
    assert login(client, "kari", TEST_PASSWORD).status_code == 302


def test_the_admins_login_shares_the_password_slots(client):
    make_user(username="admin", is_staff=True, is_superuser=True)
    holders = hold_all(sign_in.SLOT_SCOPE, 1)
    response = client.post(reverse("admin:login"), {"username": "admin", "password": TEST_PASSWORD})
    assert response.status_code == 503
    give_back(holders)


def test_the_login_page_itself_needs_no_slot(client):
    holders = hold_all(sign_in.SLOT_SCOPE, 1)
    assert client.get(reverse("login")).status_code == 200
    assert client.delete(reverse("login")).status_code == 405
    give_back(holders)


def test_a_password_check_gives_its_slot_back(client):
    make_user(username="kari")
    assert login(client, "kari", "wrong").status_code == 200
    assert login(client, "", "").status_code == 200  # the form's own 'required' errors
    assert held(sign_in.SLOT_SCOPE, 1) == 0
    assert login(client, "kari", TEST_PASSWORD).status_code == 302
    assert held(sign_in.SLOT_SCOPE, 1) == 0


def test_a_password_check_that_raises_gives_its_slot_back(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ModelBackend, "authenticate", broken)
    with pytest.raises(RuntimeError):
        login(client, "kari", "wrong")
    assert held(sign_in.SLOT_SCOPE, 1) == 0


def test_a_wrong_password_is_checked_once(client, monkeypatch):
    # Django's ModelBackend stays listed for older sessions; it must not hash again.
    calls = []
    check = ModelBackend.authenticate

    def counted(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return check(self, *args, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counted)
    make_user(username="kari")
    assert login(client, "kari", "wrong").status_code == 200
    assert login(client, "nobody", "wrong").status_code == 200
    assert calls == ["ThrottledModelBackend", "ThrottledModelBackend"]


def test_a_session_from_before_the_throttled_backend_still_works(client):
    from django.contrib.auth import BACKEND_SESSION_KEY

    user = make_user(username="kari")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    response = client.get(reverse("two_factor"))
    assert response.status_code in (200, 302)
    assert client.session["_auth_user_id"] == str(user.pk)
