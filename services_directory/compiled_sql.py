"""Querysets compiled once and run again with other ids.

After every edit each worker reloads the changed service (``search_index``). Building
and compiling its five querysets cost such a reload twice what running them does
(2.96 against 0.79 ms of CPU, docs/performance.md), so each read is compiled once per
name and number of ids, with negative stand-in ids, and later run with the real ones.
The rows go through the compiler's converters, so they have the Python types the
queryset would give (SQLite returns times as text until converted).
``tests/test_compiled_sql.py`` holds the rows to the querysets' on both databases.
"""

from collections.abc import Callable, Collection, Iterable
from typing import NamedTuple, cast

from django.db import connection
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


class _Statement(NamedTuple):
    compiler: SQLCompiler
    sql: str
    params: list
    slots: list[int]  # where in params the ids go


_statements: dict[tuple[str, int], _Statement] = {}


def rows(
    name: str, build: Callable[[Collection[int]], QuerySet], pks: Collection[int]
) -> Iterable[tuple]:
    """The rows of ``build(pks)`` (a ``values_list`` queryset filtered by ``pks``): the
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
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        found = cursor.fetchall()
    results = statement.compiler.results_iter(results=[found], tuple_expected=True)
    return cast(Iterable[tuple], results)
