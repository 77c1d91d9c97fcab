"""The production layout (docs/operations.md): two gunicorn services on one database and
one Redis, the public pool (the public API and the login page) and the staff pool
(everything else). A staff member signs in through both; the desk keeps answering while
every public worker is taken; and the slots in Redis hold across both processes. No
timings here (benchmarks/flood.py measures): the public side is shown unable to answer,
or refusing, while the desk answers."""

import http.cookiejar
import json
import re
import socket
import time
import urllib.request
from urllib.parse import urlencode

import pytest
import redis
from django_otp.oath import totp

from tests import servers
from tests.test_several_hosts import env, log_in, login_opener, redis_url, shell  # noqa: F401

pytestmark = pytest.mark.multiprocess
KEY = "3132333435363738393031323334353637383930"  # the authenticator's key, in hex
PASSWORD = "pool-operator-password-1"
HSDS = "/api/v1/public/hsds/services?per_page=100"


@pytest.fixture(scope="module")
def pools(env):  # noqa: F811
    # The rate limit is test_several_hosts' business; here only the slots may refuse.
    pool_env = {
        **env,
        "PUBLIC_API_RATE_LIMIT": "1000",
        "PUBLIC_API_SLOTS": "2",
        "PASSWORD_CHECK_SLOTS": "1",
    }
    with servers.servers(2, pool_env) as (staff, public):
        yield staff, public


@pytest.fixture(scope="module")
def operator(env, pools):  # noqa: F811
    shell(
        env,
        "from django.contrib.auth.models import Group, User; "
        "from django_otp.plugins.otp_totp.models import TOTPDevice; "
        f"u = User.objects.create_user('pool-operator', password='{PASSWORD}'); "
        "u.groups.set([Group.objects.get(name='operator')]); "
        f"TOTPDevice.objects.create(user=u, name='app', key='{KEY}', confirmed=True)",
    )
    return "pool-operator"


@pytest.fixture(scope="module")
def desk(pools, operator):
    """An operator's browser, signed in the way the proxy routes it: the password on the
    public pool, the code and everything after on the staff pool. Once: a code is good
    for one sign-in only."""
    staff, public = pools
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    status, url = log_in(opener, public, operator, PASSWORD)
    assert status == 200
    assert "/accounts/two-factor/" in url
    _status, page = servers.get(f"{staff.url}/accounts/two-factor/", opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    code = f"{totp(bytes.fromhex(KEY)):06d}"
    request = urllib.request.Request(  # noqa: S310 (a local server)
        f"{staff.url}/accounts/two-factor/",
        data=urlencode({"token": code, "csrfmiddlewaretoken": token[1]}).encode(),
        headers={"Referer": f"{staff.url}/accounts/two-factor/"},
    )
    with opener.open(request, timeout=30) as response:
        assert response.status == 200
        assert "/desk/" in response.geturl()
    return opener


@pytest.fixture
def hold_slots(env):  # noqa: F811
    """Take slots in the shared Redis, as requests on other hosts would."""
    client = redis.Redis.from_url(servers.TEST_REDIS_URL)
    taken: list[str] = []

    def hold(scope: str, count: int) -> None:
        for number in range(count):
            key = f"{env['CACHE_KEY_PREFIX']}:1:slots:{scope}:{number}"
            client.set(key, b"held", ex=60)
            taken.append(key)

    yield hold
    if taken:
        client.delete(*taken)


def test_the_desk_answers_while_every_public_worker_is_taken(pools, desk):
    staff, public = pools
    # The public pool's only worker waits for the rest of a request that never comes:
    # as if a flood had taken every public worker.
    stuck = socket.create_connection(("127.0.0.1", public.port))
    try:
        stuck.sendall(b"GET /api/v1/public/hsds/services HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.5)
        with pytest.raises(TimeoutError):
            urllib.request.urlopen(f"{public.url}{HSDS}", timeout=2)  # noqa: S310
        # No timing: the public pool cannot answer at all, and the desk answers.
        status, body = servers.get(f"{staff.url}/desk/", desk)
        assert status == 200
        assert 'name="where"' in body
    finally:
        stuck.close()
    assert servers.get(f"{public.url}{HSDS}")[0] == 200


def test_full_slots_answer_at_once_on_both_processes(pools, operator, desk, hold_slots):
    staff, public = pools
    hold_slots("public-api", 2)
    for pool in (public, staff):
        status, body = servers.get(f"{pool.url}{HSDS}")
        # Refused, not queued: the slots are held for a minute.
        assert status == 503
        assert list(json.loads(body)["errors"]) == ["__all__"]
    hold_slots("password-check", 1)
    status, _url = log_in(login_opener(), public, operator, PASSWORD)
    assert status == 503
    # The desk needs neither.
    status, body = servers.get(f"{staff.url}/desk/", desk)
    assert status == 200
    assert 'name="where"' in body
