"""Does the directory still hold true? Web addresses that answer, phone numbers that are
valid. Run by ``manage.py check_directory``; results go to the editors' dashboard.

Network calls run in a small thread pool; everything that touches the database runs in
the calling thread. Each address is fetched once per run, however many services share
it, and only its status line and headers are read.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.request import getproxies, proxy_bypass

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


MAX_REDIRECTS = 10
REDIRECTS = (301, 302, 303, 307, 308)
# NAT64 (RFC 6052) embeds an IPv4 address; the embedded one is what is reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedAddress(Exception):
    """The address leads inside: the checker must not become a way to probe our network."""


def internal_address(address: str) -> bool:
    """True for loopback, link-local, private, multicast, reserved and unspecified
    addresses, IPv4 and IPv6, including IPv4 dressed as IPv6 (mapped, 6to4, Teredo, NAT64)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:  # what is reached is the IPv4 address, nothing else
            return internal_address(str(ip.ipv4_mapped))
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and internal_address(str(embedded)):
            return True
    return (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _allowed(host: str) -> bool:
    named = {name.strip("[]").lower() for name in settings.LINK_CHECK_ALLOWED_HOSTS}
    return host.lower() in named


Addresses = list[tuple]  # getaddrinfo() entries


def _resolve(host: str, port: int, *, check: bool) -> Addresses:
    """Resolve once; the connection then goes to exactly these addresses, so a second
    lookup (DNS rebinding) cannot swap in an internal one after the check."""
    addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if check:
        for *_family, sockaddr in addresses:
            if internal_address(str(sockaddr[0])):
                raise RefusedAddress(f"{host} is an internal address ({sockaddr[0]}): refused")
    return addresses


def _connect(addresses: Addresses, timeout: float) -> socket.socket:
    error: OSError = OSError("no address to connect to")
    for family, kind, proto, _name, sockaddr in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
        except OSError as failed:
            sock.close()
            error = failed
            continue
        return sock
    raise error


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, addresses: Addresses, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.timeout or DEFAULT_TIMEOUT)
        if self._tunnel_host:  # type: ignore[attr-defined]
            self._tunnel()  # type: ignore[attr-defined]


class _PinnedHTTPS(_PinnedHTTP):
    default_port = http.client.HTTPS_PORT

    def __init__(self, host, port, addresses, timeout, context: ssl.SSLContext):
        super().__init__(host, port, addresses, timeout)
        self.context = context

    def connect(self) -> None:
        super().connect()
        # The certificate is checked against the name, not the address connected to.
        name = self._tunnel_host or self.host  # type: ignore[attr-defined]
        self.sock = self.context.wrap_socket(self.sock, server_hostname=name)


def _connection(url: str, timeout: float, context: ssl.SSLContext) -> tuple[_PinnedHTTP, str]:
    """A connection pinned to the checked addresses, and the request target to send."""
    parts = urlsplit(url)
    host, scheme = parts.hostname or "", parts.scheme
    if not host:
        raise ValueError("no host in the address")
    port = parts.port or (443 if scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    proxy = None if proxy_bypass(host) else getproxies().get(scheme)
    if proxy is None:
        addresses = _resolve(host, port, check=not _allowed(host))
        if scheme == "https":
            return _PinnedHTTPS(host, port, addresses, timeout, context), target
        return _PinnedHTTP(host, port, addresses, timeout), target
    # Through the operator's proxy, which resolves the name itself: refuse what is
    # internal as far as we can tell (an address, or a name we can resolve).
    if not _allowed(host):
        # If only the proxy knows the name, the proxy must keep its own egress rules.
        with contextlib.suppress(socket.gaierror):
            _resolve(host, port, check=True)
    via = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    proxy_host, proxy_port = via.hostname or "", via.port or 8080
    proxy_addresses = _resolve(proxy_host, proxy_port, check=False)
    if scheme == "https":
        connection: _PinnedHTTP = _PinnedHTTPS(
            proxy_host, proxy_port, proxy_addresses, timeout, context
        )
        connection.set_tunnel(host, port)
        return connection, target
    return _PinnedHTTP(proxy_host, proxy_port, proxy_addresses, timeout), url


def _request(url: str, method: str, timeout: float, context: ssl.SSLContext):
    connection, target = _connection(url, timeout, context)
    try:
        connection.request(method, target, headers={"User-Agent": user_agent(), "Accept": "*/*"})
        # Closed at once: the status line and headers are all a check needs.
        response = connection.getresponse()
        status, reason, location = response.status, response.reason, response.getheader("Location")
        response.close()
    finally:
        connection.close()
    return status, reason, location


def _fetch(url: str, method: str, timeout: float, context: ssl.SSLContext) -> UrlOutcome:
    """Fetch ``url``, following redirects one by one, each to an address checked anew."""
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            status, reason, location = _request(current, method, timeout, context)
        except RefusedAddress as refused:
            return UrlOutcome(
                ok=False, final_url=current, problem=Problem.INVALID, detail=str(refused)[:300]
            )
        except TimeoutError:
            return _timed_out(timeout)
        except (http.client.HTTPException, OSError, ValueError) as error:
            # Unknown names, refused connections, garbled answers, TLS failures,
            # malformed addresses: the address does not work.
            detail = f"{type(error).__name__}: {error}"[:300]
            return UrlOutcome(
                ok=False, final_url=current, problem=Problem.CONNECTION, detail=detail
            )
        if status in REDIRECTS and location:
            following = urljoin(current, location)
            if urlsplit(following).scheme not in WEB_SCHEMES:
                detail = "redirect to a non-web address"
                return _error(status, current, detail)
            current = following
            continue
        if status >= 400:
            return _error(status, current, str(reason)[:300])
        return UrlOutcome(ok=200 <= status < 400, status_code=status, final_url=current)
    return _error(status, current, f"more than {MAX_REDIRECTS} redirects")


def _error(status: int, url: str, detail: str) -> UrlOutcome:
    return UrlOutcome(
        ok=False, status_code=status, final_url=url, problem=Problem.HTTP_ERROR, detail=detail
    )


def _timed_out(timeout: float) -> UrlOutcome:
    return UrlOutcome(ok=False, problem=Problem.TIMEOUT, detail=f"no answer within {timeout:g} s")


def check_url(url: str, timeout: float = DEFAULT_TIMEOUT) -> UrlOutcome:
    """HEAD the address, following redirects; GET when HEAD gets an error status.

    Addresses inside our network are refused (see ``internal_address``), on every
    redirect too, unless their host is named in LINK_CHECK_ALLOWED_HOSTS.
    """
    if urlsplit(url).scheme not in WEB_SCHEMES:
        return UrlOutcome(ok=False, problem=Problem.INVALID, detail="not an http(s) address")
    context = ssl.create_default_context()
    outcome = _fetch(url, "HEAD", timeout, context)
    if outcome.status_code is not None and outcome.status_code >= 400:
        # Many servers refuse or mishandle HEAD (405, 403, even 404) yet serve the page:
        # ask the way a browser does before calling the address broken.
        outcome = _fetch(url, "GET", timeout, context)
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
