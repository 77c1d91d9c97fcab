"""Renaming what services refer to (a vocabulary term, a language, a municipality, a
county) changes what the public API shows of those services, so it moves what a portal
polls: every list's ETag and Last-Modified, and HSDS ``modified_after`` then brings the
services that show the new name, and only them. A write that changes nothing public (the
same values, a staff-only column, a term nobody public uses) moves nothing."""

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Max
from django.urls import reverse
from django.utils.http import parse_http_date

from services_directory import triggers
from services_directory.models import (
    County,
    Language,
    Municipality,
    Service,
    ServiceType,
    TargetGroup,
    Topic,
)
from tests.factories import BODO, NARVIK, OSLO, add_location, make_service

ALSTAHAUG = "1820"  # in Nordland, with only a shelter's confidential address

SERVICES = reverse("api:public_services")
HSDS_SERVICES = reverse("api:public_hsds_services")
HSDS_LOCATIONS = reverse("api:public_hsds_service_at_locations")
HSDS_ORGANIZATIONS = reverse("api:public_hsds_organizations")
# Every public list, asked so that its body holds whole services (the native list gives
# the codes of terms, HSDS their labels too).
LISTS = {
    SERVICES: {},
    HSDS_SERVICES: {},
    HSDS_LOCATIONS: {"full": "true"},
    HSDS_ORGANIZATIONS: {"full_service": "true"},
}
# The native list's validators also change every minute ("open now"): every request is
# asked at one moment, older than any stamp, so that only the data moves them.
ASKED_AT = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PUBLIC_API_RATE_LIMIT = 100_000
    settings.SIMPLE_HISTORY_ENABLED = False


@pytest.fixture
def directory(db):
    rape = make_service(
        "Overgrepsmottaket i Bodø", topics=["voldtekt"], groups=["kvinner"], municipalities=[BODO]
    )
    add_location(rape, BODO)
    rape.languages.set(Language.objects.filter(code="en"))
    # Whole country, with its office in Bodø (in Nordland).
    national = make_service("Nasjonal linje", topics=["incest"], covers_whole_country=True)
    add_location(national, BODO)
    county = make_service("Fylkestjenesten", topics=["incest"])
    county.coverage_counties.set(County.objects.filter(name="Nordland"))
    # Covers Narvik (in Nordland) but shows no county: HSDS areas name municipalities.
    narvik = make_service("Narvik-linja", topics=["incest"], municipalities=[NARVIK])
    oslo = make_service("Incestsenteret i Oslo", topics=["incest"], municipalities=[OSLO])
    add_location(oslo, OSLO)
    # A shelter in Bodø whose only address there is confidential: not even its
    # municipality is public.
    shelter = make_service("Skjult", topics=["incest"], municipalities=[OSLO])
    add_location(shelter, BODO, confidential=True)
    add_location(shelter, ALSTAHAUG, confidential=True)
    # A draft uses every term and place the others use, and one no public service does.
    draft = make_service(
        "Utkast",
        topics=["voldtekt", "menneskehandel"],
        groups=["kvinner"],
        municipalities=[BODO],
        is_published=False,
    )
    add_location(draft, BODO)
    draft.coverage_counties.set(County.objects.filter(name="Nordland"))
    return {
        "rape": rape,
        "national": national,
        "county": county,
        "narvik": narvik,
        "oslo": oslo,
        "shelter": shelter,
        "draft": draft,
    }


def ask(client, url: str, headers: dict[str, str] | None = None):
    with time_machine.travel(ASKED_AT, tick=False):
        response = client.get(url, LISTS[url], headers=headers or {})
    assert response.status_code in (200, 304), response.content
    return response


def text(response) -> str:
    """The body as its reader sees it (the JSON escapes ø)."""
    return json.dumps(response.json(), ensure_ascii=False)


def etags(client) -> dict[str, str]:
    return {url: ask(client, url)["ETag"] for url in LISTS}


def newest_stamp() -> datetime:
    return Service.objects.aggregate(newest=Max("public_updated_at"))["newest"]


