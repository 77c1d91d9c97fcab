"""With the database unreachable, the APIs answer a JSON 503 and pages a plain one."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.urls import reverse

from tests.factories import login_verified
from tests.servers import free_port

pytestmark = pytest.mark.django_db


@contextmanager
def database_down(tmp_path):
    """Point the connection at a closed port (PostgreSQL) or an unopenable file (SQLite),
    as if the server had gone; afterwards the test's own connection comes back as it was."""
    wrapper = connections[DEFAULT_DB_ALIAS]  # the object itself, not the thread's proxy
    saved = dict(vars(wrapper))
    unreachable = (
        {"PORT": str(free_port()), "HOST": "127.0.0.1"}
        if wrapper.vendor == "postgresql"
        else {"NAME": str(tmp_path / "missing" / "db.sqlite3")}
    )
    try:
        with mock.patch.dict(wrapper.settings_dict, unreachable):
            wrapper.connection = None
            yield
    finally:
        vars(wrapper).clear()
        vars(wrapper).update(saved)


@pytest.fixture
def quiet_client():
    # As in production: an unhandled exception becomes handler500's response.
    return Client(raise_request_exception=False)


@pytest.fixture
def operator_quiet(quiet_client, operator):
    return login_verified(quiet_client, operator)


def _json_503(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["errors"]) == ["__all__"]
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]


def test_staff_api_answers_json_503(operator_quiet, tmp_path):
    with database_down(tmp_path):
        response = operator_quiet.get(reverse("api:search"), {"municipality": "0301"})
    _json_503(response)
    assert "Tjenesten er midlertidig utilgjengelig" in response.json()["errors"]["__all__"][0]


def test_public_api_answers_json_503_a_portal_can_read(quiet_client, tmp_path):
    url = reverse("api:public_hsds_service", kwargs={"id": "krisesenter-1"})
    with database_down(tmp_path):
        response = quiet_client.get(url)
    _json_503(response)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response["Access-Control-Expose-Headers"]


def test_a_page_answers_a_plain_bokmal_503(operator_quiet, tmp_path):
    with database_down(tmp_path):
        response = operator_quiet.get(reverse("desk:home"))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "Tjenesten er midlertidig utilgjengelig" in response.text
    assert "112" in response.text
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]


def test_healthz_stays_as_it_is(quiet_client, tmp_path):
    with database_down(tmp_path):
        response = quiet_client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.text == "unavailable\n"


def test_the_connection_works_again_afterwards(operator_quiet, tmp_path):
    with database_down(tmp_path):
        operator_quiet.get(reverse("desk:home"))
    assert operator_quiet.get(reverse("desk:home")).status_code == 200


def test_another_error_is_still_a_500(operator_quiet):
    with mock.patch("hotline.desk.views.render", side_effect=RuntimeError("bug")):
        response = operator_quiet.get(reverse("desk:home"))
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "no-store" in response["Cache-Control"]


def test_another_api_error_is_a_json_500(operator_quiet):
    with mock.patch("hotline.api.views.JsonResponse", side_effect=RuntimeError("bug")):
        response = operator_quiet.get(reverse("api:search"), {"municipality": "0301"})
    assert response.status_code == 500
    assert list(response.json()["errors"]) == ["__all__"]
    assert "Retry-After" not in response
