"""The shipped gunicorn.conf.py: gunicorn started with it and no logging flags writes no
query string, Referer, User-Agent or client address, nothing of the call panel, and builds
the worker's search index before the worker takes its first request."""

import re
import socket
import urllib.request
from urllib.parse import urlencode

import pytest

from tests import servers

pytestmark = pytest.mark.multiprocess

# gunicorn's default: the access log's "[07/Dec/2026:04:10:00 +0100]".
ACCESS_LINE = re.compile(r'^\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "(\w+) (\S+)" (\d{3}) ')
SEARCH = urlencode({"where": "Bodø", "topic": "voldtekt", "age": "15", "postcode": "8011"})
PREVIOUS_SEARCH = "https://desk.example.no/desk/?where=Troms%C3%B8&topic=tvangsekteskap"
CAPACITY_KEY = "cap-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
AGENT = "Mozilla/5.0 (Operator workstation 17)"


def send(url: str, data: bytes | None = None) -> int:
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        url, data=data, headers={"Referer": PREVIOUS_SEARCH, "User-Agent": AGENT}
    )
    # Redirects are not followed: the login page's ?next= would be a request of ours.
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def access_lines(output: str) -> list[re.Match]:
    return [match for line in output.splitlines() if (match := ACCESS_LINE.match(line))]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    with servers.own_database(tmp_path_factory.mktemp("gunicorn")) as database_url:
        env = servers.base_env(DATABASE_URL=database_url)
        servers.manage(env, "migrate", "--verbosity", "0")
        yield env


def start(env) -> servers.Server:
    # Only the address: everything else comes from gunicorn.conf.py.
    server = servers.Server(env, flags=())
    try:
        server.wait()
    except AssertionError:
        server.stop()
        raise
    return server


def test_the_access_log_keeps_no_search_key_referer_or_address(migrated):
    server = start(migrated)
    try:
        statuses = [
            send(f"{server.url}/desk/?{SEARCH}"),
            send(f"{server.url}/api/v1/search?{SEARCH}"),
            send(f"{server.url}/capacity/?key={CAPACITY_KEY}"),
            send(f"{server.url}/desk/guide/4711/"),
            send(f"{server.url}/desk/calls/start/", data=b"site=1"),
            send(f"{server.url}/desk/calls/current/", data=b"topics=voldtekt"),
            send(f"{server.url}/desk/calls/current/referrals/4711/remove/", data=b""),
        ]
        # A request line gunicorn refuses itself: its error names the line and the client.
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
            raw.sendall(b"GET /desk/?where=Troms%C3%B8 voldtekt HTTP/1.1\r\n\r\n")
            statuses.append(int(raw.recv(64).split()[1]))
    finally:
        server.stop()  # so that the last request's line is written
    output = server.output()
    assert all(status < 500 for status in statuses), statuses
    lines = access_lines(output)
    logged = [(match[1], match[2]) for match in lines]
    # Each request outside the call panel is there, as its path alone; ids are hidden.
    assert ("GET", "/desk/") in logged
    assert ("GET", "/api/v1/search") in logged
    assert ("GET", "/capacity/") in logged
    assert ("GET", "/desk/guide/<id>/") in logged
    assert not [path for _, path in logged if path.startswith("/desk/calls/")]
    for secret in (
        "Bod",
        "voldtekt",
        "8011",
        "where=",
        CAPACITY_KEY,
        "Troms",
        "desk.example.no",
        "Operator workstation",
        "4711",
        "127.0.0.1",
    ):
        assert not [match[0] for match in lines if secret in match.string], secret
    # Nor anywhere else: gunicorn's own lines and Django's warnings ("Forbidden (CSRF
    # cookie not set.): /desk/calls/current/referrals/<id>/remove/") have no address.
    for secret in (SEARCH, CAPACITY_KEY, "voldtekt", "Troms", "4711", "ip="):
        assert secret not in output
    assert "Invalid request" in output  # the refused line is logged, without what it said


def test_the_worker_builds_its_search_index_before_taking_requests(migrated):
    server = start(migrated)  # answers /healthz: the worker is taking requests
    server.stop()
    output = server.output()
    lines = output.splitlines()
    built = [n for n, line in enumerate(lines) if "Search index built: 0 services" in line]
    first_request = next(n for n, line in enumerate(lines) if ACCESS_LINE.match(line))
    assert built, output
    assert built[0] < first_request


def test_a_database_not_migrated_yet_does_not_stop_the_worker(tmp_path):
    env = servers.base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    server = start(env)
    try:
        assert servers.get(f"{server.url}/healthz") == (200, "ok\n")
    finally:
        server.stop()
    output = server.output()
    assert "Search index not built at start" in output
    assert "Search index built" not in output