def changed_after(client, moment: datetime) -> set[str]:
    """The public services a sync from ``moment`` brings, by HSDS and by the native list
    (both must agree)."""
    hsds = client.get(HSDS_SERVICES, {"modified_after": moment.isoformat()}).json()
    native = client.get(SERVICES, {"changed_since": moment.isoformat()}).json()
    names = {entry["name"] for entry in hsds["contents"]}
    assert names == {entry["name"]["nb"] for entry in native["results"]}
    return names


def cutoff() -> datetime:
    """A moment after every stamp so far, and before the next write's."""
    moment = newest_stamp() + timedelta(milliseconds=1)
    time.sleep(0.01)  # SQLite stamps in milliseconds
    return moment


class Rename:
    def __init__(self, write: Callable[[], object], shown: str, services: set[str], native=True):
        self.write = write
        self.shown = shown  # the new text, in every list that shows it
        self.services = services  # the public services whose output it changes
        self.native = native  # whether the native list shows it (it gives terms' codes only)


RENAMES = {
    "topic": Rename(
        lambda: Topic.objects.filter(code="voldtekt").update(
            label_nb="Voldtekt XYZ", label_en="Rape XYZ"
        ),
        "Voldtekt XYZ",
        {"Overgrepsmottaket i Bodø"},
        native=False,
    ),
    "topic-code": Rename(
        lambda: Topic.objects.filter(code="voldtekt").update(code="voldtekt-xyz"),
        "voldtekt-xyz",
        {"Overgrepsmottaket i Bodø"},
    ),
    "target-group": Rename(
        lambda: TargetGroup.objects.filter(code="kvinner").update(label_nb="Kvinner XYZ"),
        "Kvinner XYZ",
        {"Overgrepsmottaket i Bodø"},
        native=False,
    ),
    "language": Rename(
        lambda: Language.objects.filter(code="en").update(name_nb="engelsk XYZ"),
        "engelsk XYZ",
        {"Overgrepsmottaket i Bodø"},
        native=False,
    ),
    # Covered by one, a public office of another; a confidential address shows nothing.
    "municipality": Rename(
        lambda: Municipality.objects.filter(number=BODO).update(name="Bodø XYZ"),
        "Bodø XYZ",
        {"Overgrepsmottaket i Bodø", "Nasjonal linje"},
    ),
    # Covered by one; the county of the others' public offices.
    "county": Rename(
        lambda: County.objects.filter(name="Nordland").update(name="Nordland XYZ"),
        "Nordland XYZ",
        {"Overgrepsmottaket i Bodø", "Nasjonal linje", "Fylkestjenesten"},
    ),
}


