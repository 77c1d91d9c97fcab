"""The desk's in-memory search index is never stale: every write to a directory table,
whoever makes it, changes the token the index was built at, and the next search sees it.
Writes that the cards read fresh (free places, error reports) and call records do not
touch the token, so they never cost a rebuild."""

from datetime import UTC, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotline.accounts.roles import Role
from hotline.calls.models import Call
from services_directory import search_index, triggers
from services_directory.models import (
    ContactChannel,
    ErrorReport,
    Location,
    Municipality,
    OpeningHours,
    Service,
    ShelterCapacity,
    Topic,
)
from services_directory.models.changes import DIRECTORY, FEEDBACK, current_token
from tests.conftest import make_service, make_site, make_user

URL = reverse("api:search")
MONDAY_NOON = datetime(2027, 3, 1, 11, 0, tzinfo=UTC)


def names(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [hit["name"] for hit in response.json()["results"]]


@pytest.fixture
def bodo(db):
    service = make_service("Krisesenteret i Bodø", topics=["voldtekt"], municipalities=["1804"])
    municipality = Municipality.objects.get(number="1804")
    Location.objects.create(
        service=service,
        municipality=municipality,
        latitude=municipality.latitude,
        longitude=municipality.longitude,
    )
    return service


def test_every_watched_table_has_the_triggers(db):
    watched = triggers.watched_tables()
    assert triggers.installed_on(connection) == watched
    assert watched[Service._meta.db_table] == DIRECTORY
    assert watched[ErrorReport._meta.db_table] == FEEDBACK
    assert watched[ShelterCapacity._meta.db_table] == FEEDBACK


def test_installing_again_changes_nothing(db):
    triggers.install(connection)
    triggers.install(connection)
    assert triggers.installed_on(connection) == triggers.watched_tables()


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda s: Service.objects.filter(pk=s.pk).update(name="Nytt navn"), id="update"
        ),
        pytest.param(lambda s: s.topics.add(Topic.objects.get(code="incest")), id="m2m-add"),
        pytest.param(lambda s: s.coverage_municipalities.clear(), id="m2m-clear"),
        pytest.param(lambda s: s.locations.all().delete(), id="delete"),
        pytest.param(
            lambda s: OpeningHours.objects.create(
                service=s, weekday=0, opens=time(8), closes=time(16)
            ),
            id="insert",
        ),
        pytest.param(
            lambda s: Topic.objects.filter(code="voldtekt").update(label_nb="Voldtekt!"),
            id="vocabulary",
        ),
        pytest.param(
            lambda s: Municipality.objects.filter(number="1804").update(latitude=67.0),
            id="geography",
        ),
        pytest.param(
            lambda s: s.organization.__class__.objects.filter(pk=s.organization_id).update(
                name="Ny org"
            ),
            id="organisation",
        ),
    ],
)
def test_a_directory_write_changes_the_token(bodo, write):
    before = current_token()
    write(bodo)
    assert current_token() != before


def test_verifying_an_entry_costs_no_rebuild(bodo, editor):
    index = search_index.current_index()
    before = current_token()
    bodo.mark_verified(editor)
    assert current_token() == before
    assert search_index.current_index() is index
    bodo.name = "Krisesenteret i Bodø og Salten"
    bodo.save()  # a real edit, saving every column
    assert current_token() != before


def test_raw_sql_changes_the_token_too(bodo):
    before = current_token()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Service._meta.db_table} SET operator_note = 'x' WHERE id = %s",  # noqa: S608
            [bodo.pk],
        )
    assert current_token() != before


def test_free_places_error_reports_and_calls_leave_the_directory_alone(bodo):
    before, feedback = current_token(), current_token(FEEDBACK)
    ShelterCapacity.report(bodo, status="full")
    assert current_token(FEEDBACK) != feedback
    feedback = current_token(FEEDBACK)
    ErrorReport.objects.create(service=bodo, kind=ErrorReport.Kind.PHONE)
    assert current_token(FEEDBACK) != feedback
    feedback = current_token(FEEDBACK)
    Call.start(make_user(Role.OPERATOR), make_site())
    assert current_token() == before
    assert current_token(FEEDBACK) == feedback


