"""Writes that span the call log and the reports' summary.

A call is counted in the summary in the same transaction that closes it, so the reports
never miss a closed call nor count an open one. The call log's models know nothing of the
reports (the reports read the call log); this module is where the two meet.
"""

from django.db import transaction

from hotline.calls.models import Call
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