@pytest.mark.parametrize("url", LISTS)
def test_a_renamed_topic_gets_a_new_etag_on_every_list(client, directory, url):
    old = ask(client, url)
    assert "Voldtekt XYZ" not in text(old)
    Topic.objects.filter(code="voldtekt").update(label_nb="Voldtekt XYZ", label_en="Rape XYZ")
    again = ask(client, url, headers={"If-None-Match": old["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != old["ETag"]
    if url != SERVICES:  # the native list gives terms by code
        assert "Voldtekt XYZ" in text(again)
        assert "Rape XYZ" in text(again)


@pytest.mark.parametrize("rename", RENAMES.values(), ids=RENAMES)
def test_a_rename_moves_every_list_and_brings_its_services(client, directory, rename):
    before = etags(client)
    since = cutoff()
    rename.write()
    for url, etag in before.items():
        again = ask(client, url, headers={"If-None-Match": etag})
        assert again.status_code == 200, url
        if rename.native or url != SERVICES:
            assert rename.shown in text(again), url
    assert changed_after(client, since) == rename.services


def test_a_rename_moves_last_modified(client, directory):
    before = {url: ask(client, url)["Last-Modified"] for url in LISTS}
    # HTTP dates have whole seconds, and the database's clock (which stamps) cannot be
    # moved from here: leave the second of the newest stamp first.
    time.sleep(1.01)
    Topic.objects.filter(code="voldtekt").update(label_nb="Voldtekt XYZ")
    for url, last_modified in before.items():
        again = ask(client, url, headers={"If-Modified-Since": last_modified})
        assert again.status_code == 200, url
        assert parse_http_date(again["Last-Modified"]) > parse_http_date(last_modified)


def test_deleting_a_term_in_use_moves_the_lists(client, directory):
    term = Topic.objects.create(code="ny-term", label_nb="Ny term XYZ")
    directory["oslo"].topics.add(term)
    before = etags(client)
    since = cutoff()
    term.delete()
    for url, etag in before.items():
        again = ask(client, url, headers={"If-None-Match": etag})
        assert again.status_code == 200, url
        assert "Ny term XYZ" not in text(again)
    assert changed_after(client, since) == {"Incestsenteret i Oslo"}


def test_a_new_position_reorders_the_native_list_and_moves_it(client, directory):
    both = make_service("To temaer", topics=["voldtekt", "incest"])
    positions = {term.code: term.position for term in both.topics.all()}
    assert positions["incest"] > positions["voldtekt"]

    def topics() -> list[str]:
        results = ask(client, SERVICES).json()["results"]
        return next(entry["topics"] for entry in results if entry["name"]["nb"] == "To temaer")

    assert topics() == ["voldtekt", "incest"]
    etag = ask(client, SERVICES)["ETag"]
    since = cutoff()
    Topic.objects.filter(code="voldtekt").update(position=positions["incest"] + 1)
    assert ask(client, SERVICES, headers={"If-None-Match": etag}).status_code == 200
    assert topics() == ["incest", "voldtekt"]
    assert "To temaer" in changed_after(client, since)


def save_each(rows) -> None:
    """Save every row as the admin would: each column written back as it was."""
    for row in rows:
        row.save()


UNCHANGED = {
    "same-label": lambda: Topic.objects.filter(code="voldtekt").update(label_nb="Voldtekt"),
    # modeltranslation leaves a label it has no text for NULL; the admin saves it as "".
    "null-to-empty": lambda: Topic.objects.filter(code="voldtekt").update(label_se=""),
    "whole-save": lambda: save_each(Topic.objects.all()),
    "guidance": lambda: Topic.objects.filter(code="voldtekt").update(
        guidance_nb="Spør om politianmeldelse."
    ),
    "review-interval": lambda: ServiceType.objects.update(review_interval_months=12),
    "same-municipality": lambda: save_each(Municipality.objects.filter(number=BODO)),
    "municipality-population": lambda: Municipality.objects.filter(number=BODO).update(
        population=1
    ),
    "same-county": lambda: County.objects.filter(name="Nordland").update(name="Nordland"),
    "unused-topic": lambda: Topic.objects.filter(code="digital-vold").update(
        label_nb="Digital vold XYZ"
    ),
    # Only a draft uses it: no public output shows it.
    "draft-only-topic": lambda: Topic.objects.filter(code="menneskehandel").update(
        label_nb="Menneskehandel XYZ"
    ),
    # Only a confidential address lies there.
    "confidential-only-place": lambda: Municipality.objects.filter(number=ALSTAHAUG).update(
        name="Alstahaug XYZ"
    ),
}


@pytest.mark.parametrize("write", UNCHANGED.values(), ids=UNCHANGED)
def test_a_write_that_changes_nothing_public_moves_nothing(client, directory, write):
    before = etags(client)
    since = cutoff()
    write()
    assert all(
        ask(client, url, headers={"If-None-Match": etag}).status_code == 304
        for url, etag in before.items()
    )
    assert changed_after(client, since) == set()


def test_a_rename_does_not_make_a_draft_look_changed(client, directory):
    since = cutoff()
    Topic.objects.filter(code="menneskehandel").update(label_nb="Menneskehandel XYZ")
    assert changed_after(client, since) == set()
    for url in LISTS:
        assert "Menneskehandel XYZ" not in text(ask(client, url))
    hsds_id = str(directory["draft"].uuid)
    assert client.get(reverse("api:public_hsds_service", kwargs={"id": hsds_id})).status_code == 404


def test_every_table_services_refer_to_has_its_public_trigger(db):
    watched = triggers.public_tables()
    assert triggers.public_installed_on(connection) == watched
    for model in (Topic, TargetGroup, ServiceType, Language, County, Municipality):
        assert watched[model._meta.db_table] == {"UPDATE"}
    triggers.install(connection)
    triggers.install(connection)
    assert triggers.public_installed_on(connection) == watched
