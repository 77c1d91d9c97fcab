"""The desk's latency under anonymous floods, in the production layout.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \
        uv run python benchmarks/flood.py

Starts two gunicorn services as in docs/operations.md, production-like (DEBUG off,
PostgreSQL, a Redis cache at ``--redis`` under a key prefix of its own, requests from a
"TLS proxy" with X-Forwarded-Proto and X-Forwarded-For): the staff pool and the public
pool (the public API and the login page). Signs an operator in with the second factor
(a verified session, as ``search_latency.py`` does), then measures the desk page
(``GET /desk/?where=...&topic=...``, one operator, one request after another) in three
phases:

- **alone**: nothing else running;
- **public API flood**: ``--addresses`` clients, each with its own address, fetching
  HSDS pages of 100 (``/api/v1/public/hsds/services?per_page=100&page=N``, every page in
  turn, without If-None-Match) at ``--rate`` requests a minute each, under the
  per-address rate limit;
- **login flood**: ``--login-clients`` clients posting logins with random usernames and
  passwords back to back, each request from a new address (the address limit then never
  applies: only the password-check slots stand between them and the CPU).

``--one-pool`` sends the floods to the staff pool instead, as before the layout had two
pools (the cache and the slots still on), for comparison.

Target: the desk's p95 under either flood at most ``TARGET_RATIO`` times its p95 alone.
Every phase stops after ``--desk-requests`` desk requests or ``--max-seconds``, whichever
comes first; the script stops its servers at the end, also on errors and Ctrl-C, and
deletes its Redis keys and operator sessions. Loopback only. Prints the figures, the
floods' answers by status and the machine's load, and writes them as JSON to
``benchmarks/out/``.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from _django import OUT, database_label, setup_django
from search_latency import (
    BenchmarkError,
    Client,
    CpuWatch,
    Fixtures,
    Scenario,
    desk_query,
    forget_sessions,
    free_port,
    prepare,
    start_gunicorn,
    stop_gunicorn,
)

TARGET_RATIO = 2.0
PAGE_SIZE = 100


def parse_args() -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--desk-requests", type=int, default=200, help="desk requests a phase")
    parser.add_argument("--max-seconds", type=float, default=120, help="longest phase")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured desk requests")
    parser.add_argument("--addresses", type=int, default=16, help="public API flooders")
    parser.add_argument(
        "--rate", type=float, default=110, help="requests a minute per flooding address"
    )
    parser.add_argument("--login-clients", type=int, default=6, help="login flooders")
    parser.add_argument("--staff-workers", type=int, default=cores + 1)
    parser.add_argument("--public-workers", type=int, default=2)
    parser.add_argument("--public-slots", type=int, default=2, help="PUBLIC_API_SLOTS")
    parser.add_argument("--password-slots", type=int, default=1, help="PASSWORD_CHECK_SLOTS")
    parser.add_argument(
        "--one-pool",
        action="store_true",
        help="send the floods to the staff pool too, as before the pools were separated",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7", help="CACHE_URL")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--check", action="store_true", help="exit with status 2 when the target is missed"
    )
    return parser.parse_args()


# --- The floods ------------------------------------------------------------------------


@dataclass
class Flood:
    """Flooding threads and what they were answered."""

    name: str
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)

    def start(self, targets: list) -> "Flood":
        for target in targets:
            thread = threading.Thread(target=target, args=(self,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> dict:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)
        ms = sorted(x * 1000 for x in self.latencies)
        return {
            "flood": self.name,
            "requests": len(ms),
            "statuses": dict(sorted(self.statuses.items())),
            "p50_ms": round(ms[len(ms) // 2], 1) if ms else None,
        }


def _send(conn: http.client.HTTPConnection, method: str, path: str, headers: dict, body=None):
    """Status and body; a closed kept-alive connection is reopened once."""
    for attempt in (1, 2):
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read(), response
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def public_flooder(port: int, address: str, rate: float, pages: int, offset: int):
    """One address fetching every HSDS page of 100 in turn, ``rate`` requests a minute."""

    def run(flood: Flood) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": address}
        interval = 60 / rate
        n = offset
        next_at = time.monotonic() + random.random() * interval
        while not flood.stopping.is_set():
            page = n % pages + 1
            n += 1
            start = time.perf_counter()
            path = f"/api/v1/public/hsds/services?per_page={PAGE_SIZE}&page={page}"
            status, _body, _response = _send(conn, "GET", path, headers)
            flood.record(status, time.perf_counter() - start)
            next_at += interval
            flood.stopping.wait(max(0.0, next_at - time.monotonic()))
        conn.close()

    return run


def login_flooder(port: int, rng: random.Random):
    """Logins with random names and passwords, back to back, each from a new address."""

    def run(flood: Flood) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        base = {"X-Forwarded-Proto": "https"}
        status, page, response = _send(conn, "GET", "/accounts/login/", base)
        if status != 200:
            raise BenchmarkError(f"GET /accounts/login/ answered {status}")
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        token = page.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        headers = {
            **base,
            "Cookie": cookie,
            "Referer": f"https://127.0.0.1:{port}/accounts/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        while not flood.stopping.is_set():
            address = f"198.18.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            form = {
                "csrfmiddlewaretoken": token,
                "username": secrets.token_hex(6),
                "password": secrets.token_urlsafe(12),
            }
            start = time.perf_counter()
            status, _body, _response = _send(
                conn,
                "POST",
                "/accounts/login/",
                {**headers, "X-Forwarded-For": address},
                urlencode(form),
            )
            flood.record(status, time.perf_counter() - start)
        conn.close()

    return run


# --- Measuring ---------------------------------------------------------------------------


def measure_desk(name: str, client: Client, paths: list[str], max_seconds: float) -> Scenario:
    scenario = Scenario(name, 1)
    start = time.perf_counter()
    for path in paths:
        scenario.latencies.append(client.get(path))
        if time.perf_counter() - start > max_seconds:
            break
    scenario.wall = time.perf_counter() - start
    return scenario


def public_pages(fx: Fixtures) -> int:
    return max(1, -(-fx.services // PAGE_SIZE))


def forget_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"{prefix}:*", count=500):
        client.delete(key)


def main() -> None:
    args = parse_args()
    prefix = f"bench-flood-{uuid.uuid4().hex[:12]}"
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "true",
        "LOG_LEVEL": "WARNING",
        "CACHE_URL": args.redis,
        "CACHE_KEY_PREFIX": prefix,
        "PUBLIC_API_SLOTS": str(args.public_slots),
        "PASSWORD_CHECK_SLOTS": str(args.password_slots),
    }
    setup_django(env)
    OUT.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rng = random.Random(args.seed)
    loads: dict[str, list[float]] = {"before": [round(x, 2) for x in os.getloadavg()]}
    staff = public = None
    fx = None
    phases: list[Scenario] = []
    floods: list[dict] = []
    try:
        print(f"Preparing {database_label()} ...", flush=True)
        fx = prepare(1)
        from django.conf import settings

        print(f"{fx.services:,} published services; {os.cpu_count()} CPUs", flush=True)
        watch = CpuWatch(str(settings.DATABASES["default"]["NAME"])).start()
        ports = {"staff": free_port(), "public": free_port()}
        for port in ports.values():
            watch.exclude(f"127.0.0.1:{port}")
        full_env = {**os.environ, **env}
        staff = start_gunicorn(
            argparse.Namespace(workers=args.staff_workers, worker_class="sync", threads=1),
            ports["staff"],
            full_env,
            OUT / f"flood-staff-{stamp}.log",
        )
        if args.one_pool:
            ports["public"] = ports["staff"]
        else:
            public = start_gunicorn(
                argparse.Namespace(workers=args.public_workers, worker_class="sync", threads=1),
                ports["public"],
                full_env,
                OUT / f"flood-public-{stamp}.log",
            )
        desk = Client(ports["staff"], f"{fx.cookie_name}={fx.sessions[0]}")
        paths = [desk_query(rng, fx) for _ in range(args.desk_requests)]
        measure_desk("warm-up", desk, paths[: args.warmup], args.max_seconds)

        print("Desk alone ...", flush=True)
        phases.append(measure_desk("desk alone", desk, paths, args.max_seconds))
        loads["alone"] = [round(x, 2) for x in os.getloadavg()]

        pages = public_pages(fx)
        print(
            f"Desk under a public API flood: {args.addresses} addresses x {args.rate:g}/min, "
            f"{pages} pages of {PAGE_SIZE} ...",
            flush=True,
        )
        flood = Flood("public API").start(
            [
                public_flooder(ports["public"], f"198.51.100.{n + 1}", args.rate, pages, n)
                for n in range(args.addresses)
            ]
        )
        time.sleep(3)  # the flood at full rate before the desk is measured
        try:
            phases.append(measure_desk("desk, public API flood", desk, paths, args.max_seconds))
        finally:
            floods.append(flood.stop())
        loads["public flood"] = [round(x, 2) for x in os.getloadavg()]

        print(f"Desk under a login flood: {args.login_clients} clients ...", flush=True)
        flood = Flood("login").start(
            [
                login_flooder(ports["public"], random.Random(rng.random()))
                for _ in range(args.login_clients)
            ]
        )
        time.sleep(3)
        try:
            phases.append(measure_desk("desk, login flood", desk, paths, args.max_seconds))
        finally:
            floods.append(flood.stop())
        loads["login flood"] = [round(x, 2) for x in os.getloadavg()]
        other_load = watch.stop()
        desk.close()
    finally:
        stop_gunicorn(staff)
        stop_gunicorn(public)
        if fx is not None:
            forget_sessions(fx.sessions)
        forget_keys(args.redis, prefix)

    rows = [phase.stats() for phase in phases]
    alone = rows[0]["p95_ms"]
    for row in rows:
        row["ratio_to_alone"] = round(row["p95_ms"] / alone, 2)
    print()
    pools = "one pool for everything" if args.one_pool else f"public pool: {args.public_workers}"
    print(
        f"staff pool: {args.staff_workers} sync workers; {pools}; "
        f"PUBLIC_API_SLOTS={args.public_slots}, PASSWORD_CHECK_SLOTS={args.password_slots}; "
        f"{fx.services:,} services"
    )
    print(f"load average (1, 5, 15 min): {loads}")
    print(
        f"other processes used {other_load['other_cpu_seconds']} CPU-seconds during the run "
        f"({other_load['other_share_of_machine']:.0%} of the machine)"
    )
    print("| desk | requests | p50 ms | p95 ms | p99 ms | max ms | p95 / alone |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['scenario']} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} "
            f"| {r['p99_ms']} | {r['max_ms']} | {r['ratio_to_alone']} |"
        )
    print()
    print("| flood | requests | answers by status | p50 ms |")
    print("|---|---:|---|---:|")
    for f in floods:
        print(f"| {f['flood']} | {f['requests']} | {f['statuses']} | {f['p50_ms']} |")
    missed = [r["scenario"] for r in rows[1:] if r["ratio_to_alone"] > TARGET_RATIO]
    print(
        f"\nTarget: desk p95 under a flood <= {TARGET_RATIO:g} x alone: "
        + (f"MISSED ({', '.join(missed)})" if missed else "met")
    )
    out = OUT / f"flood-{stamp}.json"
    out.write_text(
        json.dumps(
            {"args": vars(args), "desk": rows, "floods": floods, "loads": loads, **other_load},
            indent=2,
        )
    )
    print(f"Written to {out}")
    if args.check and missed:
        sys.exit(2)


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as error:
        sys.exit(f"benchmark failed: {error}")
