"""The link checker never becomes a way into our own network: internal addresses are
refused after DNS resolution and on every redirect, unless their host is named in
LINK_CHECK_ALLOWED_HOSTS. Against local servers started here (never the internet)."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services_directory import link_checker

TIMEOUT = 2.0


class Handler(BaseHTTPRequestHandler):
    # Every request as (method, path, Host header).
    seen: list[tuple[str, str, str]] = []
    redirect_to = ""

    def do_HEAD(self):  # http.server's naming
        Handler.seen.append((self.command, self.path, self.headers.get("Host", "")))
        if self.path == "/away":
            self.send_response(302)
            self.send_header("Location", Handler.redirect_to)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.do_HEAD()

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def port():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def clean(monkeypatch, settings):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    settings.LINK_CHECK_ALLOWED_HOSTS = []
    Handler.seen.clear()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104
        "224.0.0.1",
        "233.252.0.1",  # global multicast is still multicast
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "ff0e::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2001:db8::1",  # documentation
    ],
)
def test_internal_addresses(address):
    assert link_checker.internal_address(address)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "151.101.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]
)
def test_public_addresses(address):
    assert not link_checker.internal_address(address)


def test_a_local_server_is_refused_by_default(port):
    outcome = link_checker.check_url(f"http://127.0.0.1:{port}/", timeout=TIMEOUT)
    assert (outcome.ok, outcome.problem, outcome.status_code) == (False, "invalid", None)
    assert "internal address (127.0.0.1)" in outcome.detail
    assert Handler.seen == []  # not even a connection


@pytest.mark.parametrize(
    "url",
    ["http://[::1]:{port}/", "http://[::ffff:127.0.0.1]:{port}/", "https://127.0.0.1:{port}/"],
)
def test_internal_literals_are_refused_before_connecting(port, url):
    outcome = link_checker.check_url(url.format(port=port), timeout=TIMEOUT)
    assert (outcome.ok, outcome.problem) == (False, "invalid")
    assert Handler.seen == []


def test_a_name_is_checked_after_resolution(port):
    outcome = link_checker.check_url(f"http://localhost:{port}/", timeout=TIMEOUT)
    assert (outcome.ok, outcome.problem) == (False, "invalid")
    assert outcome.detail.startswith("localhost is an internal address")
    assert Handler.seen == []


def test_a_named_host_is_allowed(settings, port):
    settings.LINK_CHECK_ALLOWED_HOSTS = ["127.0.0.1"]
    outcome = link_checker.check_url(f"http://127.0.0.1:{port}/", timeout=TIMEOUT)
    assert (outcome.ok, outcome.status_code) == (True, 200)
    assert Handler.seen == [("HEAD", "/", f"127.0.0.1:{port}")]


def test_a_redirect_from_an_allowed_host_inside_is_refused(settings, port):
    settings.LINK_CHECK_ALLOWED_HOSTS = ["LocalHost"]  # names match in any case
    Handler.redirect_to = f"http://127.0.0.1:{port}/secret"
    outcome = link_checker.check_url(f"http://localhost:{port}/away", timeout=TIMEOUT)
    assert (outcome.ok, outcome.problem) == (False, "invalid")
    assert outcome.final_url == f"http://127.0.0.1:{port}/secret"
    assert [path for _method, path, _host in Handler.seen] == ["/away"]


def test_a_redirect_is_followed_when_its_target_is_allowed_too(settings, port):
    settings.LINK_CHECK_ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    Handler.redirect_to = f"http://127.0.0.1:{port}/inside"
    outcome = link_checker.check_url(f"http://localhost:{port}/away", timeout=TIMEOUT)
    assert (outcome.ok, outcome.status_code) == (True, 200)
    assert outcome.final_url == f"http://127.0.0.1:{port}/inside"
    assert [path for _method, path, _host in Handler.seen] == ["/away", "/inside"]


def test_the_connection_goes_to_the_address_resolved_once(settings, port, monkeypatch):
    """No DNS rebinding: the name is looked up once per request and that very address is
    connected to; a second lookup that would answer elsewhere never happens."""
    real = socket.getaddrinfo
    lookups = []

    def rebinding(host, *args, **kwargs):
        if host != "rebind.test":
            return real(host, *args, **kwargs)
        lookups.append(host)
        # First the test server, then an address where nothing answers (TEST-NET-1).
        target = "127.0.0.1" if len(lookups) == 1 else "192.0.2.1"
        return real(target, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    settings.LINK_CHECK_ALLOWED_HOSTS = ["rebind.test"]
    outcome = link_checker.check_url(f"http://rebind.test:{port}/", timeout=TIMEOUT)
    assert (outcome.ok, outcome.status_code) == (True, 200)
    assert lookups == ["rebind.test"]
    assert Handler.seen == [("HEAD", "/", f"rebind.test:{port}")]  # the name, not the address


def test_through_a_proxy_the_target_is_still_checked(monkeypatch, port):
    monkeypatch.delenv("no_proxy")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{port}")
    # An unknown name goes to the proxy (it alone may resolve it) as an absolute URL...
    outcome = link_checker.check_url("http://site.invalid/page", timeout=TIMEOUT)
    assert (outcome.ok, outcome.status_code) == (True, 200)
    assert Handler.seen == [("HEAD", "http://site.invalid/page", "site.invalid")]
    # ...but an internal address is refused before the proxy sees it.
    outcome = link_checker.check_url("http://10.0.0.1/admin", timeout=TIMEOUT)
    assert (outcome.ok, outcome.problem) == (False, "invalid")
    assert len(Handler.seen) == 1


def test_redirects_are_not_followed_for_ever(settings, port):
    settings.LINK_CHECK_ALLOWED_HOSTS = ["127.0.0.1"]
    Handler.redirect_to = "/away"
    outcome = link_checker.check_url(f"http://127.0.0.1:{port}/away", timeout=TIMEOUT)
    assert (outcome.ok, outcome.status_code, outcome.problem) == (False, 302, "http_error")
    assert "more than 10 redirects" in outcome.detail
