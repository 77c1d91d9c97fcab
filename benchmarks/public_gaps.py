"""Answer time of the open gap data (/api/v1/public/gaps, its CSV, and /open-data/gaps/)
on the benchmark database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \\
        uv run python benchmarks/public_gaps.py

Asks, anonymously through Django's test Client (the full middleware stack, DEBUG off),
for the latest complete quarter and the one before, nationally and for one county
(Finnmark), as JSON, as CSV and as the public page; then the JSON again with the ETag it
got (a 304, which still builds the answer: it is not kept in the server cache). Each
case is warmed up once and timed ``--runs`` times; prints the median and the slowest
run, the number of SQL queries and the target (1 s). Needs calls from generate_calls.py.
Only runs on a PostgreSQL database whose name contains "bench".
"""

import argparse
import json
import statistics
import time
from datetime import datetime

from _django import OUT, database_label, setup_django

TARGET_S = 1.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
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
            "PUBLIC_API_RATE_LIMIT": "1000000",
        }
    )
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from hotline.calls.models import Call
    from hotline.reports.periods import Quarter

    call_command("collectstatic", interactive=False, verbosity=0)  # the page, DEBUG off
    calls = Call.objects.closed().count()
    if not calls:
        raise SystemExit("No calls: run benchmarks/generate_calls.py first.")
    client = Client(HTTP_HOST="localhost")
    latest = Quarter.latest_complete()
    cases = []
    for quarter in (latest, latest.previous):
        for label, extra in (("national", {}), ("Finnmark", {"county": "56"})):
            query = {"quarter": quarter.slug, **extra}
            for name, url in (
                ("JSON", reverse("api:public_gaps")),
                ("CSV", reverse("api:public_gaps_csv")),
                ("page", reverse("open_gaps")),
            ):
                cases.append((f"{quarter.slug} {label} {name}", url, query, {}))
    etag = client.get(reverse("api:public_gaps"), {"quarter": latest.slug})["ETag"]
    cases.append(
        (
            f"{latest.slug} national JSON, 304",
            reverse("api:public_gaps"),
            {"quarter": latest.slug},
            {"If-None-Match": etag},
        )
    )

    print(f"Open gap data on {database_label()}: {calls:,} closed calls")
    print(f"{'case':<40}{'median':>10}{'max':>10}{'queries':>9}")
    results = []
    for name, url, query, headers in cases:
        response = client.get(url, query, headers=headers)  # warm-up
        if response.status_code not in (200, 304):
            raise SystemExit(f"{name}: HTTP {response.status_code}\n{response.text[:500]}")
        timings = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url, query, headers=headers)
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
    path = OUT / f"public-gaps-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps({"calls": calls, "results": results}, indent=2))
    print(f"Written to {path}")


if __name__ == "__main__":
    main()
