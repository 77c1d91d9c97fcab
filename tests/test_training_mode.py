"""Training mode: calls at a training site are practice and never reach the reports."""

import csv
import io
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from hotline.calls.models import Call
from hotline.calls.services import close_call, close_left_open
from hotline.reports.models import CallStat, CountedCall
from hotline.reports.tables import PAGES, TABLES
from tests.factories import (
    login_verified,
    make_call,
    make_service,
    make_site,
    rebuild_report_summary,
)

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
FIRST = date(2025, 3, 3)
RANGE = {"period": "2025-Q1"}  # ISO weeks 1–13 of 2025, March included
FINAL = {
    "channel": "phone",
    "caller_role": "utsatt",
    "outcome": "referred",
    "unmet_reason": "none",
}
ANSWERS = {
    "channel": "phone",
    "municipality": "0301",
    "caller_role": "utsatt",
    "age_group": "25_34",
    "gender": "female",
    "relation": "partner",
    "unmet_reason": "full",
    "topics": ["partnervold"],
}


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def no_noise():
    """Published figures without the cell-key noise: one time in five an extra call moves
    no perturbed figure, which would hide a counted training call (and fail the control
    test below by chance)."""
    with mock.patch("hotline.reports.disclosure.noise", return_value=0):
        yield


@pytest.fixture
def training_site(operator):
    return make_site("Opplæring", operator, is_training=True)


@pytest.fixture
def referred():
    return make_service("Krisesenteret i Oslo", topics=["partnervold"], types=["krisesenter"])


@pytest.fixture
def real_calls(referred):
    """Enough real calls, all alike, that their cells are published rather than withheld."""
    site = make_site("Nasjonal hjelpelinje – Oslo")
    for i in range(12):
        practice_call(site, referred, FIRST + timedelta(days=i % 7))
    return site


def summary() -> list[tuple]:
    return sorted(
        CallStat.objects.values_list(
            "breakdown", "week", "site", "channel", "county", "a", "b", "calls", "key_sum"
        )
    )


def every_figure(client) -> dict:
    """Every report page's tables and every CSV export, as published."""
    figures: dict = {}
    for page in PAGES:
        response = client.get(reverse(page.url_name), RANGE)
        assert response.status_code == 200
        figures[page.slug] = [
            (table.slug, table.csv_rows()) for table in response.context["tables"]
        ] + [("headline", response.context["headline"].text)]
    for table in TABLES:
        response = client.get(reverse("reports:export", args=[table]), RANGE)
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        figures[f"{table}.csv"] = rows
    return figures


def practice_call(site, referred, when: datetime | date = FIRST + timedelta(days=2)) -> Call:
    answers = {k: v for k, v in ANSWERS.items() if k != "topics"}
    call = make_call(site, when, topics=["partnervold"], referrals=[referred], **answers)
    call.refresh_from_db()
    return call


def test_a_closed_training_call_leaves_every_report_figure_unchanged(
    supervisor_client, real_calls, training_site, referred
):
    before_summary, before = summary(), every_figure(supervisor_client)
    call = practice_call(training_site, referred)
    assert not call.is_open
    assert not CountedCall.objects.filter(call_id=call.pk).exists()
    assert summary() == before_summary
    assert every_figure(supervisor_client) == before
    # A rebuild from the call log leaves it out too.
    rebuild_report_summary()
    assert summary() == before_summary
    assert every_figure(supervisor_client) == before


def test_the_same_call_at_a_real_site_does_change_the_figures(
    supervisor_client, real_calls, referred
):
    """The control: the comparison above would notice a counted call."""
    before_summary, before = summary(), every_figure(supervisor_client)
    practice_call(real_calls, referred)
    assert summary() != before_summary
    assert every_figure(supervisor_client) != before


def test_a_training_call_closed_on_the_desk_is_not_counted(
    operator_client, operator, training_site
):
    with time_machine.travel(datetime(2025, 3, 5, 10, tzinfo=OSLO), tick=False):
        call = Call.start(operator, training_site)
        response = operator_client.post(
            reverse("calls:close"), {**FINAL, "token": call.close_token}
        )
    assert response.status_code == 302
    call.refresh_from_db()
    assert not call.is_open and call.operator is None
    assert not CallStat.objects.exists()
    assert not CountedCall.objects.exists()


def test_a_training_call_left_open_is_closed_and_not_counted(operator, training_site):
    with time_machine.travel(datetime(2025, 3, 5, 10, tzinfo=OSLO), tick=False):
        call = Call.start(operator, training_site)
    assert close_left_open(datetime(2025, 3, 6, tzinfo=OSLO)) == 1
    call.refresh_from_db()
    assert not call.is_open
    assert not CallStat.objects.exists()


def test_closing_twice_still_counts_nothing(operator, training_site):
    call = Call.start(operator, training_site)
    close_call(call, FINAL)
    close_call(call, FINAL)
    assert not CallStat.objects.exists()


def test_training_sites_are_not_offered_as_a_report_filter(
    supervisor_client, real_calls, training_site
):
    response = supervisor_client.get(reverse("reports:home"), RANGE)
    html = response.content.decode()
    assert real_calls.name in html
    assert training_site.name not in html
    response = supervisor_client.get(reverse("reports:home"), {**RANGE, "site": training_site.pk})
    assert response.status_code == 400
    assert "site" in response.context["filterset"].errors


def test_the_desk_shows_the_training_banner_during_a_training_call(
    operator_client, operator, training_site
):
    start = operator_client.get(reverse("desk:home")).text
    assert 'id="training-banner"' in start  # the operator's only site is a training site
    Call.start(operator, training_site)
    text = operator_client.get(reverse("desk:home")).text
    assert 'id="training-banner"' in text
    assert "TRAINING" in text


def test_a_real_call_shows_no_training_banner(operator_client, operator, operator_site):
    assert 'id="training-banner"' not in operator_client.get(reverse("desk:home")).text
    Call.start(operator, operator_site)
    assert 'id="training-banner"' not in operator_client.get(reverse("desk:home")).text


def test_the_banner_is_trening_in_bokmal(client, settings, operator, training_site):
    login_verified(client, operator)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    Call.start(operator, training_site)
    assert "TRENING" in client.get(reverse("desk:home")).text


def test_the_demo_has_a_training_site_for_the_demo_operator():
    from hotline.demo.users import DEMO_TRAINING_SITE_NAME, reset_demo_users

    reset_demo_users()
    reset_demo_users()
    from hotline.calls.models import Site

    site = Site.objects.get(name=DEMO_TRAINING_SITE_NAME)
    assert site.is_training
    assert list(site.members.values_list("username", flat=True)) == ["operator"]


def test_a_purge_deletes_old_training_calls_without_counting_them(training_site, referred):
    from hotline.calls.services import purge_closed_calls

    practice_call(training_site, referred, date(2020, 3, 4))
    assert purge_closed_calls(date(2021, 1, 4)) == 1
    assert not Call.objects.exists()
    assert not CallStat.objects.exists()
