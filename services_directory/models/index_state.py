"""What each process's search index needs to know to stay current (see search_index).

Database triggers (``services_directory.triggers``) write here on every change to a
table the index reads, whatever made it: the admin, an import, a management command, a
bulk update or raw SQL.

- A change to one service's own rows (the service, its locations, channels, hours,
  vocabulary and coverage, its organisation) appends the service's id to
  ``ServiceChange``: each process then reloads just those services.
- A change to what every service refers to (the vocabularies, counties and
  municipalities: rare) stamps a new ``DIRECTORY`` token: each process rebuilds.
- Open error reports and free shelter places change all day and are small: their own
  ``FEEDBACK`` token reloads only them.
- The guidance library's articles and caller roles (``hotline.guide``), shown beside
  the desk's results, stamp a ``GUIDE`` token: each process rereads them (a few dozen).
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection, models

from services_directory.models.vocabulary import SERVICE_VOCABULARIES

# DirectoryChange rows.
DIRECTORY = 1  # what the whole index is built from
FEEDBACK = 2  # open error reports and free shelter places, shown on result cards
GUIDE = 3  # the guidance library's articles beside the results

# Tables whose writes rebuild the index, by model name.
REBUILD_MODELS = [
    "ServiceType",
    "Topic",
    "TargetGroup",
    "Language",
    "AccessibilityFeature",
    "County",
    "Municipality",
]
FEEDBACK_MODELS = ["ErrorReport", "ShelterCapacity"]
# Other apps' models (with their many-to-many tables) that stamp the GUIDE token.
GUIDE_MODELS = ["guide.Article", "guide.Audience"]
# Tables whose rows belong to one service, with the column that names it.
SERVICE_ROW_MODELS = {
    "Service": "id",
    "Location": "service_id",
    "ContactChannel": "service_id",
    "OpeningHours": "service_id",
}
# Service's many-to-many relations the index reads (their through tables log too).
SERVICE_M2M = [*SERVICE_VOCABULARIES, "coverage_counties", "coverage_municipalities"]
# Columns whose updates change nothing a search shows: the review cycle's bookkeeping.
# "Verified today", an editor's most frequent click, then costs no reload.
# The public timestamp is the triggers' own bookkeeping, which no search shows either.
UNWATCHED_FIELDS = {
    "Service": [
        "last_verified_at",
        "verified_by",
        "next_review_due",
        "contact_email",
        "confirmed_by_service_at",
        "version",
        "updated_at",
        "public_updated_at",
    ],
}
# How many ServiceChange rows are kept: far more than any process falls behind by
# between two searches.
KEEP_CHANGES = 100_000
PRUNE_EVERY = 1_000


class DirectoryChange(models.Model):
    """A row per token (DIRECTORY, FEEDBACK) whose random ``token`` changes with every
    write to what it covers, and the PRUNED_BELOW mark.

    The tokens are random rather than counters so that a rolled-back transaction or a
    flushed test database can never bring back a value an index was built at.
    """

    token = models.BigIntegerField()

    class Meta:
        verbose_name = "directory change"

    def __str__(self) -> str:
        return str(self.token)


class ServiceChange(models.Model):
    """One changed service, appended by the triggers; ids grow in commit order.

    Writers take a transaction-level lock before they append (see triggers), so a
    process that has read every id up to N has seen every change committed before N:
    a smaller id can never commit after a larger one was read. Each row's random
    ``stamp`` tells an index whether the row it stopped at is still the one it read:
    SQLite hands out a rolled-back id again, and old rows are pruned."""

    id = models.BigAutoField(primary_key=True)
    # No foreign key: the log outlives deleted services, and must not slow their deletion.
    service_id = models.BigIntegerField()
    stamp = models.BigIntegerField()

    class Meta:
        verbose_name = "service change"

    def __str__(self) -> str:
        return f"{self.pk}: service {self.service_id}"


# How many log rows after an index's position the state read brings along: enough for
# the changes of any ordinary moment, so that a reload after an edit asks nothing more.
FOLLOWING = 64


class IndexState(NamedTuple):
    """The tokens and the newest ServiceChange, read together before every search; with
    the log's rows from ``following_from`` on (at most FOLLOWING), as (id, stamp,
    service id), when asked for."""

    directory: int | None
    feedback: int | None
    newest_change: int
    newest_stamp: int
    guide: int | None = None
    following_from: int | None = None
    following: tuple[tuple[int, int, int], ...] = ()


# The kinds of row the state read returns.
_TOKEN, _NEWEST, _FOLLOWING = 0, 1, 2


def current_state(following_from: int | None = None) -> IndexState:
    """Every token and the newest change, in one query (asked before every search); with
    the log's rows from ``following_from`` on (an index's position), in the same query."""
    tokens, changes = DirectoryChange._meta.db_table, ServiceChange._meta.db_table
    # Plain SQL, without the ORM's few hundred microseconds; only table names go in. One
    # statement: PostgreSQL and SQLite read all of it from one snapshot.
    sql = (
        f"SELECT {_TOKEN}, id, token, 0 FROM {tokens} UNION ALL "  # noqa: S608
        f"SELECT * FROM (SELECT {_NEWEST}, id, stamp, 0 FROM {changes} "
        "ORDER BY id DESC LIMIT 1) newest"
    )
    if following_from is not None:
        sql += (
            f" UNION ALL SELECT * FROM (SELECT {_FOLLOWING}, id, stamp, service_id "  # noqa: S608
            # Numbers formatted in, not bound: a statement without parameters goes by
            # PostgreSQL's simple protocol, a little cheaper on every search.
            f"FROM {changes} WHERE id >= {int(following_from)} "
            f"ORDER BY id LIMIT {FOLLOWING:d}) following"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    found: dict[int, int] = {}
    newest, newest_stamp = 0, 0  # an empty log
    following = []
    for kind, pk, value, service_id in rows:
        if kind == _TOKEN:
            found[pk] = value
        elif kind == _NEWEST:
            newest, newest_stamp = pk, value
        else:
            following.append((pk, value, service_id))
    return IndexState(
        found.get(DIRECTORY),
        found.get(FEEDBACK),
        newest,
        newest_stamp,
        found.get(GUIDE),
        following_from,
        tuple(sorted(following)),
    )


def changed_services(position: int, stamp: int, state: IndexState) -> set[int] | None:
    """The services changed after the log entry ``position`` up to the state's newest;
    None when that entry is no longer the one stamped ``stamp`` (pruned, or rolled back
    and its id used again): what came in between is then unknown."""
    up_to = state.newest_change
    following = state.following
    # Read in one snapshot with the newest: all of them up to it, unless cut off.
    complete = len(following) < FOLLOWING or following[-1][0] >= up_to
    rows: Iterable[tuple[int, int, int]] = following
    if state.following_from != position or not complete:
        rows = ServiceChange.objects.filter(id__gte=position, id__lte=up_to).values_list(
            "id", "stamp", "service_id"
        )
    changed, anchored = set(), False
    for pk, row_stamp, service_id in rows:
        if pk == position:
            anchored = row_stamp == stamp
        else:
            changed.add(service_id)
    # An index built on an empty log has no entry to anchor to; nothing has been pruned
    # before the log has held KEEP_CHANGES entries.
    if anchored or (position == 0 and up_to <= KEEP_CHANGES):
        return changed
    return None
