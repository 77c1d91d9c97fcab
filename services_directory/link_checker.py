"""Does the directory still hold true? Web addresses that answer, phone numbers that are
valid. Run by ``manage.py check_directory``; results go to the editors' dashboard.

Network calls run in a small thread pool; everything that touches the database runs in
the calling thread. Each address is fetched once per run, however many services share
it, and only its status line and headers are read.
"""

import http.client
import ssl
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import (
    HTTPDefaultErrorHandler,
    HTTPErrorProcessor,
    HTTPHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    OpenerDirector,
    ProxyHandler,
    Request,
    UnknownHandler,
)

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone

from services_directory.models import ContactChannel, DirectoryCheck, Service
from services_directory.validators import validate_phone

DEFAULT_CONCURRENCY = 4
DEFAULT_TIMEOUT = 10.0
WEB_SCHEMES = ("http", "https")
URL_KINDS = (ContactChannel.Kind.WEB, ContactChannel.Kind.CHAT)
PHONE_KINDS = (ContactChannel.Kind.PHONE, ContactChannel.Kind.SMS)
Problem = DirectoryCheck.Problem


def user_agent() -> str:
    # Site owners who see us in their logs can tell who we are and write to us.
    return (
        "HjelpetelefonenDirectoryCheck/1.0 (directory check of the Norwegian helpline for "
        f"violence and abuse; contact: {settings.DIRECTORY_CHECK_CONTACT})"
    )


@dataclass(frozen=True)
class UrlOutcome:
    ok: bool
    status_code: int | None = None
    final_url: str = ""
    problem: str = Problem.NONE
    detail: str = ""


class _WebOnlyRedirects(HTTPRedirectHandler):
    """Follow redirects to http(s) only, never to ftp:// and the like."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in WEB_SCHEMES:
            raise HTTPError(newurl, code, "redirect to a non-web address", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> OpenerDirector:
    # Built by hand: urllib's build_opener() would also open file:, ftp: and data: URLs.
    opener = OpenerDirector()
    for handler in (
        ProxyHandler(),  # honours http(s)_proxy / no_proxy, as a server behind one needs
        UnknownHandler(),
        HTTPHandler(),
        HTTPSHandler(context=ssl.create_default_context()),
        HTTPDefaultErrorHandler(),
        _WebOnlyRedirects(),
        HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _fetch(opener: OpenerDirector, url: str, method: str, timeout: float) -> UrlOutcome:
    headers = {"User-Agent": user_agent(), "Accept": "*/*"}
    # The opener has http(s) handlers only, and check_url() refuses other schemes.
    request = Request(url, method=method, headers=headers)  # noqa: S310
    try:
        # Closed at once: the status line and headers are all a check needs.
        with opener.open(request, timeout=timeout) as response:
            status, final_url = response.status, response.geturl()
    except HTTPError as error:
        error.close()
        return UrlOutcome(
            ok=False,
            status_code=error.code,
            final_url=error.geturl() or url,
            problem=Problem.HTTP_ERROR,
            detail=str(error.reason)[:300],
        )
    except TimeoutError:
        return _timed_out(timeout)
    except URLError as error:
        if isinstance(error.reason, TimeoutError):
            return _timed_out(timeout)
        return UrlOutcome(ok=False, problem=Problem.CONNECTION, detail=str(error.reason)[:300])
    except (http.client.HTTPException, OSError, ValueError) as error:
        # Garbled responses, TLS failures, malformed addresses: the address does not work.
        detail = f"{type(error).__name__}: {error}"[:300]
        return UrlOutcome(ok=False, problem=Problem.CONNECTION, detail=detail)
    return UrlOutcome(ok=200 <= status < 400, status_code=status, final_url=final_url)


def _timed_out(timeout: float) -> UrlOutcome:
    return UrlOutcome(ok=False, problem=Problem.TIMEOUT, detail=f"no answer within {timeout:g} s")


def check_url(url: str, timeout: float = DEFAULT_TIMEOUT) -> UrlOutcome:
    """HEAD the address, following redirects; GET when HEAD gets an error status."""
    if urlsplit(url).scheme not in WEB_SCHEMES:
        return UrlOutcome(ok=False, problem=Problem.INVALID, detail="not an http(s) address")
    opener = _opener()
    outcome = _fetch(opener, url, "HEAD", timeout)
    if outcome.status_code is not None and outcome.status_code >= 400:
        # Many servers refuse or mishandle HEAD (405, 403, even 404) yet serve the page:
        # ask the way a browser does before calling the address broken.
        outcome = _fetch(opener, url, "GET", timeout)
    return outcome


def phone_problem(number: str) -> str:
    """The validation message for a phone number that fails validate_phone, else ""."""
    try:
        validate_phone(number)
    except ValidationError as error:
        return " ".join(error.messages)[:300]
    return ""


@dataclass
class RunSummary:
    urls: int = 0
    phones: int = 0
    problems: int = 0


def _targets() -> tuple[dict[str, set[int]], list[tuple[int, str]]]:
    """Published services' web addresses (address -> service ids) and phone numbers."""
    services = (
        Service.objects.published()
        .select_related("organization")
        .prefetch_related(Prefetch("channels", queryset=ContactChannel.objects.order_by("pk")))
    )
    urls: dict[str, set[int]] = {}
    phones: list[tuple[int, str]] = []
    for service in services:
        if service.organization.url:
            urls.setdefault(service.organization.url, set()).add(service.pk)
        for channel in service.channels.all():
            if channel.kind in URL_KINDS:
                urls.setdefault(channel.value, set()).add(service.pk)
            elif channel.kind in PHONE_KINDS:
                phones.append((service.pk, channel.value))
    return urls, sorted(set(phones))


def run_check(
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = DEFAULT_TIMEOUT,
    heartbeat: Callable[[], object] | None = None,
) -> RunSummary:
    """Check every published service's addresses and numbers and store the results.

    ``heartbeat`` is called now and then from this thread while addresses are fetched
    (the command refreshes its job lock with it)."""
    started_at = timezone.now()
    urls, phones = _targets()
    results: list[dict] = []
    summary = RunSummary(urls=len(urls), phones=len(phones))

    last_beat = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = {pool.submit(check_url, url, timeout): url for url in sorted(urls)}
        for future in as_completed(futures):
            url, outcome = futures[future], future.result()
            checked_at = timezone.now()
            for service_id in sorted(urls[url]):
                results.append(
                    {
                        "service_id": service_id,
                        "kind": DirectoryCheck.Kind.URL,
                        "target": url[:300],
                        "ok": outcome.ok,
                        "problem": outcome.problem,
                        "status_code": outcome.status_code,
                        "final_url": outcome.final_url[:2000],
                        "detail": outcome.detail,
                        "checked_at": checked_at,
                    }
                )
            if heartbeat and time.monotonic() - last_beat > 60:
                heartbeat()
                last_beat = time.monotonic()

    for service_id, number in phones:
        problem = phone_problem(number)
        results.append(
            {
                "service_id": service_id,
                "kind": DirectoryCheck.Kind.PHONE,
                "target": number,
                "ok": not problem,
                "problem": Problem.INVALID if problem else Problem.NONE,
                "status_code": None,
                "final_url": "",
                "detail": problem,
                "checked_at": timezone.now(),
            }
        )
    summary.problems = sum(1 for result in results if not result["ok"])
    DirectoryCheck.record_run(results, started_at)
    return summary
