"""Django's own log lines (settings.LOGGING) name a request's path without its query
string and without ids: a 400 desk search, a 404 in the call panel and a refused
request write what the console handler lets through, and nothing a caller said."""

import io
import logging

import pytest

from hotline.log_privacy import safe_path


@pytest.fixture
def console():
    """What the configured console handler writes during the test."""
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


def test_a_bad_desk_search_logs_its_path_only(operator_client, console):
    response = operator_client.get("/desk/", {"where": "Bodø", "topic": "voldtekt", "age": "x"})
    assert response.status_code == 400
    assert "Bad Request: /desk/" in console.getvalue()
    assert "Bod" not in console.getvalue()
    assert "voldtekt" not in console.getvalue()


def test_a_404_in_the_call_panel_logs_no_service_id(operator_client, console):
    response = operator_client.post("/desk/calls/current/referrals/4711/remove/?where=Bodø")
    assert response.status_code == 404
    assert "Not Found: /desk/calls/current/referrals/<id>/remove/" in console.getvalue()
    assert "4711" not in console.getvalue()
    assert "Bod" not in console.getvalue()


def test_a_refused_request_logs_no_id_or_query(operator, console):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = client.post("/desk/guide/4711/?topic=voldtekt")
    assert response.status_code == 403
    assert "/desk/guide/<id>/" in console.getvalue()
    assert "4711" not in console.getvalue()
    assert "voldtekt" not in console.getvalue()


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("/desk/", "/desk/"),
        ("/desk/?where=Bod%C3%B8", "/desk/"),
        ("/capacity/?key=abc", "/capacity/"),
        ("/desk/guide/12/", "/desk/guide/<id>/"),
        ("/reports/export/12.csv", "/reports/export/<id>.csv"),
        ("/api/v1/public/hsds/services/5", "/api/v1/public/hsds/services/<id>"),
        ("/desk/v2x/", "/desk/v2x/"),
    ],
)
def test_safe_path(path, safe):
    assert safe_path(path) == safe
