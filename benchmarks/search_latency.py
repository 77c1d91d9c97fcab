"""Search latency through the real HTTP stack: gunicorn, the full middleware, PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \
        uv run python benchmarks/search_latency.py

Starts gunicorn on a free local port with production settings (DEBUG off, manifest static
files, SSL redirect on behind a "TLS proxy": requests carry X-Forwarded-Proto: https),
logs in operators by creating their sessions, warms up, then measures:

- ``GET /api/v1/search`` from one client, then from 20 concurrent clients, with a
  realistic mix of parameters (municipality or postcode, topics, sometimes open now,
  age, language, target group, service type or a name);
- the operator desk ``GET /desk/?where=...&topic=...``, as a full page and as the htmx
  partial the page fetches while the operator types, from one client.

Any response other than 200 stops the run with the status and the start of the body.
Prints p50/p95/p99/max and throughput per scenario, writes them as JSON to
``benchmarks/out/``, and stops gunicorn at the end, also on errors and Ctrl-C.
Uses only the standard library (http.client and threads).
"""

import argparse
import http.client
import json
import math
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from _django import OUT, REPO, database_label, pass_second_factor, production_env, setup_django

TARGETS_MS = {
    "api, 1 client": 50.0,
    "api, 20 clients": 200.0,
    "first searches after a one-service edit": 30.0,
}
# Each page's p50 over the floor's (the cheapest logged-in page), measured interleaved.
TARGET_RATIOS = {"desk page": 3.0, "desk htmx partial": 2.0}
TARGET_WORKER_RSS_MB = 150.0
FLOOR_PATH = "/about/"
EDIT_MARK = "benchmark edit"
NAME_WORDS = ["krisesenter", "overgrepsmottak", "støttesenter", "familievern", "krisesentret"]


class BenchmarkError(RuntimeError):
    pass


def parse_args() -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="single-client API requests")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument(
        "--requests-per-client", type=int, default=50, help="API requests per concurrent client"
    )
    parser.add_argument("--desk-requests", type=int, default=50, help="desk requests, each kind")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests first")
    parser.add_argument(
        "--ratio-rounds", type=int, default=100, help="interleaved floor/search/desk rounds"
    )
    parser.add_argument("--edits", type=int, default=50, help="one-service edits to search after")
    # The search is CPU-bound (answered from each worker's in-memory index), so one
    # worker per core plus one: more only adds contention and cold caches.
    parser.add_argument("--workers", type=int, default=cores + 1, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--check", action="store_true", help="exit with status 2 when a target is missed"
    )
    return parser.parse_args()


# --- Set-up in this process: static files, operators and their sessions ---


@dataclass
class Fixtures:
    municipalities: list[str]
    postcodes: list[str]
    desk_places: list[str]
    topics: list[str]
    groups: list[str]
    types: list[str]
    languages: list[str]
    sessions: list[str]
    cookie_name: str
    services: int
    postgres: str
    jit: str


def prepare(clients: int) -> Fixtures:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection

    from services_directory import places
    from services_directory.models import (
        Language,
        Municipality,
        Postcode,
        Service,
        ServiceType,
        TargetGroup,
        Topic,
    )

    # DEBUG is off, so pages need the static files manifest (STATIC_ROOT is git-ignored).
    call_command("collectstatic", interactive=False, verbosity=0)
    services = Service.objects.published().count()
    if services == 0:
        raise BenchmarkError("No published services: run benchmarks/generate_directory.py first.")

    operator = Group.objects.get(name="operator")
    sessions = []
    for n in range(1, clients + 1):
        user, _ = User.objects.get_or_create(username=f"bench-operator-{n:02d}")
        user.set_unusable_password()
        user.save()
        user.groups.set([operator])
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        pass_second_factor(session, user)
        session.create()
        sessions.append(session.session_key)

    municipalities = list(Municipality.objects.active().select_related("county"))
    desk_places = []
    for m in municipalities:  # only names the desk resolves to exactly this municipality
        try:
            if places.resolve(m.label).municipality == m:
                desk_places.append(m.label)
        except Exception:  # noqa: S112 - ambiguous names are simply not used
            continue
    spoken = set(Service.languages.through.objects.values_list("language_id", flat=True).distinct())
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('jit')")
        postgres, jit = cursor.fetchone()
    fixtures = Fixtures(
        municipalities=[m.number for m in municipalities],
        postcodes=list(
            Postcode.objects.active()
            .filter(municipality__isnull=False)
            .values_list("code", flat=True)
        ),
        desk_places=desk_places,
        topics=list(Topic.objects.filter(is_active=True).values_list("code", flat=True)),
        groups=list(TargetGroup.objects.filter(is_active=True).values_list("code", flat=True)),
        types=list(ServiceType.objects.filter(is_active=True).values_list("code", flat=True)),
        languages=sorted(Language.objects.filter(code__in=spoken).values_list("code", flat=True)),
        sessions=sessions,
        cookie_name=settings.SESSION_COOKIE_NAME,
        services=services,
        postgres=postgres.split(" on ")[0],
        jit=jit,
    )
    connection.close()
    return fixtures


