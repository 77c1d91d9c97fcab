"""The report summary (CallStat): kept current as calls close, rebuildable from the log.

Every closed call adds one row's worth (1 call, its disclosure key) to a dozen summary
cells: one per breakdown the reports show. The same function, ``breakdowns``, feeds
both the write path (``count_closed_call``, which ``hotline.calls.services.close_call``
runs in the closing transaction) and the rebuild, so the two cannot disagree.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max, Min

from hotline.calls.models import Call, is_unmet
from hotline.reports.models import (
    ALL_CHANNELS,
    ALL_COUNTIES,
    ALL_SITES,
    NO_COUNTY,
    CallStat,
    CountedCall,
    SummaryPurge,
)
from hotline.reports.periods import OSLO, local_midnight, monday
from services_directory.models import Municipality, Service

# What each breakdown counts, in its columns a and b:
#   total                 -                            headline, channels, county totals
#   hour                  ISO weekday, hour (Oslo)     time series (by day) and heatmap
#   caller_role           caller role
#   age_gender            age group, gender
#   relation              relation to the person using violence
#   acute                 "1" acute, "0" not
#   interpreter           language code, "" none
#   adaptation            adaptation used, "" not recorded
#   heard_via             how the caller heard of the line, "" not recorded
#   topic                 topic id, "" none            one row per topic of the call
#   referral_type         service type id              one row per type referred to
#   service               service id                   one row per service referred to
#   unmet                 reason                       only calls with an unmet need
#   unmet_municipality    municipality id ("" none), reason
#   unmet_topic           topic id ("" none), reason
#   unmet_service_type    service type id ("" not recorded), reason
BREAKDOWNS = (
    "total",
    "hour",
    "caller_role",
    "age_gender",
    "relation",
    "acute",
    "interpreter",
    "adaptation",
    "heard_via",
    "topic",
    "referral_type",
    "service",
    "unmet",
    "unmet_municipality",
    "unmet_topic",
    "unmet_service_type",
)


@dataclass(frozen=True)
class CallFacts:
    """What the summary needs to know about one closed call."""

    started_hour: datetime
    site_id: int
    channel: str
    county_id: int | None
    municipality_id: int | None
    caller_role: str
    age_group: str
    gender: str
    relation: str
    acute: bool
    interpreter_language_id: str | None
    unmet_reason: str
    disclosure_key: int
    adaptation: str = ""
    heard_via: str = ""
    unmet_service_type_id: int | None = None
    topic_ids: frozenset = field(default_factory=frozenset)
    service_ids: frozenset = field(default_factory=frozenset)
    service_type_ids: frozenset = field(default_factory=frozenset)
    call_id: object = None


# breakdown, week, site, channel, county, a, b
Key = tuple[str, date, int, str, int, str, str]


def _text(value) -> str:
    return "" if value is None else str(value)


def breakdowns(facts: CallFacts) -> Iterator[Key]:
    """Every summary cell the call counts in, at each of the three levels of CallStat."""
    local = facts.started_hour.astimezone(OSLO)
    week, county = monday(local.date()), facts.county_id or NO_COUNTY
    levels = (
        (facts.site_id, facts.channel, county),
        (ALL_SITES, ALL_CHANNELS, county),
        (ALL_SITES, ALL_CHANNELS, ALL_COUNTIES),
    )
    for breakdown, a, b in _answers(facts, local):
        for site, channel, area in levels:
            yield (breakdown, week, site, channel, area, a, b)


def _answers(facts: CallFacts, local: datetime) -> Iterator[tuple[str, str, str]]:
    """(breakdown, a, b) for every breakdown the call counts in."""

    def key(breakdown: str, a="", b="") -> tuple[str, str, str]:
        return (breakdown, _text(a), _text(b))

    yield key("total")
    yield key("hour", local.isoweekday(), local.hour)
    yield key("caller_role", facts.caller_role)
    yield key("age_gender", facts.age_group, facts.gender)
    yield key("relation", facts.relation)
    yield key("acute", "1" if facts.acute else "0")
    yield key("interpreter", facts.interpreter_language_id)
    yield key("adaptation", facts.adaptation)
    yield key("heard_via", facts.heard_via)
    for topic in sorted(facts.topic_ids) or [None]:
        yield key("topic", topic)
    for service_type in sorted(facts.service_type_ids):
        yield key("referral_type", service_type)
    for service in sorted(facts.service_ids):
        yield key("service", service)
    if is_unmet(facts.unmet_reason):
        yield key("unmet", facts.unmet_reason)
        yield key("unmet_municipality", facts.municipality_id, facts.unmet_reason)
        for topic in sorted(facts.topic_ids) or [None]:
            yield key("unmet_topic", topic, facts.unmet_reason)
        yield key("unmet_service_type", facts.unmet_service_type_id, facts.unmet_reason)


def _facts_of(call: Call) -> CallFacts:
    service_ids = frozenset(call.referrals.values_list("pk", flat=True))
    type_ids = frozenset(
        Service.service_types.through.objects.filter(service_id__in=service_ids).values_list(
            "servicetype_id", flat=True
        )
    )
    county_id = (
        Municipality.objects.filter(pk=call.municipality_id)
        .values_list("county_id", flat=True)
        .first()
        if call.municipality_id
        else None
    )
    return CallFacts(
        started_hour=call.started_hour,
        site_id=call.site_id,
        channel=call.channel,
        county_id=county_id,
        municipality_id=call.municipality_id,
        caller_role=call.caller_role,
        age_group=call.age_group,
        gender=call.gender,
        relation=call.relation,
        acute=call.acute,
        interpreter_language_id=call.interpreter_language_id,
        unmet_reason=call.unmet_reason,
        disclosure_key=call.disclosure_key,
        adaptation=call.adaptation,
        heard_via=call.heard_via,
        unmet_service_type_id=call.unmet_service_type_id,
        topic_ids=frozenset(call.topics.values_list("pk", flat=True)),
        service_ids=service_ids,
        service_type_ids=type_ids,
    )


def _add(cells: dict[Key, list[int]]) -> None:
    """Add counts to the summary in one statement (insert, or add to the existing row).

    Sorted, so concurrent closes lock shared rows in the same order and cannot deadlock.
    """
    if not cells:
        return
    table = connection.ops.quote_name(CallStat._meta.db_table)
    columns = "breakdown, week, site, channel, county, a, b, calls, key_sum"
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(cells))
    params: list = []
    for key in sorted(cells):
        params += [*key, *cells[key]]
    # ORM upserts can only overwrite a conflicting row; the summary must add to it.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {placeholders} "  # noqa: S608 (fixed names)
        "ON CONFLICT (breakdown, week, site, channel, county, a, b) DO UPDATE SET "
        f"calls = {table}.calls + EXCLUDED.calls, key_sum = {table}.key_sum + EXCLUDED.key_sum"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def count_closed_call(call: Call) -> None:
    """Count a call that has just been closed, once; call inside the closing transaction.
    A training call is never counted (close_call does not ask; this is the backstop)."""
    if call.site.is_training:
        return
    with transaction.atomic():
        _counted, created = CountedCall.objects.get_or_create(call_id=call.pk)
        if not created:
            return
        cells: dict[Key, list[int]] = {}
        for key in breakdowns(_facts_of(call)):
            cells[key] = [1, call.disclosure_key]
        _add(cells)


CHUNK_WEEKS = 4


def _insert(cells: dict[Key, list[int]], call_ids: list) -> None:
    """Write a rebuilt chunk (into emptied tables: no conflicts to handle).

    Not through model instances: for a million calls those alone take minutes.
    PostgreSQL gets COPY, by far its fastest way in.
    """
    stat = connection.ops.quote_name(CallStat._meta.db_table)
    counted = connection.ops.quote_name(CountedCall._meta.db_table)
    columns = "breakdown, week, site, channel, county, a, b, calls, key_sum"
    call = CountedCall._meta.get_field("call")
    # Rows a report reads together (one breakdown, one level) are stored together:
    # fewer pages to read per query.
    order = sorted(cells, key=lambda k: (k[0], k[2], k[3], k[4], k[1], k[5], k[6]))
    stat_rows: list[tuple[str | date | int, ...]] = [(*key, *cells[key]) for key in order]
    call_rows = [(call.get_db_prep_value(pk, connection),) for pk in call_ids]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {stat} ({columns}) FROM STDIN") as copy:
                for row in stat_rows:
                    copy.write_row(row)
            with cursor.copy(f"COPY {counted} (call_id) FROM STDIN") as copy:
                for row in call_rows:
                    copy.write_row(row)
            return
        values = ", ".join(["%s"] * 9)
        cursor.executemany(f"INSERT INTO {stat} ({columns}) VALUES ({values})", stat_rows)  # noqa: S608
        cursor.executemany(f"INSERT INTO {counted} (call_id) VALUES (%s)", call_rows)  # noqa: S608


def _chunks(first: date, last: date) -> Iterator[tuple[datetime, datetime]]:
    week = monday(first)
    while week <= last:
        following = week + timedelta(weeks=CHUNK_WEEKS)
        yield (
            datetime(week.year, week.month, week.day, tzinfo=OSLO),
            datetime(following.year, following.month, following.day, tzinfo=OSLO),
        )
        week = following


def _closed_facts(start: datetime, end: datetime, lookups) -> Iterable[CallFacts]:
    calls = Call.objects.counted().filter(started_hour__gte=start, started_hour__lt=end)
    topics: dict = defaultdict(set)
    for call_id, topic_id in Call.topics.through.objects.filter(call__in=calls).values_list(
        "call_id", "topic_id"
    ):
        topics[call_id].add(topic_id)
    services: dict = defaultdict(set)
    for call_id, service_id in Call.referrals.through.objects.filter(call__in=calls).values_list(
        "call_id", "service_id"
    ):
        services[call_id].add(service_id)
    county_of, types_of = lookups
    fields = [
        "pk",
        "started_hour",
        "site_id",
        "channel",
        "municipality_id",
        "caller_role",
        "age_group",
        "gender",
        "relation",
        "acute",
        "interpreter_language_id",
        "unmet_reason",
        "disclosure_key",
        "adaptation",
        "heard_via",
        "unmet_service_type_id",
    ]
    for row in calls.values_list(*fields).iterator(chunk_size=10_000):
        pk, started, site, channel, municipality, role, age, gender = row[:8]
        relation, acute, language, unmet, key, adaptation, heard_via, missing = row[8:]
        referred = frozenset(services.get(pk, ()))
        yield CallFacts(
            started_hour=started,
            site_id=site,
            channel=channel,
            county_id=county_of.get(municipality),
            municipality_id=municipality,
            caller_role=role,
            age_group=age,
            gender=gender,
            relation=relation,
            acute=acute,
            interpreter_language_id=language,
            unmet_reason=unmet,
            disclosure_key=key,
            adaptation=adaptation,
            heard_via=heard_via,
            unmet_service_type_id=missing,
            topic_ids=frozenset(topics.get(pk, ())),
            service_ids=referred,
            service_type_ids=frozenset(t for s in referred for t in types_of.get(s, ())),
            call_id=pk,
        )


def rebuild_summary() -> int:
    """Recount the summary from the call log; returns the number of summary rows written.

    Weeks before the last purge of old calls (``SummaryPurge``) are kept, not recounted.

    Locks the summary for writing meanwhile, so a call closed during the rebuild is
    counted exactly once: by the rebuild if it was closed before, otherwise by its own
    close, which waits for the rebuild to finish.
    """
    county_of = dict(Municipality.objects.values_list("pk", "county_id"))
    types_of: dict = defaultdict(set)
    for service_id, type_id in Service.service_types.through.objects.values_list(
        "service_id", "servicetype_id"
    ):
        types_of[service_id].add(type_id)
    written = 0
    with transaction.atomic():
        purged_before = SummaryPurge.purged_before()
        calls = Call.objects.counted()  # closed, and never a training site's
        if purged_before is None:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"TRUNCATE {CallStat._meta.db_table}, {CountedCall._meta.db_table}"
                    )
            else:
                CallStat.objects.all().delete()
                CountedCall.objects.all().delete()
        else:
            # The weeks before a purge can no longer be recounted: their calls are gone,
            # so their summary rows are kept as they are (calls of those weeks still
            # present, closed late, are already in them and stay counted once).
            kept_from = local_midnight(purged_before)
            CallStat.objects.filter(week__gte=purged_before).delete()
            CountedCall.objects.filter(call__started_hour__gte=kept_from).delete()
            calls = calls.filter(started_hour__gte=kept_from)
        span = calls.aggregate(first=Min("started_hour"), last=Max("started_hour"))
        if span["first"] is None:
            return 0
        first = span["first"].astimezone(OSLO).date()
        last = span["last"].astimezone(OSLO).date()
        for start, end in _chunks(first, last):
            # Chunks are whole weeks, and the week is part of every key: each chunk's
            # cells are complete when it is written.
            cells: dict[Key, list[int]] = {}
            counted = []
            for facts in _closed_facts(start, end, (county_of, types_of)):
                counted.append(facts.call_id)
                for key in breakdowns(facts):
                    cell = cells.get(key)
                    if cell is None:
                        cells[key] = [1, facts.disclosure_key]
                    else:
                        cell[0] += 1
                        cell[1] += facts.disclosure_key
            _insert(cells, counted)
            written += len(cells)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh planner statistics for the new rows
            cursor.execute(f"ANALYZE {CallStat._meta.db_table}, {CountedCall._meta.db_table}")
    return written
