"""Render time of the supervisor report pages and exports, on the benchmark database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \
        uv run python benchmarks/report_pages.py

Renders every report page through Django's test Client (the full middleware stack,
DEBUG off, as a logged-in supervisor past the second factor) for the default period (the
latest complete quarter: since issue 21 a report shows one fixed quarter, before that the
last 52 weeks), nationally and with the filters a supervisor would use, as full pages
and as the htmx partial, plus every CSV export. Each case is warmed up once and then
timed ``--runs`` times; prints the median and the slowest run, the number of SQL
queries and the target (1 s). Needs calls from generate_calls.py. Only runs on a
PostgreSQL database whose name contains "bench".
"""

import argparse
import json
import statistics
import time
from datetime import datetime

from _django import OUT, database_label, pass_second_factor, setup_django

TARGET_S = 1.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-exports", action="store_true")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    setup_django(
        {
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-" + "x" * 40,
            "ALLOWED_HOSTS": "localhost",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
        }
    )
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from hotline.calls.models import Call, Site
    from hotline.reports.tables import PAGES, TABLES
    from services_directory.models import County

    # DEBUG is off, so pages need the static files manifest (STATIC_ROOT is git-ignored).
    call_command("collectstatic", interactive=False, verbosity=0)
    calls = Call.objects.closed().count()
    if not calls:
        raise SystemExit("No calls: run benchmarks/generate_calls.py first.")
    user, _ = User.objects.get_or_create(username="bench-supervisor")
    user.groups.set([Group.objects.get(name="supervisor")])
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session
    pass_second_factor(session, user)
    session.save()

    site = Site.objects.annotate(n=Count("calls")).order_by("-n").first()
    county = County.objects.get(number="56")  # Finnmark: small counts, many pooled rows
    # No site or channel filter reads the summary's roll-up rows; any of them, the
    # detailed rows (the busiest site and channel being the slowest).
    filters = {
        "national": {},
        "county": {"county": county.number},
        "site": {"site": site.pk},
        "channel": {"channel": "phone"},
        "site + channel + county": {"site": site.pk, "channel": "chat", "county": "03"},
    }
    cases = []
    for page in PAGES:
        for label, query in filters.items():
            cases.append((f"{page.slug}, {label}", reverse(page.url_name), query, {}))
        cases.append((f"{page.slug}, htmx", reverse(page.url_name), {}, {"HX-Request": "true"}))
    if not args.no_exports:
        for table in TABLES:
            cases.append((f"export {table}", reverse("reports:export", args=[table]), {}, {}))

    print(f"Report pages on {database_label()}: {calls:,} closed calls")
    print(f"{'case':<40}{'median':>10}{'max':>10}{'queries':>9}")
    results = []
    for name, url, query, headers in cases:
        response = client.get(url, query, headers=headers)  # warm-up
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code}\n{response.text[:500]}")
        timings = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, query, headers=headers)
                timings.append(time.perf_counter() - started)
        median, worst = statistics.median(timings), max(timings)
        flag = "" if worst <= TARGET_S else "  OVER TARGET"
        print(f"{name:<40}{median * 1000:>8.0f}ms{worst * 1000:>8.0f}ms{len(queries):>9}{flag}")
        results.append({"case": name, "median_s": median, "max_s": worst, "queries": len(queries)})
    slowest = max(results, key=lambda r: r["max_s"])
    print(
        f"Slowest: {slowest['case']} at {slowest['max_s'] * 1000:.0f} ms "
        f"(target {TARGET_S * 1000:.0f} ms): {'OK' if slowest['max_s'] <= TARGET_S else 'MISSED'}"
    )
    OUT.mkdir(exist_ok=True)
    path = OUT / f"report-pages-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps({"calls": calls, "results": results}, indent=2))
    print(f"Written to {path}")


if __name__ == "__main__":
    main()