def forget_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session
    from django.db import connection

    Session.objects.filter(session_key__in=keys).delete()
    connection.close()


# --- The request mix ---


def api_query(rng: random.Random, fx: Fixtures) -> tuple[str, list[str]]:
    """One operator search: the path and tags describing it (for the breakdown)."""
    params: list[tuple[str, str | int]] = []
    tags = []
    where = rng.random()
    if where < 0.75:
        params.append(("municipality", rng.choice(fx.municipalities)))
        tags.append("municipality")
    elif where < 0.90:
        params.append(("postcode", rng.choice(fx.postcodes)))
        tags.append("postcode")
    else:
        tags.append("no place")
    topics = rng.random()
    if topics < 0.70:
        params.append(("topic", rng.choice(fx.topics)))
        tags.append("1 topic")
    elif topics < 0.85:
        params += [("topic", code) for code in rng.sample(fx.topics, 2)]
        tags.append("2 topics")
    else:
        tags.append("no topic")
    if rng.random() < 0.30:
        params.append(("open", "1"))
        tags.append("open=1")
    if rng.random() < 0.20:
        params.append(("age", rng.randint(8, 80)))
        tags.append("age")
    if rng.random() < 0.10:
        params.append(("language", rng.choice(fx.languages)))
        tags.append("language")
    if rng.random() < 0.15:
        params.append(("group", rng.choice(fx.groups)))
        tags.append("group")
    if rng.random() < 0.10:
        params.append(("type", rng.choice(fx.types)))
        tags.append("type")
    if rng.random() < 0.05:
        params.append(("q", rng.choice(NAME_WORDS)))
        tags.append("q")
    return "/api/v1/search?" + urlencode(params), tags


def desk_query(rng: random.Random, fx: Fixtures) -> str:
    params = [("where", rng.choice(fx.desk_places)), ("topic", rng.choice(fx.topics))]
    if rng.random() < 0.3:
        params.append(("open", "1"))
    return "/desk/?" + urlencode(params)


# --- HTTP ---


class Client:
    """One operator's browser: a kept-alive connection (reopened when the server closes)."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port = port
        self.headers = {"Cookie": cookie, "X-Forwarded-Proto": "https", "Accept": "*/*"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.reconnects = 0

    def get(self, path: str, extra: dict[str, str] | None = None) -> float:
        """Seconds from sending the request to the last byte of a 200 response."""
        headers = {**self.headers, **(extra or {})}
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=headers)
                response = self.conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # An idle kept-alive connection closed by the server: reconnect, once.
                self.conn.close()
                self.reconnects += 1
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - start
            if response.status != 200:
                raise BenchmarkError(
                    f"GET {path} answered {response.status}: {body[:300]!r}"
                    + (
                        f" (Location: {response.getheader('Location')})"
                        if response.status in (301, 302)
                        else ""
                    )
                )
            return elapsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


@dataclass
class Scenario:
    name: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    tags: list[list[str]] = field(default_factory=list)

    def stats(self) -> dict:
        ms = sorted(x * 1000 for x in self.latencies)
        return {
            "scenario": self.name,
            "clients": self.clients,
            "requests": len(ms),
            "mean_ms": round(sum(ms) / len(ms), 1),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(ms[-1], 1),
            "throughput_rps": round(len(ms) / self.wall, 1),
        }


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def run_sequential(name: str, client: Client, paths, headers=None) -> Scenario:
    scenario = Scenario(name, 1)
    start = time.perf_counter()
    for path, tags in paths:
        scenario.latencies.append(client.get(path, headers))
        scenario.tags.append(tags)
    scenario.wall = time.perf_counter() - start
    return scenario


def run_concurrent(name: str, clients: list[Client], plans: list[list]) -> Scenario:
    """Each client fires its own list of paths back to back, all clients at once."""
    scenario = Scenario(name, len(clients))
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def worker(client: Client, plan: list) -> None:
        barrier.wait()
        for path, tags in plan:
            elapsed = client.get(path)
            with lock:
                scenario.latencies.append(elapsed)
                scenario.tags.append(tags)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        futures = [pool.submit(worker, c, p) for c, p in zip(clients, plans, strict=True)]
        for future in futures:
            future.result()  # re-raises the first failure
    scenario.wall = time.perf_counter() - start
    return scenario


def run_interleaved(client: Client, kinds: dict[str, list], rounds: int) -> list[Scenario]:
    """One request of each kind in turn, ``rounds`` times: the kinds see the same
    machine, so their ratios hold even when the machine's speed drifts."""
    scenarios = {name: Scenario(name, 1) for name in kinds}
    start = time.perf_counter()
    for n in range(rounds):
        for name, plan in kinds.items():
            path, headers = plan[n % len(plan)]
            scenarios[name].latencies.append(client.get(path, headers))
            scenarios[name].tags.append([])
    wall = time.perf_counter() - start
    for scenario in scenarios.values():
        scenario.wall = wall
    return list(scenarios.values())


