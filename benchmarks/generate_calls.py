"""Generate a realistic call log for the supervisor-report benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \
        uv run python benchmarks/generate_calls.py --calls 1000000 --years 3

Creates N closed calls spread over the last ``--years`` years, up to the end of the last
complete week, with the proportions of hotline/reports/demo.py (shared with the demo):
more calls in the evening and at weekends, a slow upward trend, callers' municipalities
weighted by population (a few without one), one to three topics per call (through the
M2M table), referrals for about half the calls to services covering the caller's
municipality (or county), and an unmet need for about 15 % (more often in small
municipalities). Three helpline sites take the calls.

Rows are written with bulk_create, which bypasses ``Call.close``, so the report summary
is rebuilt afterwards. Runs ``migrate`` for the call log and the reports only (never
anyone else's pending migrations). Only runs on a PostgreSQL database whose name
contains "bench"; ``--reset`` empties the call tables first. Needs the directory from
generate_directory.py for referrals (without it, calls get no referrals).
"""

import argparse
import random
import time
from datetime import timedelta

from _django import database_label, setup_django

SITES = {"Bench: Oslo": 50, "Bench: Bergen": 30, "Bench: Tromsø": 20}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20_250_101)
    parser.add_argument("--reset", action="store_true", help="delete all calls first")
    return parser.parse_args()


def prepare_database(reset: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "calls", verbosity=0)
    call_command("migrate", "reports", verbosity=0)
    if reset:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE calls_calltopic, calls_callreferral, calls_call, "
                "reports_countedcall, reports_callstat"
            )


def main() -> None:
    args = parse_args()
    setup_django()
    from django.db import connection

    from hotline.calls.models import Site
    from hotline.reports.demo import CallFaker, save_calls
    from hotline.reports.periods import last_complete_sunday
    from hotline.reports.summary import rebuild_summary

    started = time.perf_counter()
    print(f"Generating {args.calls:,} calls over {args.years} years in {database_label()}")
    prepare_database(args.reset)
    sites = {Site.objects.get_or_create(name=name)[0].pk: w for name, w in SITES.items()}
    faker = CallFaker(random.Random(args.seed), sites)
    last = last_complete_sunday()
    first = last - timedelta(days=365 * args.years - 1)

    def progress(made: int) -> None:
        if made % 100_000 == 0 or made == args.calls:
            print(f"  {made:>9,} calls  {time.perf_counter() - started:7.1f} s", flush=True)

    _calls, topics, referrals = save_calls(faker.calls(args.calls, first, last), progress=progress)
    print(f"  topics: {topics:,} rows, referrals: {referrals:,} rows")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE calls_call, calls_calltopic, calls_callreferral")
    rebuild = time.perf_counter()
    rows = rebuild_summary()
    print(f"  report summary rebuilt: {rows:,} rows in {time.perf_counter() - rebuild:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_callstat")
        cursor.execute("ANALYZE reports_countedcall")
    print(f"Done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
