"""manage.py check_directory, against a local HTTP server started here (never the internet),
and the job lock both scheduled commands share."""

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from services_directory import link_checker, single_instance
from services_directory.models import ContactChannel, DirectoryCheck, JobLock, Organization
from tests.factories import make_service

pytestmark = pytest.mark.django_db
TIMEOUT = 0.5  # the slow endpoint answers after SLOW seconds
SLOW = 2.0


class Handler(BaseHTTPRequestHandler):
    # Every request as (method, path, User-Agent); the tests read it after each check.
    seen: list[tuple[str, str, str]] = []

    def _answer(self, body: bool) -> None:
        Handler.seen.append((self.command, self.path, self.headers.get("User-Agent", "")))
        path = self.path
        if path == "/slow":
            time.sleep(SLOW)
            status = 200
        elif path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        elif path == "/head-refused" and self.command == "HEAD":
            status = 405
        else:
            status = {"/ok": 200, "/head-refused": 200, "/missing": 404, "/broken": 500}.get(
                path, 404
            )
        payload = b"hello" if body else b""
        self.send_response(status)
        self.send_header("Content-Length", str(len(b"hello")))
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def do_HEAD(self):  # http.server's naming
        self._answer(body=False)

    def do_GET(self):
        self._answer(body=True)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    previous = translation.get_language()
    yield
    translation.activate(previous)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch, settings):
    # The local test server is internal: the guard (test_link_checker_guard) must let it be.
    settings.LINK_CHECK_ALLOWED_HOSTS = ["127.0.0.1"]
    # A proxy configured on the test machine must not see, or break, local requests.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    Handler.seen.clear()


# Checking one address


def test_ok(server):
    outcome = link_checker.check_url(f"{server}/ok", timeout=TIMEOUT)
    assert (outcome.ok, outcome.status_code, outcome.final_url) == (True, 200, f"{server}/ok")
    assert [method for method, _path, _ua in Handler.seen] == ["HEAD"]  # no GET needed


def test_redirect_is_followed_and_the_final_address_kept(server):
    outcome = link_checker.check_url(f"{server}/moved", timeout=TIMEOUT)
    assert (outcome.ok, outcome.status_code, outcome.final_url) == (True, 200, f"{server}/ok")
    assert [(m, p) for m, p, _ua in Handler.seen] == [("HEAD", "/moved"), ("HEAD", "/ok")]


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/broken", 500)])
def test_error_statuses_are_confirmed_with_get(server, path, status):
    outcome = link_checker.check_url(f"{server}{path}", timeout=TIMEOUT)
    assert (outcome.ok, outcome.status_code, outcome.problem) == (False, status, "http_error")
    assert [m for m, _p, _ua in Handler.seen] == ["HEAD", "GET"]


def test_a_server_refusing_head_is_fine_if_get_works(server):
    outcome = link_checker.check_url(f"{server}/head-refused", timeout=TIMEOUT)
    assert (outcome.ok, outcome.status_code) == (True, 200)


def test_slow_server_times_out(server):
    started = time.monotonic()
    outcome = link_checker.check_url(f"{server}/slow", timeout=TIMEOUT)
    assert time.monotonic() - started < SLOW
    assert (outcome.ok, outcome.status_code, outcome.problem) == (False, None, "timeout")
    assert "0.5 s" in outcome.detail
    assert [m for m, _p, _ua in Handler.seen] == ["HEAD"]  # no second wait with GET


def test_connection_refused():
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    outcome = link_checker.check_url(f"http://127.0.0.1:{port}/", timeout=TIMEOUT)
    assert (outcome.ok, outcome.problem) == (False, "connection")
    assert outcome.detail


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.invalid/", "javascript:x"])
def test_only_web_addresses_are_opened(url):
    outcome = link_checker.check_url(url, timeout=TIMEOUT)
    assert (outcome.ok, outcome.problem) == (False, "invalid")


def test_user_agent_names_the_helpline_and_a_contact(server, settings):
    settings.DIRECTORY_CHECK_CONTACT = "katalog@hjelpetelefon.example"
    link_checker.check_url(f"{server}/ok", timeout=TIMEOUT)
    ((_method, _path, user_agent),) = Handler.seen
    assert "helpline" in user_agent
    assert "katalog@hjelpetelefon.example" in user_agent


# The command


