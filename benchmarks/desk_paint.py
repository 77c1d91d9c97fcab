"""Last keystroke to results painted on the desk, in a real browser.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \
        uv run python benchmarks/desk_paint.py [--check]

What an operator waits for: from the last key typed into the place box to the moment
the new results are on the screen. Starts gunicorn with the shipped ``gunicorn.conf.py``
(DEBUG off, as behind the TLS proxy) on a free port of 127.0.0.1, signs an operator in
with the second factor (a verified session, as ``search_latency.py`` does), and drives
headless Chromium (``/usr/bin/chromium``, Playwright) at 1366×768:

1. opens a fresh desk (``/desk/``, or ``/desk/?topic=…`` for every other repetition);
2. types a place into the place box, key by key, ``--key-delay`` ms apart;
3. in the page, notes the time of the last ``input`` event, then waits for the htmx swap of
   ``#live`` whose request carried the whole place, then for the next animation frame
   and a task after it (the frame has then been painted).

Each repetition reports the wait split into its parts: the debounce (last key to the
request leaving), the request (gunicorn and the network, to the response), and the swap
and paint. Prints p50/p95/max over ``--runs`` repetitions after ``--warmup`` unmeasured
ones, and the number of requests sent and cancelled a repetition (``hx-sync`` replaces a
search still under way when the next key comes). ``--check`` exits with status 2 when
p95 is above ``TARGET_MS``.

Works only on a PostgreSQL database whose name contains "bench" (benchmarks/_django.py).
On the demo directory: ``createdb hotline_bench_demo``, then with that DATABASE_URL run
``uv run python manage.py demo --no-server`` once (DEBUG on, as the demo needs) before
this script.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from _django import OUT, REPO, database_label, pass_second_factor, production_env, setup_django
from search_latency import (
    BenchmarkError,
    forget_sessions,
    free_port,
    percentile,
    stop_gunicorn,
    wait_until_healthy,
)

TARGET_MS = 200.0
CHROMIUM = "/usr/bin/chromium"
# What callers say: towns, villages, Sámi names, postcodes; each resolves to one place.
PLACES = [
    "Bodø",
    "Tromsø",
    "Kautokeino",
    "Oslo",
    "Bergen",
    "Trondheim",
    "Hammerfest",
    "Narvik",
    "Alta",
    "Lillehammer",
    "Kristiansand",
    "Stavanger",
    "Karasjok",
    "Romsa",
    "Ålesund",
    "Molde",
    "9008",
    "0150",
    "5003",
    "Drammen",
]
TOPICS = ["voldtekt", "partnervold", "vold-i-nare-relasjoner", "incest", "egen-voldsbruk"]

# Installed in every page before its own scripts. Timestamps are performance.now() (ms).
RECORDER = """
(() => {
  const state = window.__paint = {lastKey: null, sent: 0, aborted: 0, done: null};
  const requests = new WeakMap();
  // The input event, not keydown: a letter outside the US layout (ø, å) is typed by
  // Playwright as inserted text, with no keydown. Its timeStamp is when it happened, not
  // when the page got round to handling it.
  document.addEventListener("input", (event) => {
    if (event.target.id === "id_where") state.lastKey = event.timeStamp;
  }, true);
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id !== "search") return;  // not the place box's suggestions
    state.sent += 1;
    requests.set(event.detail.xhr, {where: event.detail.requestConfig.parameters.where,
                                    sent: performance.now()});
  });
  document.addEventListener("htmx:sendAbort", () => { state.aborted += 1; });
  document.addEventListener("htmx:beforeSwap", (event) => {
    const request = requests.get(event.detail.xhr);
    if (request) request.answered = performance.now();
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const request = requests.get(event.detail.xhr);
    if (!request || request.where !== state.expected) return;
    // The next frame, then a task after it: that frame has been painted.
    requestAnimationFrame(() => setTimeout(() => {
      state.done = {...request, painted: performance.now()};
    }, 0));
  });
})();
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100, help="measured repetitions")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured repetitions")
    parser.add_argument("--key-delay", type=int, default=90, help="ms between keys")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--check", action="store_true", help=f"exit with status 2 when p95 > {TARGET_MS:.0f} ms"
    )
    return parser.parse_args()


def sign_in() -> tuple[str, str]:
    """A verified operator session: (cookie name, session key)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    # DEBUG is off, so pages need the static files manifest (STATIC_ROOT is git-ignored).
    call_command("collectstatic", interactive=False, verbosity=0)
    user, _ = User.objects.get_or_create(username="bench-paint-operator")
    user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get(name="operator")])
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    pass_second_factor(session, user)
    session.create()
    return settings.SESSION_COOKIE_NAME, str(session.session_key)


def start_server(port: int, workers: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """gunicorn with the shipped gunicorn.conf.py (read from the working directory)."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "hotline.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    print("$ python", " ".join(command[1:]), flush=True)
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - a fixed command line
            command, cwd=REPO, env=env, stdout=out, stderr=out, start_new_session=True
        )
    wait_until_healthy(process, port, log)
    return process


