"""Writes that span the call log and the reports' summary.

A call is counted in the summary in the same transaction that closes it, so the reports
never miss a closed call nor count an open one. The call log's models know nothing of the
reports (the reports read the call log); this module is where the two meet.
"""

import calendar
from collections.abc import Callable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from hotline.calls.models import OSLO, Call
from hotline.reports.models import CountedCall, SummaryPurge
from hotline.reports.periods import local_midnight, monday
from hotline.reports.summary import count_closed_call


def close_call(call: Call, answers: dict | None = None) -> None:
    """Close a call and count it; a failing count leaves the call open. Calls at a
    training site are closed like any other but never counted (count_closed_call)."""
    with transaction.atomic():
        call.close(answers)
        count_closed_call(call)


def close_left_open(started_before) -> int:
    """Close every call left open since before ``started_before`` (the browser shut, the
    operator went home), keeping what was recorded, so none keeps its link to an operator
    indefinitely. Returns how many were closed."""
    closed = 0
    for pk in Call.objects.left_open(started_before).values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and checked again: the operator may be closing it right now.
            call = Call.objects.select_for_update().filter(pk=pk, is_open=True).first()
            if call is not None:
                close_call(call)
                closed += 1
    return closed


PURGE_BATCH = 2000


def retention_cutoff(now: datetime, months: int) -> date:
    """The Monday (Oslo) before which closed calls are purged: ``months`` before ``now``,
    rounded back to a whole week, because the summary counts whole weeks and a week
    half purged could no longer be recounted."""
    local = timezone.localtime(now, OSLO).date()
    year, month = divmod(local.year * 12 + local.month - 1 - months, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return monday(date(year, month + 1, day))


def purge_closed_calls(before: date, heartbeat: Callable[[], object] | None = None) -> int:
    """Delete closed calls that started before the Monday ``before``; their figures stay
    in the report summary. Returns how many calls were deleted.

    In three committed steps, each leaving a consistent state if the next never runs:
    count any closed call the summary misses (a bulk load not yet rebuilt), record the
    purge (from then on a rebuild keeps those weeks' rows), then delete in batches.
    """
    cutoff = local_midnight(before)
    old = Call.objects.closed().filter(started_hour__lt=cutoff)
    uncounted = old.exclude(pk__in=CountedCall.objects.values("call_id"))
    for call in uncounted.iterator(chunk_size=PURGE_BATCH):
        count_closed_call(call)
    with transaction.atomic():
        purge = SummaryPurge.objects.create(before=before)
    deleted = 0
    while batch := list(old.values_list("pk", flat=True)[:PURGE_BATCH]):
        with transaction.atomic():
            # Topics, referrals and the CountedCall rows go with them (cascade).
            Call.objects.filter(pk__in=batch, is_open=False).delete()
        deleted += len(batch)
        if heartbeat:  # a first purge of years of calls can outlast the job lock
            heartbeat()
    with transaction.atomic():
        SummaryPurge.objects.filter(pk=purge.pk).update(calls=deleted)
    return deleted
