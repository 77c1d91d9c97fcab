"""Feedback to the field: adaptation used, how the caller heard of the line, and the
service type missing when a need went unmet. Categories only, counted in the reports
under the same disclosure control as every other figure."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from hotline.calls.forms import CallForm
from hotline.calls.models import Call, is_unmet
from hotline.reports.models import CallStat
from services_directory.models import ServiceType
from tests.factories import make_call, make_site, rebuild_report_summary

pytestmark = pytest.mark.django_db
FIRST = date(2025, 3, 3)
RANGE = {"period": "2025-Q1"}  # ISO weeks 1–13 of 2025, March included
FINAL = {"channel": "phone", "caller_role": "utsatt", "outcome": "information"}


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def call(operator, operator_site):
    return Call.start(operator, operator_site)


@pytest.fixture
def shelter_type():
    return ServiceType.objects.get(code="krisesenter")


# The call log


def test_the_new_fields_are_fixed_choices_in_the_call_form():
    form = CallForm()
    for name in ("adaptation", "heard_via", "unmet_service_type"):
        assert name in form.fields
    assert {value for value, _label in Call.Adaptation.choices} == {
        "spoken_interpreter",
        "sign_interpreter",
        "text_relay",
        "none",
    }
    for field in ("adaptation", "heard_via"):
        assert Call._meta.get_field(field).choices


def test_autosave_stores_the_new_answers(operator_client, call, shelter_type):
    data = {
        "adaptation": "sign_interpreter",
        "heard_via": "police",
        "unmet_reason": "full",
        "unmet_service_type": "krisesenter",
    }
    response = operator_client.post(reverse("calls:autosave"), data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.adaptation == "sign_interpreter"
    assert call.heard_via == "police"
    assert call.unmet_service_type == shelter_type
    # The panel shows what was saved.
    html = operator_client.get(reverse("desk:home")).text
    assert re.search(r'name="adaptation" value="sign_interpreter"[^>]*checked', html)
    assert re.search(r'name="heard_via" value="police"[^>]*checked', html)
    assert '<option value="krisesenter" selected>' in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("adaptation", "braille"),
        ("heard_via", "tv2"),
        ("unmet_service_type", "no-such-type"),
        ("unmet_service_type", "1"),  # a primary key is not a code
    ],
)
def test_unknown_values_are_refused_naming_the_field(operator_client, call, field, value):
    response = operator_client.post(reverse("calls:autosave"), {field: value})
    assert response.status_code == 400
    label = str(CallForm().fields[field].label)
    assert label in response.text
    call.refresh_from_db()
    assert getattr(call, field if field != "unmet_service_type" else "unmet_service_type_id") in (
        "",
        None,
    )


def test_a_missing_service_type_without_an_unmet_need_cannot_close(operator_client, call):
    data = {**FINAL, "token": call.close_token, "unmet_service_type": "krisesenter"}
    response = operator_client.post(reverse("calls:close"), data)
    assert response.status_code == 400
    assert "Choose the unmet need, or leave the missing service type empty." in response.text
    call.refresh_from_db()
    assert call.is_open


def test_with_an_unmet_need_it_closes(operator_client, call, shelter_type):
    data = {
        **FINAL,
        "token": call.close_token,
        "unmet_reason": "full",
        "unmet_service_type": "krisesenter",
    }
    assert operator_client.post(reverse("calls:close"), data).status_code == 302
    call.refresh_from_db()
    assert not call.is_open
    assert call.unmet_service_type == shelter_type


# The reports


@pytest.fixture
def calls(shelter_type):
    """Seven calls with a sign-language interpreter, two with text relay; seven who
    heard of the line from the police; six unmet needs for a crisis centre (full)."""
    site = make_site("Tilbakemeldingssenteret")
    for i in range(9):
        make_call(
            site,
            FIRST + timedelta(days=i % 7),
            adaptation="sign_interpreter" if i < 7 else "text_relay",
            heard_via="police" if i < 7 else "school",
            unmet_reason="full" if i < 6 else "",
            unmet_service_type=shelter_type if i < 6 else None,
        )
    return site


def published(client, url_name: str, slug: str) -> tuple[dict[str, str], object]:
    response = client.get(reverse(url_name), RANGE)
    assert response.status_code == 200
    table = next(t for t in response.context["tables"] if t.slug == slug)
    return {line.label: line.figures[0].text for line in table.body}, table


def near(text: str, count: int) -> bool:
    """A published figure is the count with a small noise (at most ±2)."""
    return text.isdigit() and abs(int(text) - count) <= 2


def test_adaptations_are_counted_and_small_counts_hidden(supervisor_client, calls):
    rows, _table = published(supervisor_client, "reports:callers", "adaptations")
    assert near(rows["sign-language interpreter"], 7)
    assert rows["text relay (teksttelefon)"] == ":"  # two calls: withheld
    assert rows["spoken-language interpreter"] == ":"  # none: withheld, as zeros are


def test_how_callers_heard_of_the_line_is_counted(supervisor_client, calls):
    rows, _table = published(supervisor_client, "reports:callers", "heard_via")
    assert near(rows["police"], 7)
    assert rows["school or student health service"] == ":"


def test_unmet_needs_by_missing_service_type(supervisor_client, calls):
    response = supervisor_client.get(reverse("reports:unmet"), RANGE)
    table = next(t for t in response.context["tables"] if t.slug == "unmet_by_service_type")
    reasons = [label for value, label in Call.UnmetReason.choices if is_unmet(value)]
    row = next(line for line in table.body if line.label == "Crisis centre")
    assert near(row.figures[reasons.index("service full")].text, 6)
    # Calls without an unmet need are not in this table at all.
    assert near(table.footer.total.text, 6)


def test_a_missing_type_without_an_unmet_need_is_not_counted(shelter_type):
    site = make_site("Ufullstendig")
    make_call(site, FIRST, unmet_service_type=shelter_type)
    assert not CallStat.objects.filter(breakdown="unmet_service_type").exists()
    assert CallStat.objects.filter(breakdown="heard_via", a="").exists()


def test_the_new_tables_export_as_published(supervisor_client, calls):
    for url_name, slug in (
        ("reports:callers", "adaptations"),
        ("reports:callers", "heard_via"),
        ("reports:unmet", "unmet_by_service_type"),
    ):
        _rows, table = published(supervisor_client, url_name, slug)
        response = supervisor_client.get(reverse("reports:export", args=[slug]), RANGE)
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows == table.csv_rows()


def test_the_rebuild_counts_the_new_fields_alike(calls):
    fields = ("breakdown", "week", "site", "channel", "county", "a", "b", "calls", "key_sum")
    kept = sorted(CallStat.objects.values_list(*fields))
    assert {row[0] for row in kept} >= {"adaptation", "heard_via", "unmet_service_type"}
    rebuild_report_summary()
    assert sorted(CallStat.objects.values_list(*fields)) == kept
