"""``purge_old_calls``: closed calls past CALL_RETENTION_MONTHS go, the reports' figures stay."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from hotline.calls.models import OSLO, Call
from hotline.calls.services import retention_cutoff
from hotline.reports.models import ALL_COUNTIES, CallStat, CountedCall, SummaryPurge
from hotline.reports.summary import rebuild_summary
from hotline.reports.tables import TABLES
from services_directory import single_instance
from tests.factories import make_call, make_service, make_site

# 36 months before "now" is Sunday 2024-03-10: calls before Monday 2024-03-04 go.
NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)
CUTOFF = date(2024, 3, 4)
OLD, RECENT = date(2024, 1, 8), date(2026, 6, 1)  # both Mondays
# Reports show whole quarters: the old calls' quarter, and the recent calls' one.
OLD_WEEKS = {"period": "2024-Q1"}
QUARTERS = (OLD_WEEKS, {"period": "2026-Q2"})


@pytest.fixture(autouse=True)
def now(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def calls(db):
    """30 closed calls three weeks long in January 2024 (past retention) and 30 in June
    2026, varied enough that every table has figures; one old call still open."""
    site = make_site("Arkivsenteret")
    shelter = make_service("Krisesenteret", types=["krisesenter"])
    for start in (OLD, RECENT):
        for i in range(30):
            make_call(
                site,
                datetime(start.year, start.month, start.day, 9 + i % 3, tzinfo=OSLO)
                + timedelta(days=i % 21),
                channel="chat" if i % 3 == 0 else "phone",
                municipality="0301" if i % 2 else "1804",
                caller_role="utsatt",
                age_group="25_34",
                gender="female",
                relation="partner",
                topics=["partnervold"],
                referrals=[shelter],
                acute=i % 2 == 0,
                unmet_reason="full" if i % 2 else "",
            )
    still_open = Call.objects.create(site=site, started_hour=datetime(2024, 1, 9, 10, tzinfo=OSLO))
    return site, still_open


def figures(client, query) -> dict[str, list[list[str]]]:
    """Every report table, as its CSV export shows it."""
    tables = {}
    for table in TABLES:
        response = client.get(reverse("reports:export", args=[table]), query)
        assert response.status_code == 200, table
        tables[table] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return tables


def purge() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("purge_old_calls", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def old_total() -> int:
    rows = CallStat.objects.filter(breakdown="total", county=ALL_COUNTIES, week__lt=CUTOFF)
    return rows.aggregate(calls=Sum("calls"))["calls"] or 0


def test_the_cutoff_is_whole_weeks_retention_months_back():
    assert retention_cutoff(NOW, 36) == CUTOFF
    # 31 May less three months is 28 February (2027 is no leap year), a Sunday.
    assert retention_cutoff(datetime(2027, 5, 31, 12, tzinfo=UTC), 3) == date(2027, 2, 22)
    # Just after midnight in Oslo is still the previous evening in UTC.
    assert retention_cutoff(datetime(2027, 3, 7, 23, 30, tzinfo=UTC), 1) == date(2027, 2, 8)


def test_old_closed_calls_go_and_the_reports_keep_every_figure(supervisor_client, calls):
    before = [figures(supervisor_client, quarter) for quarter in QUARTERS]
    old_weeks = figures(supervisor_client, OLD_WEEKS)
    assert old_total() == 30

    out, err = purge()

    assert "Deleted 30 closed calls that started before 2024-03-04" in out
    assert err == ""
    remaining = Call.objects.all()
    assert not remaining.filter(is_open=False, started_hour__lt=datetime(2024, 3, 4, tzinfo=OSLO))
    assert remaining.filter(is_open=False).count() == 30
    assert remaining.filter(is_open=True).get() == calls[1]  # an open call is never purged
    assert SummaryPurge.objects.get().calls == 30
    assert [figures(supervisor_client, quarter) for quarter in QUARTERS] == before
    assert figures(supervisor_client, OLD_WEEKS) == old_weeks
    assert old_total() == 30


def test_a_rebuild_after_a_purge_keeps_the_purged_weeks(supervisor_client, calls):
    before = [figures(supervisor_client, quarter) for quarter in QUARTERS]
    purge()
    # A recent call loaded in bulk (not counted yet) is what a rebuild is for.
    bulk = Call.objects.create(
        site=calls[0], is_open=False, started_hour=datetime(2026, 6, 2, 10, tzinfo=OSLO)
    )

    rebuild_summary()

    assert old_total() == 30
    recent = CallStat.objects.filter(breakdown="total", county=ALL_COUNTIES, week__gte=CUTOFF)
    assert recent.aggregate(calls=Sum("calls"))["calls"] == 31
    bulk.delete()
    rebuild_summary()
    assert [figures(supervisor_client, quarter) for quarter in QUARTERS] == before


def test_an_uncounted_old_call_is_counted_before_it_goes(calls):
    Call.objects.create(
        site=calls[0], is_open=False, started_hour=datetime(2024, 1, 10, 10, tzinfo=OSLO)
    )
    purge()
    assert old_total() == 31
    assert not CountedCall.objects.filter(call__started_hour__lt=datetime(2024, 3, 4, tzinfo=OSLO))


def test_the_retention_is_a_setting(settings, calls):
    settings.CALL_RETENTION_MONTHS = 6  # before Monday 2026-09-07: every closed call
    out, _err = purge()
    assert "Deleted 60 closed calls that started before 2026-09-07" in out
    assert not Call.objects.filter(is_open=False).exists()
    assert (
        CallStat.objects.filter(breakdown="total", county=ALL_COUNTIES).aggregate(
            calls=Sum("calls")
        )["calls"]
        == 60
    )


def test_a_second_copy_does_nothing(calls):
    with single_instance.acquire("purge_old_calls", timedelta(minutes=5)):
        out, err = purge()
    assert "purge_old_calls is already running" in err
    assert out == ""
    assert Call.objects.filter(is_open=False).count() == 60
    assert not SummaryPurge.objects.exists()


def test_a_second_run_deletes_nothing_more(calls):
    purge()
    out, _err = purge()
    assert "Deleted 0 closed calls" in out
    assert Call.objects.filter(is_open=False).count() == 30
    assert old_total() == 30
