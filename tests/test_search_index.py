"""The search index is never stale: every write to a table it reads, whoever makes it,
is logged or stamps a token, and the next search sees it. A change to one service
reloads that service alone; a change to the vocabularies or the geography rebuilds.
Writes that the cards read fresh (free places, error reports) and call records cost
neither."""

import marshal
import random
from datetime import UTC, datetime, time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotline.accounts.roles import Role
from hotline.calls.models import Call
from services_directory import search_index, triggers
from services_directory.models import (
    ContactChannel,
    County,
    ErrorReport,
    Location,
    Municipality,
    OpeningHours,
    Organization,
    Service,
    ServiceChange,
    ShelterCapacity,
    Topic,
)
from services_directory.models.index_state import (
    DIRECTORY,
    FEEDBACK,
    GUIDE,
    KEEP_CHANGES,
    PRUNE_EVERY,
    current_state,
)
from tests.factories import add_location, make_service, make_site, make_user

URL = reverse("api:search")
MONDAY_NOON = datetime(2027, 3, 1, 11, 0, tzinfo=UTC)


def names(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [hit["name"] for hit in response.json()["results"]]


def logged_since(position: int) -> list[int]:
    return list(
        ServiceChange.objects.filter(id__gt=position)
        .order_by("id")
        .values_list("service_id", flat=True)
    )


@pytest.fixture
def bodo(db):
    service = make_service("Krisesenteret i Bodø", topics=["voldtekt"], municipalities=["1804"])
    add_location(service, "1804")
    return service


# --- The triggers ----------------------------------------------------------------------


def test_every_watched_table_has_its_triggers(db):
    watched = triggers.watched_tables()
    assert triggers.installed_on(connection) == watched
    assert watched[Service._meta.db_table] == "log"
    assert watched[Service.topics.through._meta.db_table] == "log"
    assert watched[Topic._meta.db_table] == f"token {DIRECTORY}"
    assert watched[ErrorReport._meta.db_table] == f"token {FEEDBACK}"
    assert watched[Organization._meta.db_table] == "names"
    assert watched["guide_article"] == watched["guide_article_audiences"] == f"token {GUIDE}"


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
            lambda s: Organization.objects.filter(pk=s.organization_id).update(name="Ny org"),
            id="organisation",
        ),
    ],
)
def test_a_write_to_a_service_logs_that_service(bodo, write):
    before = current_state()
    write(bodo)
    after = current_state()
    assert set(logged_since(before.newest_change)) == {bodo.pk}
    assert after.directory == before.directory


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda: Topic.objects.filter(code="voldtekt").update(label_nb="Voldtekt!"),
            id="vocabulary",
        ),
        pytest.param(
            lambda: Municipality.objects.filter(number="1804").update(latitude=67.0),
            id="geography",
        ),
    ],
)
def test_a_write_to_what_every_service_refers_to_changes_the_token(bodo, write):
    before = current_state().directory
    write()
    assert current_state().directory != before


def test_a_service_moved_to_another_logs_both(bodo):
    other = make_service("Annen")
    location = bodo.locations.get()
    before = current_state().newest_change
    Location.objects.filter(pk=location.pk).update(service=other)
    assert set(logged_since(before)) == {bodo.pk, other.pk}


def test_verifying_an_entry_logs_nothing(bodo, editor):
    before = current_state()
    bodo.mark_verified(editor)
    assert current_state() == before
    bodo.name = "Krisesenteret i Bodø og Salten"
    bodo.save()  # a real edit, saving every column
    assert logged_since(before.newest_change) == [bodo.pk]


def test_raw_sql_is_logged_too(bodo):
    before = current_state().newest_change
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Service._meta.db_table} SET operator_note = 'x' WHERE id = %s",  # noqa: S608
            [bodo.pk],
        )
    assert logged_since(before) == [bodo.pk]


def test_free_places_error_reports_and_calls_leave_the_directory_alone(bodo):
    before = current_state()
    ShelterCapacity.report(bodo, status="full")
    assert current_state().feedback != before.feedback
    feedback = current_state().feedback
    ErrorReport.objects.create(service=bodo, kind=ErrorReport.Kind.PHONE)
    assert current_state().feedback != feedback
    feedback = current_state().feedback
    Call.start(make_user(Role.OPERATOR), make_site())
    after = current_state()
    assert (after.directory, after.newest_change) == (before.directory, before.newest_change)
    assert after.feedback == feedback