def one_run(page, base: str, place: str, topic: str | None, key_delay: int) -> dict:
    page.goto(f"{base}/desk/" + (f"?topic={quote(topic)}" if topic else ""))
    where = page.locator("#id_where")
    where.wait_for()
    page.evaluate("(place) => { window.__paint.expected = place; }", place)
    where.press_sequentially(place, delay=key_delay)
    page.wait_for_function("() => window.__paint.done !== null", timeout=10_000)
    state = page.evaluate("() => window.__paint")
    done = state["done"]
    if page.locator("#live .error-summary").count():
        status = page.locator("#live .live__status").inner_text()
        raise BenchmarkError(f"{place!r} was refused: {status}")
    return {
        "place": place,
        "topic": topic,
        "total_ms": done["painted"] - state["lastKey"],
        "debounce_ms": done["sent"] - state["lastKey"],
        "request_ms": done["answered"] - done["sent"],
        "swap_paint_ms": done["painted"] - done["answered"],
        "sent": state["sent"],
        "aborted": state["aborted"],
    }


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "p50": round(percentile(ordered, 50), 1),
        "p95": round(percentile(ordered, 95), 1),
        "max": round(ordered[-1], 1),
    }


def main() -> None:
    args = parse_args()
    env = production_env()
    setup_django(env)
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    log = OUT / f"desk-paint-gunicorn-{stamp}.log"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rng = random.Random(args.seed)
    load_before = os.getloadavg()
    process, session_key = None, None
    runs: list[dict] = []
    try:
        print(f"Preparing {database_label()} ...", flush=True)
        cookie_name, session_key = sign_in()
        port = free_port()
        process = start_server(port, args.workers, {**os.environ, **env}, log)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            context = browser.new_context(
                viewport={"width": 1366, "height": 768},
                locale="nb-NO",
                extra_http_headers={"X-Forwarded-Proto": "https"},
            )
            # Set here, not by the server: the browser would keep a Secure cookie from
            # plain http to itself.
            context.add_cookies(
                [{"name": cookie_name, "value": session_key, "url": base, "httpOnly": True}]
            )
            context.add_init_script(RECORDER)
            page = context.new_page()
            total = args.warmup + args.runs
            print(f"{args.warmup} warm-up and {args.runs} measured repetitions ...", flush=True)
            for n in range(total):
                place = rng.choice(PLACES)
                topic = rng.choice(TOPICS) if n % 2 else None
                run = one_run(page, base, place, topic, args.key_delay)
                if n >= args.warmup:
                    runs.append(run)
            browser.close()
    finally:
        stop_gunicorn(process)
        if session_key:
            forget_sessions([session_key])

    load_after = os.getloadavg()
    figures = {
        part: summary([run[f"{part}_ms"] for run in runs])
        for part in ("total", "debounce", "request", "swap_paint")
    }
    requests = sum(run["sent"] for run in runs) / len(runs)
    aborted = sum(run["aborted"] for run in runs) / len(runs)
    print()
    print(
        f"{len(runs)} repetitions, keys {args.key_delay} ms apart, {args.workers} gunicorn "
        f"workers; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print("| last key → | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    labels = {
        "total": "**results painted**",
        "debounce": "request sent (debounce)",
        "request": "response (server + network)",
        "swap_paint": "swap and paint, after the response",
    }
    for part, label in labels.items():
        f = figures[part]
        print(f"| {label} | {f['p50']} | {f['p95']} | {f['max']} |")
    print(f"searches sent a repetition: {requests:.1f}, of them cancelled: {aborted:.1f}")
    out = OUT / f"desk-paint-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "args": vars(args),
                "database": database_label(),
                "load": [load_before, load_after],
                "figures": figures,
                "runs": runs,
            },
            indent=1,
        )
    )
    print(f"written to {out.relative_to(REPO)}")
    p95 = figures["total"]["p95"]
    if args.check and p95 > TARGET_MS:
        print(f"FAIL: p95 {p95} ms > target {TARGET_MS:.0f} ms", flush=True)
        sys.exit(2)
    print(f"target p95 ≤ {TARGET_MS:.0f} ms: {'met' if p95 <= TARGET_MS else 'missed'}")


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as error:
        sys.exit(f"ERROR: {error}")
