"""Querysets compiled once and run again with other ids, together in one round trip.

After every edit each worker reloads the changed service (``search_index``). Building
and compiling its five querysets cost such a reload twice what running them does
(2.96 against 0.79 ms of CPU, docs/performance.md), so each read is compiled once per
name and number of ids, with negative stand-in ids, and later run with the real ones.
The rows go through the compiler's converters, so they have the Python types the
queryset would give (SQLite returns times as text until converted).

The reads of one reload are sent together: on PostgreSQL in psycopg's pipeline mode,
one round trip for all of them instead of one each. On a busy machine every round trip
waits for the database process to be scheduled, so that wait is paid once.
``tests/test_compiled_sql.py`` holds the rows to the querysets' on both databases.
"""

from collections.abc import Callable, Collection, Iterable
from contextlib import nullcontext
from typing import Any, NamedTuple, cast

from django.db import connection
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


class _Statement(NamedTuple):
    compiler: SQLCompiler
    sql: str
    params: list
    slots: list[int]  # where in params the ids go


class Read(NamedTuple):
    """A statement ready to run, and what turns its fetched rows into the result."""

    sql: str
    params: list
    convert: Callable[[list[tuple]], Iterable[tuple]]


_statements: dict[tuple[str, int], _Statement] = {}


def _as_fetched(found: list[tuple]) -> Iterable[tuple]:
    return found


def compiled(name: str, build: Callable[[Collection[int]], QuerySet], pks: Collection[int]) -> Read:
    """The read of ``build(pks)`` (a ``values_list`` queryset filtered by ``pks``): the
    statement of ``name`` for this many ids is compiled the first time only."""
    key = (name, len(pks))
    statement = _statements.get(key)
    if statement is None:
        stand_ins = [-n for n in range(1, len(pks) + 1)]
        queryset = build(stand_ins)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        slots = [n for n, value in enumerate(params) if value in stand_ins]
        if len(slots) != len(pks):
            raise ValueError(f"{name}: the ids are not the statement's only negative numbers")
        statement = _statements[key] = _Statement(compiler, sql, list(params), slots)
    params = statement.params.copy()
    for slot, pk in zip(statement.slots, pks, strict=True):
        params[slot] = pk
    compiler = statement.compiler

    def convert(found: list[Any]) -> Iterable[tuple]:
        return cast(Iterable[tuple], compiler.results_iter(results=[found], tuple_expected=True))

    return Read(statement.sql, params, convert)


def plain(sql: str, params: list) -> Read:
    """A read of hand-written SQL, whose rows are used as fetched."""
    return Read(sql, params, _as_fetched)


def run(reads: list[Read]) -> list[Iterable[tuple]]:
    """Each read's rows, in order: on PostgreSQL in one round trip (SQLite runs in the
    process: there is no round trip to save)."""
    connection.ensure_connection()
    together = connection.connection.pipeline() if connection.vendor == "postgresql" else None
    cursors = [connection.cursor() for _ in reads]
    try:
        with together or nullcontext():
            for cursor, read in zip(cursors, reads, strict=True):
                cursor.execute(read.sql, read.params)
        return [
            read.convert(cursor.fetchall()) for cursor, read in zip(cursors, reads, strict=True)
        ]
    finally:
        for cursor in cursors:
            cursor.close()