def test_the_log_keeps_its_newest_entries_only(db):
    ServiceChange.objects.create(id=5, service_id=1, stamp=1)
    kept = KEEP_CHANGES + 10 * PRUNE_EVERY - 1
    ServiceChange.objects.create(id=kept, service_id=1, stamp=1)
    assert ServiceChange.objects.filter(id=5).exists()  # no pruning until a round id
    ServiceChange.objects.create(id=kept + 1, service_id=1, stamp=1)
    assert not ServiceChange.objects.filter(id=5).exists()
    assert ServiceChange.objects.filter(id=kept).exists()


# --- The index follows -----------------------------------------------------------------


def test_a_change_to_one_service_reloads_it_alone(operator_client, bodo):
    assert names(operator_client, municipality="1804") == ["Krisesenteret i Bodø"]
    index = search_index.current_index()

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
    Organization.objects.filter(pk=bodo.organization_id).update(name="Salten interkommunale")
    assert names(operator_client, q="salten") == ["Krisesenteret i Bodø"]
    assert search_index.current_index() is index  # never rebuilt


def test_a_change_to_the_vocabulary_rebuilds(operator_client, bodo):
    index = search_index.current_index()
    Topic.objects.filter(code="voldtekt").update(is_active=False)
    response = operator_client.get(URL, {"topic": "voldtekt"})
    assert response.status_code == 400  # no longer a known code
    assert search_index.current_index() is not index


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


def test_a_rolled_back_change_is_forgotten(operator_client, bodo):
    names(operator_client, municipality="1804")
    with transaction.atomic():
        Service.objects.filter(pk=bodo.pk).update(name="Rullet tilbake")
        assert names(operator_client, municipality="1804") == ["Rullet tilbake"]
        transaction.set_rollback(True)
    # SQLite hands out the rolled-back log id again: the stamp tells the two apart.
    Service.objects.filter(pk=bodo.pk).update(min_age=18)
    assert names(operator_client, municipality="1804") == ["Krisesenteret i Bodø"]
    assert names(operator_client, municipality="1804", age=16) == []


def test_a_pruned_log_rebuilds_rather_than_misses_a_change(operator_client, bodo):
    index = search_index.current_index()
    Service.objects.filter(pk=bodo.pk).update(name="Endret")
    ServiceChange.objects.all().delete()  # as pruning would, past what the index saw
    Service.objects.filter(pk=bodo.pk).update(min_age=18)
    assert names(operator_client, municipality="1804") == ["Endret"]
    assert search_index.current_index() is not index


def test_a_search_makes_a_fixed_few_queries_and_none_twice(operator_client, bodo):
    for n in range(5):
        make_service(f"Støttesenter {n}", covers_whole_country=True)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            names(operator_client, municipality="1804", topic="voldtekt")
        return [query["sql"] for query in captured.captured_queries]

    queries()  # builds the index
    warm = queries()
    # session, user, roles, the index's state, then the page's cards (service, channels,
    # locations) and, on SQLite, no connection check
    assert len(warm) <= 8
    assert len(set(warm)) == len(warm)
    for n in range(5, 25):
        make_service(f"Støttesenter {n}", covers_whole_country=True, topics=["voldtekt"])
    queries()  # reloads the new services
    assert len(queries()) == len(warm)


def test_a_reload_after_an_edit_asks_only_for_the_state_and_the_service(bodo):
    search_index.current_index()
    Service.objects.filter(pk=bodo.pk).update(name="Endret")
    with CaptureQueriesContext(connection) as captured:
        index = search_index.current_index()
    assert index.entries[bodo.pk].name == "Endret"
    # The state read brings the log's new rows along; the service's reads follow, sent
    # together (on PostgreSQL in one round trip).
    reads = len(search_index._READS) + 1  # and the many-to-many relations
    assert len(captured.captured_queries) == 1 + reads
    log = ServiceChange._meta.db_table
    assert sum(log in query["sql"] for query in captured.captured_queries) == 1


def test_more_changes_than_the_state_brings_are_read_from_the_log(bodo, monkeypatch):
    from services_directory.models import index_state

    monkeypatch.setattr(index_state, "FOLLOWING", 2)
    index = search_index.current_index()
    others = [make_service(f"Ny {n}", municipalities=["1804"]) for n in range(4)]
    Service.objects.filter(pk=bodo.pk).update(name="Endret")
    assert len(current_state(index.position).following) == 2  # cut off
    assert search_index.current_index() is index  # reloaded, not rebuilt
    assert index.entries[bodo.pk].name == "Endret"
    assert {other.pk for other in others} <= index.entries.keys()


