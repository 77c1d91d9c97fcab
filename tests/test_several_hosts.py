"""Several app hosts behind one proxy: two gunicorn processes share one database and one
Redis (CACHE_URL). The public API's rate limit and the login lockout hold across both, and
each process's search index follows a change made anywhere."""

import http.cookiejar
import json
import os
import re
import time
import urllib.request
import uuid
from urllib.parse import urlencode

import pytest

from tests import servers

pytestmark = pytest.mark.multiprocess
LIMIT = 6


@pytest.fixture(scope="module")
def redis_url():
    if not servers.redis_reachable():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis is not reachable at {servers.TEST_REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {servers.TEST_REDIS_URL}")
    return servers.TEST_REDIS_URL


@pytest.fixture(scope="module")
def env(redis_url, tmp_path_factory):
    prefix = f"hotline-test-{uuid.uuid4().hex[:12]}"
    with servers.own_database(tmp_path_factory.mktemp("servers")) as database_url:
        env = servers.base_env(
            DATABASE_URL=database_url,
            CACHE_URL=redis_url,
            CACHE_KEY_PREFIX=prefix,
            PUBLIC_API_RATE_LIMIT=str(LIMIT),
        )
        servers.manage(env, "migrate", "--verbosity", "0")
        try:
            yield env
        finally:
            servers.forget_keys(prefix)


@pytest.fixture(scope="module")
def hosts(env):
    with servers.servers(2, env) as started:
        yield started


def shell(env, code: str) -> None:
    servers.manage(env, "shell", "--no-imports", "--command", code)


@pytest.fixture
def counters(env):
    """No rate-limit count carried over from another test, nor left for the next."""
    servers.forget_keys(env["CACHE_KEY_PREFIX"])
    yield
    servers.forget_keys(env["CACHE_KEY_PREFIX"])


def public_names(env, host) -> set[str]:
    servers.forget_keys(env["CACHE_KEY_PREFIX"])  # the limit is the test above's business
    status, body = servers.get(f"{host.url}/api/v1/public/services")
    assert status == 200, body
    return {service["name"]["nb"] for service in json.loads(body)["results"]}


def wait_for_a_fresh_window(seconds_needed: float = 15) -> None:
    # The limit counts per wall-clock minute: do not let one end while we count.
    left = 60 - time.time() % 60
    if left < seconds_needed:
        time.sleep(left + 0.5)


def test_the_rate_limit_holds_across_processes(hosts, counters):
    first, second = hosts
    wait_for_a_fresh_window()
    statuses = []
    for i in range(LIMIT):  # alternately, so neither process alone reaches the limit
        host = first if i % 2 == 0 else second
        statuses.append(servers.get(f"{host.url}/api/v1/public/openapi.json")[0])
    assert statuses == [200] * LIMIT
    assert servers.get(f"{first.url}/api/v1/public/openapi.json")[0] == 429
    assert servers.get(f"{second.url}/api/v1/public/openapi.json")[0] == 429


def login_opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        urllib.request.HTTPRedirectHandler(),
    )


def log_in(opener, host, username: str, password: str) -> tuple[int, str]:
    _status, page = servers.get(f"{host.url}/accounts/login/", opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
    request = urllib.request.Request(  # noqa: S310 (a local server)
        f"{host.url}/accounts/login/",
        data=urlencode(form).encode(),
        headers={"Referer": f"{host.url}/accounts/login/"},
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.geturl()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.geturl()


def test_a_lockout_on_one_process_holds_on_the_other(env, hosts):
    first, second = hosts
    shell(
        env,
        "from django.contrib.auth.models import User; "
        "User.objects.create_user('lockme', password='the-right-password-1'); "
        "User.objects.create_superuser('other', password='the-right-password-2')",
    )
    opener = login_opener()
    statuses = [log_in(opener, first, "lockme", "wrong")[0] for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the form again; the fifth locks
    assert log_in(login_opener(), second, "lockme", "the-right-password-1")[0] == 429
    # Only that account is locked: the other process still lets others in.
    status, url = log_in(login_opener(), second, "other", "the-right-password-2")
    assert status == 200
    assert "/accounts/login/" not in url


def test_each_process_sees_a_change_made_anywhere(env, hosts, counters):
    first, second = hosts
    assert public_names(env, first) == public_names(env, second) == set()  # both indexes built
    shell(
        env,
        "from services_directory.models import Organization, Service; "
        "o = Organization.objects.create(name='Org'); "
        "Service.objects.create(name_nb='Senter en', organization=o, is_published=True, "
        "covers_whole_country=True)",
    )
    assert public_names(env, first) == public_names(env, second) == {"Senter en"}
    shell(
        env,
        "from services_directory.models import Service; "
        "Service.objects.filter(name_nb='Senter en').update(name_nb='Senter to')",
    )
    assert public_names(env, first) == public_names(env, second) == {"Senter to"}
    shell(
        env,
        "from services_directory.models import Service; "
        "Service.objects.filter(name_nb='Senter to').update(is_published=False)",
    )
    assert public_names(env, first) == public_names(env, second) == set()