def run_after_edits(clients: list[Client], edits: int, rng, fx) -> Scenario:
    """Edit one service (its operator note, as an editor would), then send one search
    from each client at once, so every worker's first search after the edit (the one
    that reloads the service) is measured."""
    from services_directory.models import Service

    pks = list(Service.objects.published().values_list("pk", flat=True))
    scenario = Scenario("first searches after a one-service edit", len(clients))
    start = time.perf_counter()
    for n in range(edits):
        Service.objects.filter(pk=rng.choice(pks)).update(operator_note=f"{EDIT_MARK} {n}")
        plans = [[api_query(rng, fx)] for _ in clients]
        round_ = run_concurrent("edit", clients, plans)
        scenario.latencies += round_.latencies
        scenario.tags += round_.tags
    scenario.wall = time.perf_counter() - start
    return scenario


def undo_edits() -> None:
    from services_directory.models import Service

    Service.objects.filter(operator_note__startswith=EDIT_MARK).update(operator_note="")


def worker_rss_mb(master: int) -> list[float]:
    """Resident memory of each gunicorn worker (Linux /proc), in MB."""
    found = []
    for task in Path(f"/proc/{master}/task").iterdir():
        for child in (task / "children").read_text().split():
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found.append(round(int(line.split()[1]) / 1024, 1))
    return sorted(found)


# --- Other load on the machine ---


class CpuWatch:
    """CPU time used by processes other than this benchmark while it runs.

    Samples /proc every second. Counts every process except this one (and its process
    group), gunicorn and the PostgreSQL backends serving the benchmark database, so another
    job on the machine (a test run, a second benchmark) shows up in the report instead of
    silently inflating the figures. Linux only; elsewhere it reports nothing.
    """

    def __init__(self, database: str) -> None:
        self.database = database
        self.excluded_groups = {os.getpgrp()}
        self.excluded_text: list[str] = []
        self.seen: dict[int, float] = {}
        self.other_seconds = 0.0
        self.top: dict[str, float] = defaultdict(float)
        self.started = time.monotonic()
        self.stopping = threading.Event()
        self.ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "CpuWatch":
        self._sample(first=True)
        self.thread.start()
        return self

    def exclude(self, text: str) -> None:
        """Also leave out processes whose command line contains ``text``."""
        self.excluded_text.append(text)

    def stop(self) -> dict:
        self.stopping.set()
        self.thread.join(timeout=5)
        wall = time.monotonic() - self.started
        cpus = os.cpu_count() or 1
        return {
            "other_cpu_seconds": round(self.other_seconds, 1),
            "other_share_of_machine": round(self.other_seconds / (wall * cpus), 3),
            "top_other": {
                name: round(sec, 1)
                for name, sec in sorted(self.top.items(), key=lambda kv: -kv[1])[:3]
            },
        }

    def _run(self) -> None:
        while not self.stopping.wait(1.0):
            self._sample()

    def _sample(self, first: bool = False) -> None:
        proc = Path("/proc")
        if not proc.is_dir():
            return
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            pgrp, cpu = int(fields[2]), (int(fields[11]) + int(fields[12])) / self.ticks
            mine = (
                pgrp in self.excluded_groups
                or any(text in cmdline for text in self.excluded_text)
                or (cmdline.startswith("postgres:") and f" {self.database} " in cmdline)
            )
            previous = self.seen.get(pid)
            self.seen[pid] = cpu
            if mine or first:
                continue
            used = cpu - previous if previous is not None else cpu
            if used > 0:
                self.other_seconds += used
                self.top[(cmdline or stat.split()[1])[:60]] += used


