"""Sign-in throttled per address as well as per username (hotline/accounts/throttle.py):
random usernames from one address are paused after SIGN_IN_ADDRESS_FAILURE_LIMIT
failures, before any password is hashed, the same way for accounts and for names that
are none; and no name that is no account is written to the audit log."""

import pickle
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from hotline.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db
LIMIT = 3
FLOODER = "203.0.113.50"
NAMES = [f"guess-{n}-x7q" for n in range(LIMIT)]


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = LIMIT
    # A fixed clock: the end of a fixed window mid-test would reset the count.
    with time_machine.travel(timezone.now(), tick=False):
        yield


def login(client, username: str, password: str, address: str = FLOODER):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def flood(client, address: str = FLOODER) -> list[int]:
    return [login(client, name, "wrong", address).status_code for name in NAMES]


def test_random_usernames_from_one_address_pause_that_address(client):
    make_user(username="kari")
    assert flood(client) == [200] * LIMIT  # each name alone is far below axes' limit
    for username, password in (("another-guess", "wrong"), ("kari", TEST_PASSWORD)):
        response = login(client, username, password)
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 15 * 60
        assert "no-store" in response["Cache-Control"]
        assert '<html lang="nb">' in response.text
        assert parse_html("<h1>Innlogging satt på pause</h1>") in parse_html(response.text)
        assert "nettverket" in response.text
    assert "_auth_user_id" not in client.session


def test_a_paused_address_costs_no_password_check(client, monkeypatch):
    flood(client)
    calls = []
    monkeypatch.setattr(ModelBackend, "authenticate", lambda *a, **k: calls.append(1))
    assert login(client, "one-more", "wrong").status_code == 429
    assert calls == []


def test_other_addresses_still_sign_in(client):
    make_user(username="kari")
    flood(client)
    assert login(client, "kari", TEST_PASSWORD, address="198.51.100.4").status_code == 302


def test_behind_the_proxy_each_client_address_counts_alone(client, settings):
    settings.BEHIND_TLS_PROXY = True
    make_user(username="kari")
    for name in NAMES:
        client.post(
            reverse("login"),
            {"username": name, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=FLOODER,
        )
    paused = client.post(
        reverse("login"),
        {"username": "kari", "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR=FLOODER,
    )
    assert paused.status_code == 429
    other = client.post(
        reverse("login"),
        {"username": "kari", "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.4",
    )
    assert other.status_code == 302


def test_the_pause_ends_with_the_cool_off(client, settings):
    make_user(username="kari")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        flood(client)
        assert login(client, "kari", TEST_PASSWORD).status_code == 429
        clock.move_to(start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        assert login(client, "kari", TEST_PASSWORD).status_code == 302


def test_successful_sign_ins_from_one_office_are_not_counted(client):
    for n in range(LIMIT + 2):
        make_user(username=f"operator-{n}")
    for n in range(LIMIT + 2):
        assert login(client, f"operator-{n}", TEST_PASSWORD).status_code == 302
        client.logout()
    assert login(client, "not-an-account", "wrong").status_code == 200


def test_no_name_that_is_no_account_is_written(client):
    kari = make_user(username="kari")
    flood(client)
    login(client, "kari", "wrong", address="198.51.100.4")
    failed = AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGN_IN_FAILED)
    # One event per checked failure: the account's carries it, the others none. (The
    # clock is fixed and ids are random, so the events have no order to compare.)
    actors = [event.actor for event in failed]
    assert actors.count(None) == LIMIT
    assert [actor for actor in actors if actor is not None] == [kari]
    written = repr(list(AuditEvent.objects.values()))
    assert not any(name in written for name in NAMES)
    # The address's count is kept in the cache under a hash: neither name nor address.
    kept = repr(list(cache._cache)) + repr(  # type: ignore[attr-defined]
        [pickle.loads(value) for value in cache._cache.values()]  # type: ignore[attr-defined]  # noqa: S301
    )
    assert FLOODER not in kept
    assert not any(name in kept for name in NAMES)


def test_a_get_or_an_empty_form_is_no_password_check(client):
    flood(client)
    assert client.get(reverse("login"), REMOTE_ADDR=FLOODER).status_code == 200
    assert login(client, "", "").status_code == 200
    assert client.delete(reverse("login"), REMOTE_ADDR=FLOODER).status_code == 405
