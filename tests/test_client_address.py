"""One rule for the client's address behind the TLS proxy: rate limits, django-axes'
lockouts and the audit log all take the address the proxy saw, never one a client
wrote into X-Forwarded-For itself."""

import pytest
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from hotline.accounts.roles import Role
from hotline.audit.models import AuditEvent
from hotline.ratelimit import client_ip
from tests.factories import TEST_PASSWORD, make_user

PROXY = "10.0.0.2"
# A client may send its own X-Forwarded-For; the proxy appends the address it saw.
SPOOFED_THEN_REAL = "198.51.100.1, 203.0.113.9"


def request_from(forwarded_for):
    return RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_without_a_proxy_the_header_is_ignored():
    assert client_ip(request_from(SPOOFED_THEN_REAL)) == PROXY


@override_settings(BEHIND_TLS_PROXY=True)
def test_behind_the_proxy_only_the_entry_it_appended_counts():
    assert client_ip(request_from(SPOOFED_THEN_REAL)) == "203.0.113.9"
    assert client_ip(request_from("203.0.113.9")) == "203.0.113.9"


@override_settings(BEHIND_TLS_PROXY=True)
def test_behind_the_proxy_without_the_header_the_peer_counts():
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY)
    assert client_ip(request) == PROXY


@override_settings(BEHIND_TLS_PROXY=True)
def test_axes_uses_the_same_rule():
    assert get_client_ip_address(request_from(SPOOFED_THEN_REAL)) == "203.0.113.9"


def failed_login_via_proxy(client, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": "operator", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.django_db
@override_settings(BEHIND_TLS_PROXY=True)
def test_a_lockout_behind_the_proxy_holds_one_client_not_everyone(client):
    make_user(Role.OPERATOR)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        failed_login_via_proxy(client, "203.0.113.9")

    locked = client.post(
        reverse("login"),
        {"username": "operator", "password": TEST_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert locked.status_code == 429

    elsewhere = client.post(
        reverse("login"),
        {"username": "operator", "password": TEST_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.50",
    )
    assert elsewhere.status_code == 302


@pytest.mark.django_db
@override_settings(BEHIND_TLS_PROXY=True)
def test_a_spoofed_entry_cannot_dodge_a_lockout(client):
    make_user(Role.OPERATOR)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        failed_login_via_proxy(client, f"198.51.100.{attempt}, 203.0.113.9")

    locked = client.post(
        reverse("login"),
        {"username": "operator", "password": TEST_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.9",
    )
    assert locked.status_code == 429


@pytest.mark.django_db
@override_settings(BEHIND_TLS_PROXY=True)
def test_the_audit_log_records_the_client_not_the_proxy(client):
    make_user(Role.OPERATOR)
    failed_login_via_proxy(client, SPOOFED_THEN_REAL)
    failed = AuditEvent.objects.get(kind=AuditEvent.Kind.SIGN_IN_FAILED)
    assert failed.ip_address == "203.0.113.9"
