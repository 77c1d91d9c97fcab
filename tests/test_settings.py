"""Bad configuration stops start-up with a message that names the variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from hotline.env import env_bool, env_int, env_list, env_str
from tests.settings_process import start


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL cannot be parsed"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "must be a postgres:// or sqlite:// URL"),
        ({"DEBUG": "false"}, "SECRET_KEY (or SECRET_KEY_FILE) must be set"),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS must be set"),
        ({"AXES_FAILURE_LIMIT": "many"}, "AXES_FAILURE_LIMIT='many' is not an integer"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE: cannot read"),
        ({"CALL_RETENTION_MONTHS": "0"}, "CALL_RETENTION_MONTHS=0 is below the minimum"),
        ({"CACHE_URL": "memcached://127.0.0.1"}, "CACHE_URL must be a redis://"),
        (
            {"CACHE_URL": "redis://127.0.0.1:6379/0", "CACHE_BACKEND": "x"},
            "Set CACHE_URL or CACHE_BACKEND/CACHE_LOCATION, not both",
        ),
    ],
)
def test_bad_environment_stops_start_up(env, message):
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_cache_url_selects_djangos_redis_cache():
    result = start(
        "from django.conf import settings; import django; django.setup(); "
        "print(settings.CACHES['default'])",
        CACHE_URL="redis://cache.internal:6379/2",
        CACHE_KEY_PREFIX="desk",
    )
    assert result.returncode == 0, result.stderr
    assert "django.core.cache.backends.redis.RedisCache" in result.stdout
    assert "'LOCATION': 'redis://cache.internal:6379/2'" in result.stdout
    assert "'KEY_PREFIX': 'desk'" in result.stdout


def test_good_production_environment_starts(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 60 + "\n")
    result = start(
        "import django; django.setup()",
        DEBUG="false",
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="desk.example.no",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/hotline",
    )
    assert result.returncode == 0, result.stderr


def test_file_secret_is_read_and_stripped(tmp_path, monkeypatch):
    secret = tmp_path / "secret"
    secret.write_text("hemmelig\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert env_str("SECRET_KEY") == "hemmelig"


def test_value_and_file_together_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path))
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env_str("SECRET_KEY")


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("Yes", True)])
def test_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=not expected) is expected


def test_unset_values_use_the_default(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", default=True) is True
    assert env_int("FLAG", 7) == 7
    assert env_list("FLAG", ["a"]) == ["a"]


def test_integer_minimum(monkeypatch):
    monkeypatch.setenv("NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env_int("NUMBER", 5, minimum=1)


def test_lists_are_split_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.no, b.no,,")
    assert env_list("HOSTS", []) == ["a.no", "b.no"]