@pytest.fixture
def directory(server):
    organization = Organization.objects.create(name="Org", url=f"{server}/ok")
    good = make_service("Fungerer", organization=organization)
    broken = make_service("Feil", organization=Organization.objects.create(name="Org 2"))
    for kind, value in [("web", f"{server}/moved"), ("chat", f"{server}/missing")]:
        ContactChannel.objects.create(service=good, kind=kind, value=value)
    ContactChannel.objects.create(service=good, kind="phone", value="+4722225555")
    # Saved past validation (imported, or entered before the rules): flagged by the check.
    ContactChannel.objects.create(service=broken, kind="phone", value="1234567")
    ContactChannel.objects.create(service=broken, kind="web", value=f"{server}/broken")
    ContactChannel.objects.create(service=broken, kind="web", value=f"{server}/slow")
    draft = make_service("Utkast", is_published=False)
    ContactChannel.objects.create(service=draft, kind="web", value=f"{server}/missing?draft")
    return {"good": good, "broken": broken}


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("check_directory", "--timeout", str(TIMEOUT), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def results() -> dict[tuple[str, str], DirectoryCheck]:
    return {(check.service.name, check.target): check for check in DirectoryCheck.objects.all()}


def test_command_records_every_published_target(server, directory):
    out, err = run("--concurrency", "2")
    assert "Checked 5 web addresses and 2 phone numbers: 4 problems." in out
    assert err == ""
    found = results()
    assert set(found) == {
        ("Fungerer", f"{server}/ok"),
        ("Fungerer", f"{server}/moved"),
        ("Fungerer", f"{server}/missing"),
        ("Fungerer", "+4722225555"),
        ("Feil", "1234567"),
        ("Feil", f"{server}/broken"),
        ("Feil", f"{server}/slow"),
    }  # the draft's address is never fetched
    assert not [p for _m, p, _ua in Handler.seen if "draft" in p]
    moved = found["Fungerer", f"{server}/moved"]
    assert (moved.ok, moved.status_code, moved.final_url) == (True, 200, f"{server}/ok")
    missing = found["Fungerer", f"{server}/missing"]
    assert (missing.ok, missing.status_code, missing.kind) == (False, 404, "url")
    assert (
        found["Feil", f"{server}/broken"].status_code,
        found["Feil", f"{server}/slow"].problem,
    ) == (500, "timeout")
    phone = found["Feil", "1234567"]
    assert (phone.kind, phone.ok, phone.problem) == ("phone", False, "invalid")
    with translation.override("en"):
        assert "Enter a Norwegian phone number" in phone.explanation
    assert found["Fungerer", "+4722225555"].ok
    assert JobLock.objects.count() == 0  # released


def test_only_the_latest_result_per_target_is_kept(server, directory):
    run()
    first = {key: check.checked_at for key, check in results().items()}
    ContactChannel.objects.filter(value=f"{server}/slow").delete()
    run()
    second = results()
    assert set(second) == set(first) - {("Feil", f"{server}/slow")}
    assert all(second[key].checked_at >= first[key] for key in second)
    assert DirectoryCheck.objects.count() == len(second)


def test_each_address_is_fetched_once_per_run(server):
    organization = Organization.objects.create(name="Felles", url=f"{server}/ok")
    for name in ("A", "B", "C"):
        make_service(name, organization=organization)
    run()
    assert [m for m, p, _ua in Handler.seen if p == "/ok"] == ["HEAD"]
    assert DirectoryCheck.objects.filter(target=f"{server}/ok").count() == 3


def test_problems_appear_on_the_editor_dashboard(editor_client, server, directory):
    page = editor_client.get(reverse("directory:dashboard")).text
    assert "The directory has not been checked yet." in page
    run()
    page = editor_client.get(reverse("directory:dashboard"))
    section = page.text.split('id="directory-check"')[1].split("</section>")[0]
    assert "Last checked" in section
    assert f"{server}/missing" in section and "(HTTP 404)" in section
    assert f"{server}/broken" in section and "(HTTP 500)" in section
    assert f"{server}/slow" in section
    assert "1234567" in section
    assert f"{server}/moved" not in section and "+4722225555" not in section


@pytest.mark.parametrize(
    "args",
    [("--concurrency", "0"), ("--concurrency", "100"), ("--timeout", "0"), ("--timeout", "x")],
)
def test_bad_arguments_are_refused(args):
    with pytest.raises(CommandError):
        call_command("check_directory", *args, stdout=StringIO(), stderr=StringIO())


# The job lock


def test_a_second_run_while_one_holds_the_lock_does_nothing(server, directory):
    with single_instance.acquire("check_directory", timedelta(minutes=5)):
        out, err = run()  # returns normally: exit status 0
        assert "check_directory is already running" in err
        assert "nothing done" in err
        assert out == ""
        assert not DirectoryCheck.objects.exists()
        assert Handler.seen == []
    run()
    assert DirectoryCheck.objects.exists()


def test_lock_is_exclusive_until_released():
    lock = single_instance.acquire("job", timedelta(minutes=5))
    with pytest.raises(single_instance.JobAlreadyRunning, match="job is already running"):
        single_instance.acquire("job", timedelta(minutes=5))
    single_instance.acquire("other job", timedelta(minutes=5)).release()  # locks are per job
    lock.release()
    single_instance.acquire("job", timedelta(minutes=5)).release()


def test_an_expired_lock_is_taken_over_and_its_holder_knows():
    stale = single_instance.acquire("job", timedelta(minutes=5))
    JobLock.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    fresh = single_instance.acquire("job", timedelta(minutes=5))
    assert stale.refresh() is False
    stale.release()  # must not release the new holder's lock
    with pytest.raises(single_instance.JobAlreadyRunning):
        single_instance.acquire("job", timedelta(minutes=5))
    assert fresh.refresh() is True
    fresh.release()
    assert not JobLock.objects.exists()


def test_lock_is_released_when_the_job_fails(monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(link_checker, "run_check", fail)
    with pytest.raises(RuntimeError):
        call_command("check_directory", stdout=StringIO(), stderr=StringIO())
    assert not JobLock.objects.exists()