def test_the_state_brings_the_log_rows_after_a_position(bodo):
    start = current_state().newest_change
    Service.objects.filter(pk=bodo.pk).update(name="En")
    other = make_service("Annen")
    state = current_state(following_from=start)
    assert state.following_from == start
    assert [row[0] for row in state.following] == sorted(row[0] for row in state.following)
    assert state.following[-1][0] == state.newest_change
    assert {row[2] for row in state.following[1:]} == {bodo.pk, other.pk}
    assert current_state().following == ()  # not asked for


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


# --- Reloading equals rebuilding -------------------------------------------------------


def _snapshot(index: search_index.SearchIndex) -> dict:
    """Everything a search reads, in comparable form."""

    def card(entry) -> tuple:
        # Decoded: marshal's bytes for equal values depend on which strings are shared.
        *service, channels, locations = marshal.loads(entry.card)  # noqa: S302
        return *service, marshal.loads(channels), marshal.loads(locations)  # noqa: S302

    def walk(walk) -> list:
        # Sorted by latitude; the order among equal latitudes changes nothing found.
        assert walk.latitudes == [item[0] for item in walk.items] == sorted(walk.latitudes)
        return sorted((item[0], item[2].pk, item[1]) for item in walk.items)

    return {
        "entries": {
            pk: (e.name, e.active, e.national, e.min_age, e.max_age, e.has_phone,
                 e.schedule, e.points, e.public_points, e.municipalities, e.counties, e.words,
                 {relation: [t.pk for t in terms] for relation, terms in e.terms.items()},
                 card(e))
            for pk, e in index.entries.items()
        },
        "by_term": {key: ids for key, ids in index.by_term.items() if ids},
        "by_municipality": {key: ids for key, ids in index.by_municipality.items() if ids},
        "by_county": {key: ids for key, ids in index.by_county.items() if ids},
        "national": index.national,
        "all": walk(index._all),
        "walks": {key: walk(w) for key, w in index._walks.items() if w.items},
        "unlocated": [e.pk for e in index._unlocated],
        "national_by_name": [e.pk for e in index._national_by_name],
        "others_by_name": [e.pk for e in index._others_by_name],
        "groups": {
            m: [[e.pk for e in group] for group in groups]
            for m, groups in index._groups.items()
        },
        "words": {word: set(ids) for word, ids in index._name_words.items()},
        # Kept in place by reloads: each word once, whatever came and went.
        "vocabulary": sorted(index._vocabulary),
    }  # fmt: skip


def test_reloading_changed_services_equals_a_rebuild(db):
    rng = random.Random(11)
    municipalities = list(Municipality.objects.filter(number__in=["0301", "1804", "5501", "4601"]))
    county = County.objects.get(number="18")
    services = [make_service(f"Tjeneste {n}", topics=["voldtekt"]) for n in range(12)]
    index = search_index.current_index()
    edits = [
        lambda s: s.coverage_municipalities.add(rng.choice(municipalities)),
        lambda s: s.coverage_counties.add(county),
        lambda s: Service.objects.filter(pk=s.pk).update(covers_whole_country=True),
        lambda s: Service.objects.filter(pk=s.pk).update(name=f"Omdøpt {rng.random():.3f}"),
        lambda s: Service.objects.filter(pk=s.pk).update(is_published=rng.random() < 0.5),
        lambda s: Service.objects.filter(pk=s.pk).update(status="temporarily_closed"),
        lambda s: s.topics.set(Topic.objects.filter(code="incest")),
        lambda s: add_location(s, rng.choice(municipalities).number),
        lambda s: s.locations.all().delete(),
        lambda s: Location.objects.filter(service=s).update(is_confidential=True),
        lambda s: OpeningHours.objects.create(service=s, weekday=1, opens=time(9), closes=time(15)),
        lambda s: ContactChannel.objects.create(service=s, kind="phone", value="+4722222222"),
        lambda s: s.delete(),
    ]  # fmt: skip
    for _ in range(60):
        service = rng.choice(services)
        if Service.objects.filter(pk=service.pk).exists():
            rng.choice(edits)(service)
        if rng.random() < 0.3:
            assert search_index.current_index() is index  # reloaded in place
    assert search_index.current_index() is index
    assert _snapshot(index) == _snapshot(search_index.SearchIndex.build(current_state()))