# --- gunicorn ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [
        sys.executable,  # the project's virtualenv, as `uv run gunicorn` would use
        "-m",
        "gunicorn",
        "hotline.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
        # The shipped gunicorn.conf.py logs every request to standard output: thousands
        # of lines in this terminal, and a run that depends on how fast it reads them.
        "--access-logfile",
        str(log.with_name(f"{log.stem}-access.log")),
    ]
    print("$ python", " ".join(command[1:]), flush=True)
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        command, cwd=REPO, env=env, start_new_session=True
    )
    wait_until_healthy(process, port, log)
    return process


def wait_until_healthy(process: subprocess.Popen, port: int, log: Path) -> None:
    """Until gunicorn answers /healthz; a BenchmarkError if it exits or takes 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise BenchmarkError(f"gunicorn did not answer /healthz within 60 s; see {log}")


def stop_gunicorn(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # the group we started: master and workers
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- Reporting ---


def table(rows: list[dict]) -> str:
    lines = [
        "| scenario | clients | requests | p50 ms | p95 ms | p99 ms | max ms | mean ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['clients']} | {r['requests']} | {r['p50_ms']} "
            f"| {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['mean_ms']} "
            f"| {r['throughput_rps']} |"
        )
    return "\n".join(lines)


def breakdown(scenario: Scenario) -> list[dict]:
    """p50/p95 per request feature (a request counts under each of its tags)."""
    by_tag: dict[str, list[float]] = defaultdict(list)
    for latency, tags in zip(scenario.latencies, scenario.tags, strict=True):
        for tag in tags:
            by_tag[tag].append(latency * 1000)
    rows = []
    for tag, values in sorted(by_tag.items()):
        values.sort()
        rows.append(
            {
                "tag": tag,
                "requests": len(values),
                "p50_ms": round(percentile(values, 50), 1),
                "p95_ms": round(percentile(values, 95), 1),
                "max_ms": round(values[-1], 1),
            }
        )
    return rows


def main() -> None:
    args = parse_args()
    env = production_env()
    setup_django(env)
    OUT.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    log = OUT / f"gunicorn-{stamp}.log"

    # Ctrl-C raises KeyboardInterrupt; make a plain `kill` unwind through `finally` too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rng = random.Random(args.seed)
    load_before = os.getloadavg()
    if load_before[0] > 1.0:
        print(
            f"WARNING: load average {load_before[0]:.1f} before the run; something else is "
            "using the CPUs and the figures will be worse than this machine can do.",
            flush=True,
        )
    process = None
    fx = None
    try:
        print(f"Preparing {database_label()} ...", flush=True)
        fx = prepare(args.clients)
        print(
            f"{fx.services:,} published services; {fx.postgres}; jit={fx.jit}; "
            f"{os.cpu_count()} CPUs",
            flush=True,
        )
        from django.conf import settings

        watch = CpuWatch(str(settings.DATABASES["default"]["NAME"])).start()
        port = free_port()
        watch.exclude(f"127.0.0.1:{port}")  # gunicorn's master and workers (--bind)
        process = start_gunicorn(args, port, {**os.environ, **env}, log)
        cookies = [f"{fx.cookie_name}={key}" for key in fx.sessions]
        clients = [Client(port, cookie) for cookie in cookies]
        htmx = {"HX-Request": "true", "HX-Current-URL": f"http://127.0.0.1:{port}/desk/"}

        print(f"Warming up: {args.warmup} requests from {len(clients)} clients ...", flush=True)
        per_client = max(1, args.warmup // len(clients))
        warm_plans = [
            [
                (desk_query(rng, fx), ["desk"]) if i % 4 == 0 else api_query(rng, fx)
                for i in range(per_client)
            ]
            for _ in clients
        ]
        run_concurrent("warm-up", clients, warm_plans)

        results: list[Scenario] = []
        print("Measuring ...", flush=True)
        api_single = run_sequential(
            "api, 1 client", clients[0], [api_query(rng, fx) for _ in range(args.requests)]
        )
        results.append(api_single)
        plans = [[api_query(rng, fx) for _ in range(args.requests_per_client)] for _ in clients]
        results.append(run_concurrent(f"api, {len(clients)} clients", clients, plans))
        desk_paths = [(desk_query(rng, fx), ["desk"]) for _ in range(args.desk_requests)]
        results.append(run_sequential("desk page, 1 client", clients[0], desk_paths))
        results.append(run_sequential("desk htmx partial, 1 client", clients[0], desk_paths, htmx))
        print("Interleaved floor, search, desk page and partial ...", flush=True)
        desk_only = [path for path, _tags in desk_paths]
        interleaved = run_interleaved(
            clients[0],
            {
                "floor": [(FLOOR_PATH, None)],
                "search": [(api_query(rng, fx)[0], None) for _ in range(50)],
                "desk page": [(path, None) for path in desk_only],
                "desk htmx partial": [(path, htmx) for path in desk_only],
            },
            args.ratio_rounds,
        )
        rss_warm = worker_rss_mb(process.pid)
        print(f"{args.edits} one-service edits, each followed by a search per worker ...")
        workers = clients[: args.workers]
        results.append(run_after_edits(workers, args.edits, rng, fx))
        rss_after_edits = worker_rss_mb(process.pid)
        reconnects = sum(c.reconnects for c in clients)
        other_load = watch.stop()
        for client in clients:
            client.close()
    finally:
        stop_gunicorn(process)
        if fx is not None:
            forget_sessions(fx.sessions)
            undo_edits()

    rows = [scenario.stats() for scenario in results]
    features = breakdown(api_single)
    print()
    print(
        f"gunicorn: {args.workers} {args.worker_class} workers"
        + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; {fx.services:,} services; {reconnects} reconnects"
    )
    share = other_load["other_share_of_machine"]
    print(
        f"other processes used {other_load['other_cpu_seconds']} CPU-seconds during the run "
        f"({share:.0%} of the machine)"
        + (
            f"; busiest: {', '.join(other_load['top_other'])}. "
            "WARNING: the figures are disturbed, repeat the run on a quiet machine."
            if share > 0.05
            else ""
        )
    )
    print(table(rows))
    print()
    print("API, 1 client, by request feature (a request counts under each of its features):")
    print("| feature | requests | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for r in features:
        print(f"| {r['tag']} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} |")

    missed = []
    floor_p50 = interleaved[0].stats()["p50_ms"]
    ratios = {}
    print()
    print(f"Interleaved, {args.ratio_rounds} rounds, p50 over the floor ({FLOOR_PATH}):")
    for scenario in interleaved:
        row = scenario.stats()
        ratios[scenario.name] = round(row["p50_ms"] / floor_p50, 2)
        print(
            f"  {scenario.name}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
            f"{ratios[scenario.name]}x the floor"
        )
    for name, limit in TARGET_RATIOS.items():
        ok = ratios[name] <= limit
        print(f"target {name}: {ratios[name]}x <= {limit}x  {'met' if ok else 'MISSED'}")
        if not ok:
            missed.append(name)
    print(f"worker RSS after warm-up and measuring: {rss_warm} MB")
    print(f"worker RSS after {args.edits} edits: {rss_after_edits} MB")
    ok = max(rss_after_edits) <= TARGET_WORKER_RSS_MB
    growth = round(max(rss_after_edits) - max(rss_warm), 1)
    print(
        f"target worker RSS: max {max(rss_after_edits)} MB <= {TARGET_WORKER_RSS_MB:.0f} MB "
        f"{'met' if ok else 'MISSED'}; growth over the edits {growth} MB"
    )
    if not ok:
        missed.append("worker RSS")
    for row in rows:
        target = TARGETS_MS.get(row["scenario"].replace(f"{args.clients} clients", "20 clients"))
        if target is not None:
            ok = row["p95_ms"] <= target
            print(
                f"target {row['scenario']}: p95 {row['p95_ms']} ms "
                f"{'<=' if ok else '>'} {target:.0f} ms  {'met' if ok else 'MISSED'}"
            )
            if not ok:
                missed.append(row["scenario"])

    report = OUT / f"search-latency-{stamp}.json"
    report.write_text(
        json.dumps(
            {
                "when": stamp,
                "command": " ".join(sys.argv),
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                    "postgres": fx.postgres,
                    "jit": fx.jit,
                    "load_average_before": load_before,
                    "load_average_after": os.getloadavg(),
                    "other_processes": other_load,
                },
                "gunicorn": {
                    "workers": args.workers,
                    "worker_class": args.worker_class,
                    "threads": args.threads,
                },
                "services": fx.services,
                "results": rows,
                "interleaved": [scenario.stats() for scenario in interleaved],
                "ratios_to_floor": ratios,
                "worker_rss_mb": {"warm": rss_warm, "after_edits": rss_after_edits},
                "api_single_by_feature": features,
            },
            indent=2,
        )
    )
    print(f"\nWritten to {report.relative_to(REPO)}")
    if missed and args.check:
        sys.exit(2)


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as error:
        sys.exit(f"FAILED: {error}")
