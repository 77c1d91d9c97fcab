"""CSV exports of the report tables: content, formula neutralisation, the audit log."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from hotline.accounts.roles import Role
from hotline.audit.models import AuditEvent
from hotline.reports.periods import Quarter
from hotline.reports.tables import TABLES
from hotline.reports.views import REPEATED_EXPORTS_ALERT, neutralise
from tests.factories import login_verified, make_call, make_service, make_site, make_user

FIRST = date(2025, 3, 3)
RANGE = {"period": "2025-Q1"}  # ISO weeks 1–13 of 2025, March included


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def export(client, table: str, query: dict | None = None):
    return client.get(reverse("reports:export", args=[table]), query or {})


def exports():
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.REPORT_EXPORTED)


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def site(db):
    """12 phone calls and 3 chats in Oslo in the first two weeks of March 2025."""
    site = make_site("Eksportsenteret")
    for i in range(15):
        make_call(
            site,
            FIRST + timedelta(days=i % 10),
            channel="chat" if i < 3 else "phone",
            municipality="0301",
            caller_role="utsatt",
        )
    return site


@pytest.mark.django_db
def test_the_export_is_the_published_table(supervisor_client, site):
    query = {**RANGE, "site": site.pk}
    response = export(supervisor_client, "channels", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="channels_2025-Q1.csv"')
    assert response.content.startswith("\ufeff".encode())  # spreadsheets see UTF-8
    rows = rows_of(response)
    page = supervisor_client.get(reverse("reports:home"), query)
    channels = next(t for t in page.context["tables"] if t.slug == "channels")
    assert rows == channels.csv_rows()
    assert rows[0] == ["Channel", "Calls"]
    assert [row[0] for row in rows[1:]] == ["phone", "chat", "SMS", "not recorded", "Total"]
    phone, chat, sms, blank, total = (row[1] for row in rows[1:])
    assert (chat, sms, blank) == (":", ":", ":")  # 3 chats: below 5, and the zeros
    assert 10 <= int(phone) <= 14
    assert 13 <= int(total) <= 17


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_exports(supervisor_client, site, table):
    response = export(supervisor_client, table, {**RANGE, "site": site.pk})
    assert response.status_code == 200
    rows = rows_of(response)
    assert len(rows[0]) >= 2
    for row in rows[1:]:
        assert len(row) == len(rows[0])
        for cell in row[1:]:
            assert cell in ("", ":") or int(cell) >= 5


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+47 22 22 22 22", "'+47 22 22 22 22"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Krisesenteret i Oslo", "Krisesenteret i Oslo"),
        (":", ":"),
        ("12", "12"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(text, safe):
    assert neutralise(text) == safe


@pytest.mark.django_db
def test_a_service_named_like_a_formula_is_exported_inert(supervisor_client):
    """Service names are typed by editors: an export must not carry their formulas."""
    site = make_site("Formelsenteret")
    evil = make_service('=HYPERLINK("http://evil.example","klikk")', types=["krisesenter"])
    plus = make_service("+Krisesenter", types=["krisesenter"])
    for i in range(8):
        make_call(site, FIRST + timedelta(days=i), referrals=[evil, plus], municipality="0301")
    rows = rows_of(export(supervisor_client, "top_services", {**RANGE, "site": site.pk}))
    names = sorted(row[0] for row in rows[1:])
    assert names == ["'+Krisesenter", '\'=HYPERLINK("http://evil.example","klikk")']
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.django_db
def test_every_export_is_logged_with_who_when_and_which_filters(
    supervisor_client, supervisor, site
):
    query = {**RANGE, "site": site.pk, "channel": "phone", "county": "03"}
    export(supervisor_client, "heatmap", query)
    log = exports().get()
    assert log.actor == supervisor
    assert log.details["table"] == "heatmap"
    assert log.details["filters"] == {
        "period": "2025-Q1",
        "first_day": "2024-12-30",
        "last_day": "2025-03-30",
        "site": site.pk,
        "channel": "phone",
        "county": "03",
    }
    assert log.created_at is not None
    export(supervisor_client, "channels")
    latest = exports().first()
    assert latest.details["table"] == "channels"
    filters = latest.details["filters"]
    assert filters["site"] is None
    assert filters["period"] == Quarter.latest_complete().slug  # the default, by name
    assert filters["first_day"] < filters["last_day"]


@pytest.mark.django_db
def test_an_unknown_table_is_404_and_not_logged(supervisor_client):
    assert export(supervisor_client, "no_such_table").status_code == 404
    assert export(supervisor_client, "TABLES").status_code == 404
    assert not exports().exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "yesterday"}, "period"),
        ({"period": "1999-Q4"}, "period"),
        ({"channel": "fax"}, "channel"),
        ({"county": "0"}, "county"),
        ({"site": "x"}, "site"),
        ({"start": "2025-03-10", "end": "2025-03-01"}, "period"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field_and_not_logged(supervisor_client, query, field):
    response = export(supervisor_client, "channels", query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith(f"{field}: ")
    assert not exports().exists()


@pytest.mark.django_db
def test_only_supervisors_may_export(client, operator, editor):
    url = reverse("reports:export", args=["channels"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    for user in (operator, editor):
        login_verified(client, user)
        assert client.get(url).status_code == 403
    assert not exports().exists()


@pytest.mark.django_db
def test_exports_are_read_only(supervisor_client):
    assert supervisor_client.post(reverse("reports:export", args=["channels"])).status_code == 405


@pytest.mark.django_db
def test_exports_are_never_cached(supervisor_client):
    response = export(supervisor_client, "channels")
    assert "no-store" in response["Cache-Control"]


# The audit log (tests/test_audit_log.py covers its page and its admin)


@pytest.mark.django_db
def test_an_export_appears_in_the_audit_log(supervisor_client):
    export(supervisor_client, "channels")
    response = supervisor_client.get(reverse("audit:log"), {"kind": "report_exported"})
    assert response.status_code == 200
    assert "Exported a report table" in response.text
    assert "channels" in response.text


# Repeated near-identical exports


def alerts():
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.REPORT_EXPORTS_REPEATED)


@pytest.mark.django_db
def test_stepping_one_filter_through_its_values_is_flagged(supervisor_client, supervisor):
    """Quarter after quarter of one table, one county and one channel: the collection an
    averaging attack would start with. Every REPEATED_EXPORTS_ALERT-th such export is
    flagged once in the audit log, and the figures are still served."""
    quarters = Quarter.complete()[: REPEATED_EXPORTS_ALERT * 2]
    for n, quarter in enumerate(quarters, start=1):
        query = {"period": quarter.slug, "county": "03", "channel": "chat"}
        assert export(supervisor_client, "calls_over_time", query).status_code == 200
        assert alerts().count() == n // REPEATED_EXPORTS_ALERT
    first, second = alerts().order_by("created_at", "pk")
    assert first.actor == supervisor
    assert first.details["table"] == "calls_over_time"
    assert first.details["exports"] == REPEATED_EXPORTS_ALERT
    assert second.details["exports"] == 2 * REPEATED_EXPORTS_ALERT
    response = supervisor_client.get(reverse("audit:log"), {"kind": "report_exports_repeated"})
    assert response.status_code == 200
    assert "Exported near-identical report tables repeatedly" in response.text


@pytest.mark.django_db
def test_exports_that_differ_in_more_than_one_filter_or_table_are_not_flagged(
    supervisor_client,
):
    """Different tables, other people's exports, and filters that differ in two values
    are ordinary use."""
    other_supervisor_client = Client()
    login_verified(other_supervisor_client, make_user(Role.SUPERVISOR, username="kollega"))
    quarters = Quarter.complete()
    for n in range(REPEATED_EXPORTS_ALERT):
        table = sorted(TABLES)[n % len(TABLES)]
        export(supervisor_client, table, {"period": quarters[n].slug, "county": "03"})
        channel = ["phone", "chat", "sms"][n % 3]
        export(supervisor_client, "channels", {"period": quarters[n].slug, "channel": channel})
    for _n in range(REPEATED_EXPORTS_ALERT - 1):
        export(other_supervisor_client, "heatmap")
        export(supervisor_client, "heatmap")
    assert not alerts().exists()
    export(supervisor_client, "heatmap")  # the 20th identical one by the same account
    assert alerts().count() == 1
