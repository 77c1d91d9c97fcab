"""Where a search spends its time: every SQL statement it runs, and the plans of the slow ones.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \
        uv run python benchmarks/explain_search.py "municipality=0301" "postcode=9520&open=1"

Each argument is the query string of ``GET /api/v1/search``. The script calls
``services_directory.search.run_search`` in-process, exactly as the API view does (so it
follows the search code wherever it goes), records every statement it sends, and prints:

- the median and fastest time of the whole ``run_search`` over ``--repeat`` runs, and how
  much of it was spent waiting for PostgreSQL;
- each statement with its time (``--sql`` prints them in full);
- ``EXPLAIN (ANALYZE, BUFFERS)`` of the statements slower than ``--explain-ms``.

``--acute`` does the same for the desk's "nearest open service" strip
(``services_directory.search.nearest_open``) for the query's place. Session settings such
as ``jit`` follow DATABASE_URL (e.g. ``?options=-c%20jit%3Doff``).
"""

import argparse
import statistics
import time

from _django import database_label, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("queries", nargs="+", help='search parameters, e.g. "municipality=0301"')
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each search")
    parser.add_argument("--explain-ms", type=float, default=10.0, help="explain slower ones")
    parser.add_argument("--sql", action="store_true", help="print every statement in full")
    parser.add_argument("--acute", action="store_true", help="also the desk's nearest-open strip")
    args = parser.parse_args()
    setup_django()

    from django.db import connection
    from django.http import QueryDict
    from django.utils import timezone

    from services_directory.search import SearchForm, nearest_open, run_search

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), version()")
        jit, version = cursor.fetchone()
    print(f"{database_label()}; jit={jit}; {version.split(' on ')[0]}")
    for query in args.queries:
        form = SearchForm(QueryDict(query))
        if not form.is_valid():
            raise SystemExit(f"{query}: {form.error_dict()}")
        data = form.cleaned_data
        now = timezone.now()
        profile(connection, query, lambda data=data, now=now: run_search(data, now), args)
        if args.acute:
            location = data["location"]
            municipality = location.municipality if location else None
            profile(
                connection,
                f"{query} [nearest open]",
                lambda m=municipality, now=now: nearest_open(m, now),
                args,
            )


def profile(connection, label: str, call, args) -> None:
    from django.test.utils import CaptureQueriesContext

    call()  # warm: the search index, caches, prepared plans, the places index
    runs, db_times = [], []
    for _ in range(max(args.repeat, 1)):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            call()
            runs.append((time.perf_counter() - start) * 1000)
        db_times.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    statements = captured.captured_queries  # those of the last run
    print(f"\n=== {label}")
    print(
        f"whole call: median {statistics.median(runs):.1f} ms, fastest {min(runs):.1f} ms "
        f"over {len(runs)} runs; of it in PostgreSQL (median) "
        f"{statistics.median(db_times):.1f} ms in {len(statements)} statements"
    )
    for n, statement in enumerate(statements, 1):
        ms = float(statement["time"]) * 1000
        sql = statement["sql"]
        print(f"  #{n:<2} {ms:7.1f} ms  {sql if args.sql else sql[:110]}")
    with connection.cursor() as cursor:
        for n, statement in enumerate(statements, 1):
            if float(statement["time"]) * 1000 < args.explain_ms:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement["sql"])
            print(f"\n--- plan of #{n}")
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
