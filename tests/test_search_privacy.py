"""Searches describe a caller's situation: they are never stored and never logged."""

import logging
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_service, writes

SECRET = "Gjenkjennelig"  # stands in for anything a caller might have said
SEARCHES = [
    ("desk:home", {"where": "Tromsø", "topic": "voldtekt", "q": SECRET}),
    ("desk:home", {"where": SECRET}),  # refused: unknown place
    ("desk:home", {"where": "Herøy", "q": SECRET}),  # refused: ambiguous
    ("desk:places", {"where": SECRET}),
    ("api:search", {"municipality": "5501", "q": SECRET}),
    ("api:search", {"municipality": "5501", "q": SECRET, "topic": "nope"}),  # 400
]


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.mark.parametrize(("name", "params"), SEARCHES)
def test_a_search_writes_nothing(operator_client, name, params):
    make_service(f"{SECRET} senter")
    with CaptureQueriesContext(connection) as queries:
        response = operator_client.get(reverse(name), params)
    assert response.status_code in (200, 400)
    assert writes(queries) == []


@pytest.mark.parametrize(("name", "params"), SEARCHES)
def test_a_search_logs_nothing_it_was_asked(operator_client, everything_logged, name, params):
    operator_client.get(reverse(name), params)
    assert SECRET not in everything_logged.text
    assert all(SECRET not in str(record.args) for record in everything_logged.records)


def test_the_development_server_does_not_log_query_strings(settings):
    handlers = settings.LOGGING["loggers"]["django.server"]["handlers"]
    assert all(
        settings.LOGGING["handlers"][name]["class"] == "logging.NullHandler" for name in handlers
    )


def test_the_documented_commands_use_the_shipped_gunicorn_config():
    # gunicorn.conf.py keeps the access log safe (tests/test_gunicorn_config.py); a
    # --config or log flag in the README's commands would bypass or undo it.
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    commands = re.findall(r"^uv run gunicorn [^\n]*(?:\\\n[^\n]*)*", readme, re.MULTILINE)
    assert commands
    for flag in ("--config", "-c ", "--access-logformat", "--log-config", "--logger-class"):
        assert not [command for command in commands if flag in command], flag
    assert (root / "gunicorn.conf.py").is_file()


@pytest.mark.parametrize(("name", "params"), SEARCHES)
def test_search_responses_are_not_cached(operator_client, name, params):
    response = operator_client.get(reverse(name), params)
    assert "no-store" in response.headers["Cache-Control"]