def test_error_reports_and_free_places_show_at_once_without_a_rebuild(operator_client, bodo):
    bodo.reports_capacity = True
    bodo.save()
    names(operator_client, municipality="1804")
    index = search_index.current_index()

    report = ErrorReport.objects.create(service=bodo, kind=ErrorReport.Kind.PHONE)
    page = operator_client.get(reverse("desk:home"), {"where": "Bodø"}).text
    assert "hit__warning" in page
    ShelterCapacity.report(bodo, status="full")
    page = operator_client.get(reverse("desk:home"), {"where": "Bodø"}).text
    assert 'class="hit__capacity"' in page
    assert search_index.current_index() is index  # the same index, new feedback

    report.status = ErrorReport.Status.FIXED
    report.save()
    page = operator_client.get(reverse("desk:home"), {"where": "Bodø"}).text
    assert "hit__warning" not in page


def test_searches_see_every_change_at_once(operator_client, bodo):
    assert names(operator_client, municipality="1804") == ["Krisesenteret i Bodø"]
    search_index.current_index()  # built and current

    make_service("Overgrepsmottaket i Bodø", municipalities=["1804"])
    assert names(operator_client, municipality="1804") == [
        "Krisesenteret i Bodø",  # located, so it ranks before the one without a location
        "Overgrepsmottaket i Bodø",
    ]

    Service.objects.filter(pk=bodo.pk).update(is_published=False)
    assert names(operator_client, municipality="1804") == ["Overgrepsmottaket i Bodø"]

    Service.objects.filter(pk=bodo.pk).update(is_published=True)
    assert names(operator_client, municipality="1804", topic="voldtekt") == ["Krisesenteret i Bodø"]
    bodo.topics.clear()
    assert names(operator_client, municipality="1804", topic="voldtekt") == []


def test_new_hours_show_at_once(operator_client, bodo):
    at = "2027-03-01T12:00"
    assert names(operator_client, municipality="1804", open="1", at=at) == []
    OpeningHours.objects.create(service=bodo, weekday=0, opens=time(8), closes=time(16))
    assert names(operator_client, municipality="1804", open="1", at=at) == ["Krisesenteret i Bodø"]


def test_a_new_phone_number_shows_at_once(operator_client, bodo):
    ContactChannel.objects.create(service=bodo, kind="phone", value="+4775500000")
    response = operator_client.get(URL, {"municipality": "1804"})
    assert response.json()["results"][0]["phones"] == [{"number": "+4775500000", "description": ""}]
    ContactChannel.objects.filter(service=bodo).update(value="+4775511111")
    response = operator_client.get(URL, {"municipality": "1804"})
    assert response.json()["results"][0]["phones"][0]["number"] == "+4775511111"


def test_a_search_over_a_current_index_costs_a_fixed_few_queries(operator_client, bodo):
    for n in range(5):
        make_service(f"Støttesenter {n}", covers_whole_country=True)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            names(operator_client, municipality="1804", topic="voldtekt")
        return len(captured)

    queries()  # builds the index
    warm = queries()
    # session, user, roles, the tokens: the rest comes from memory
    assert warm <= 5
    for n in range(5, 25):
        make_service(f"Støttesenter {n}", covers_whole_country=True, topics=["voldtekt"])
    queries()
    assert queries() == warm


@pytest.mark.parametrize(
    "q, expected",
    [
        ("bodø", ["Krisesenteret i Bodø"]),
        ("krise", ["Krisesenteret i Bodø"]),  # part of a word
        ("KRISESENTERET", ["Krisesenteret i Bodø"]),
        ("krisesentret", ["Krisesenteret i Bodø"]),  # a typo
        ("krisesenteret org", ["Krisesenteret i Bodø"]),  # a word of the organisation
        ("krisesenteret oslo", []),  # every word must match
        ("overgrep", []),
    ],
)
def test_name_search(operator_client, bodo, q, expected):
    assert names(operator_client, q=q) == expected


def test_names_in_every_language_are_searched(operator_client, bodo):
    Service.objects.filter(pk=bodo.pk).update(name_en="Bodø crisis centre", name_se="Bodø")
    assert names(operator_client, q="crisis") == ["Krisesenteret i Bodø"]


def test_a_rolled_back_write_leaves_a_current_index(bodo):
    index = search_index.current_index()
    assert bodo.pk in index.entries
    assert search_index.current_index() is index  # nothing changed: the same index
