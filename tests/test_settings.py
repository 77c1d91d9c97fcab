"""Bad configuration stops start-up with a message that names the variable."""

import secrets
import shlex

import pytest
from django.core.exceptions import ImproperlyConfigured

from hotline.env import env_bool, env_int, env_list, env_str
from tests.settings_process import ROOT, start


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
        (
            {
                "DEBUG": "false",
                "SECRET_KEY": "x" * 50,
                "ALLOWED_HOSTS": "a",
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "REQUIRE_2FA": "0",
            },
            "REQUIRE_2FA=false is allowed only with DEBUG on",
        ),
        ({"SESSION_IDLE_TIMEOUT_MINUTES": "0"}, "SESSION_IDLE_TIMEOUT_MINUTES=0 is below"),
        (
            {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a"},
            "EMAIL_BACKEND must be set when DEBUG is off",
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
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert result.returncode == 0, result.stderr


def test_the_demo_may_switch_the_second_factor_off():
    result = start(
        "from django.conf import settings; import django; django.setup(); "
        "print(settings.REQUIRE_2FA, settings.AXES_RESET_ON_SUCCESS)",
        DEBUG="true",
        REQUIRE_2FA="false",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


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


def _readme_production_environment() -> dict[str, str]:
    """The variables the README's production recipe exports (its ``export`` line)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("PostgreSQL is the production database:", 1)[1].split("```sh", 1)[1]
    block = block.split("```", 1)[0].replace("\\\n", " ")
    export = next(line for line in block.splitlines() if line.startswith("export "))
    return dict(word.split("=", 1) for word in shlex.split(export)[1:])


def test_the_readmes_production_recipe_passes_the_deploy_checks(tmp_path):
    env = _readme_production_environment()
    assert env["DEBUG"] == "false"
    assert "EMAIL_BACKEND" in env
    # The recipe's secret files hold real secrets on a server; here, one of our own.
    for name in [name for name in env if name.endswith("_FILE")]:
        secret = tmp_path / name
        secret.write_text(secrets.token_urlsafe(50) + "\n")
        env[name] = str(secret)
    result = start(
        "from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
