"""EXPLAIN ANALYZE the SQL that an operator search runs, and time it in the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \
        uv run python benchmarks/explain_search.py "municipality=0301" "postcode=9520&open=1"

For each query string (the parameters of ``GET /api/v1/search``), builds the ranked
queryset exactly as ``services_directory.search.run_search`` does (without the card
prefetches, which are separate small queries), prints its plan with ANALYZE and BUFFERS,
then runs it ``--repeat`` times and prints the median and fastest wall-clock time of
executing and fetching it. ``--acute`` does the same for the desk's "nearest open service"
strip (``services_directory.search.nearest_open``) for the query's place. ``--sql``
prints the statement too; ``--no-plan`` only times.
Session settings such as ``jit`` follow DATABASE_URL (e.g. ``?options=-c%20jit%3Doff``).
"""

import argparse
import statistics
import time

from _django import database_label, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("queries", nargs="+", help='search parameters, e.g. "municipality=0301"')
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--sql", action="store_true", help="print the SQL statement")
    parser.add_argument("--no-plan", action="store_true", help="only print the timings")
    parser.add_argument("--acute", action="store_true", help="also the desk's nearest-open query")
    args = parser.parse_args()
    setup_django()

    from django.db import connection
    from django.db.models import Exists, OuterRef
    from django.http import QueryDict
    from django.utils import timezone

    from services_directory.models import ContactChannel, Service
    from services_directory.search import SearchForm, filtered_services

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        print(f"{database_label()}, jit={cursor.fetchone()[0]}")
    now = timezone.now()
    for query in args.queries:
        form = SearchForm(QueryDict(query))
        if not form.is_valid():
            raise SystemExit(f"{query}: {form.error_dict()}")
        data = form.cleaned_data
        location = data["location"]
        queryset = (
            filtered_services(data, data.get("at") or now)
            .ranked_for(location.municipality if location else None)
            .select_related("organization")[: data["limit"]]
        )
        explain(connection, query, queryset, args)
        if args.acute:
            # As nearest_open() builds it (it ends in .first(), so it cannot be reused).
            phones = ContactChannel.objects.filter(service=OuterRef("pk"), kind="phone")
            acute = (
                Service.objects.published()
                .open_at(now)
                .filter(Exists(phones))
                .ranked_for(location.municipality if location else None)
                .select_related("organization")[:1]
            )
            explain(connection, f"{query} [nearest open]", acute, args)


def explain(connection, label: str, queryset, args) -> None:
    sql, params = queryset.query.sql_with_params()
    print(f"\n=== {label}")
    if args.sql:
        with connection.cursor() as cursor:
            print(cursor.mogrify(sql, params))
    with connection.cursor() as cursor:
        if not args.no_plan:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
        # Timed as the application sees it (EXPLAIN ANALYZE's own timing inflates plans
        # with many subplan loops): execute and fetch, on a warm connection.
        times = []
        for _ in range(max(args.repeat, 1)):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    print(
        f"--- {label}: median {statistics.median(times):.1f} ms, "
        f"fastest {min(times):.1f} ms over {len(times)} runs"
    )


if __name__ == "__main__":
    main()
