"""Every consumer learns of closures: a partner syncing with HSDS ``modified_after`` (or
the public list's ``changed_since``) gets the services that left the public set as
minimal inactive records, so a mirror stays equal to the public directory through
create, edit, unpublish, republish, close, reopen and delete (docs/hsds-profile.md,
"Closures"). Runs on SQLite and PostgreSQL alike."""

import io
import json
import time
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from services_directory.hsds.schema import page_errors, schema_errors
from services_directory.models import Location, Municipality, Service, ServiceDeparture
from tests.factories import BODO, add_location, add_phone, make_service

HSDS_SERVICES = reverse("api:public_hsds_services")
PUBLIC_SERVICES = reverse("api:public_services")


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PUBLIC_API_RATE_LIMIT = 100_000
    settings.SIMPLE_HISTORY_ENABLED = False
    yield
    cache.clear()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Mirror:
    """A partner's copy, kept by syncing: the first time everything, then only what
    changed at or after the newest time it has seen (ties included), page by page."""

    def __init__(self, client, url: str, since: str, **params):
        self.client, self.url, self.since, self.params = client, url, since, params
        self.records: dict[str, dict] = {}
        self.cursor: str | None = None

    def _pages(self):
        page = 1
        while True:
            params = self.params | {"page": page}
            if self.cursor:
                params[self.since] = self.cursor
            response = self.client.get(self.url, params)
            assert response.status_code == 200, response.content
            body = response.json()
            yield body
            if body.get("last_page", body.get("next") is None):
                return
            page += 1

    def sync(self) -> list[dict]:
        seen = []
        for body in self._pages():
            seen += body.get("contents", body.get("results"))
        for record in seen:
            key, moment = self.identify(record)
            if record["status"] == "inactive":
                self.records.pop(key, None)
            else:
                self.records[key] = record
            if self.cursor is None or _moment(moment) > _moment(self.cursor):
                self.cursor = moment
        return seen

    def identify(self, record: dict) -> tuple[str, str]:
        if "hsds_id" in record:  # the public list
            return record["hsds_id"], record["updated_at"]
        return record["id"], record["last_modified"]


def public_ids() -> set[str]:
    return {str(uuid) for uuid in Service.objects.public().values_list("uuid", flat=True)}


def everything(client, url: str, **params) -> dict[str, dict]:
    """The whole public set as the API gives it to a newcomer."""
    fresh = Mirror(client, url, "unused", **params)
    fresh.sync()
    return fresh.records


def steps(client):
    """Each change a service goes through, one at a time (a generator: the test checks
    the mirror between them)."""
    service = make_service("Nytt senter", municipalities=[BODO])
    add_location(service, BODO)
    add_phone(service, "75 55 55 55")
    yield "create"
    service.description = "Ny beskrivelse"
    service.save()
    yield "edit"
    service.is_published = False
    service.save()
    yield "unpublish"
    service.description = "Endret mens det var avpublisert"
    service.save()
    yield "edit while unpublished"
    service.is_published = True
    service.save()
    yield "republish"
    service.status = Service.Status.TEMPORARILY_CLOSED
    service.save()
    yield "close"
    service.status = Service.Status.ACTIVE
    service.save()
    yield "reopen"
    Service.objects.filter(pk=service.pk).update(status=Service.Status.INACTIVE)
    yield "close in bulk"
    Service.objects.filter(pk=service.pk).update(status=Service.Status.ACTIVE)
    yield "reopen in bulk"
    service.refresh_from_db()
    service.delete()
    yield "delete"
    draft = make_service("Utkast", is_published=False)
    draft.delete()
    yield "a draft comes and goes"


@pytest.fixture
def directory(db):
    national = make_service("Nasjonal linje", covers_whole_country=True)
    add_phone(national, "800 57 000")
    shelter = make_service("Skjult", municipalities=[BODO])
    Location.objects.create(
        service=shelter, municipality=Municipality.objects.get(number=BODO), is_confidential=True
    )
    make_service("Utkast fra før", is_published=False)
    return {"national": national, "shelter": shelter}


@pytest.mark.parametrize(
    "params",
    [{}, {"full": "false"}, {"minimal": "true"}, {"per_page": "1"}],
    ids=["full", "list", "minimal", "one-per-page"],
)
def test_an_hsds_mirror_equals_the_public_set_after_every_step(client, directory, params):
    mirror = Mirror(client, HSDS_SERVICES, "modified_after", **params)
    mirror.sync()
    for step in steps(client):
        mirror.sync()
        assert set(mirror.records) == public_ids(), step
        assert mirror.records == everything(client, HSDS_SERVICES, **params), step
        # Syncing again at once changes nothing (the newest records come again: ties).
        mirror.sync()
        assert set(mirror.records) == public_ids(), step


def test_a_public_list_mirror_equals_the_public_set_after_every_step(client, directory):
    mirror = Mirror(client, PUBLIC_SERVICES, "changed_since", page_size="2")
    mirror.sync()
    for step in steps(client):
        mirror.sync()
        assert set(mirror.records) == public_ids(), step
        fresh = everything(client, PUBLIC_SERVICES)
        assert {k: r["updated_at"] for k, r in mirror.records.items()} == {
            k: r["updated_at"] for k, r in fresh.items()
        }, step


def test_an_ndjson_mirror_equals_the_public_set_after_every_step(client, directory):
    records: dict[str, dict] = {}
    cursor = None
    for step in ("start", *steps(client)):
        response = client.get(
            HSDS_SERVICES, {"format": "ndjson"} | ({"modified_after": cursor} if cursor else {})
        )
        assert response["Content-Type"] == "application/x-ndjson"
        for line in b"".join(response.streaming_content).decode().splitlines():
            record = json.loads(line)
            if record["status"] == "inactive":
                records.pop(record["id"], None)
            else:
                records[record["id"]] = record
            if cursor is None or _moment(record["last_modified"]) > _moment(cursor):
                cursor = record["last_modified"]
        assert set(records) == public_ids(), step


def test_a_departure_is_id_status_and_time_only_and_valid_hsds(client, directory):
    before = timezone.now() - timedelta(seconds=1)
    shelter = directory["shelter"]
    uuid = str(shelter.uuid)
    shelter.delete()
    page = client.get(HSDS_SERVICES, {"modified_after": before.isoformat()}).json()
    (record,) = [entry for entry in page["contents"] if entry["id"] == uuid]
    assert set(record) == {"id", "name", "status", "last_modified"}
    assert (record["name"], record["status"]) == ("", "inactive")
    assert _moment(record["last_modified"]) >= before
    assert schema_errors(record, "service") == []
    assert page_errors(page, "service_list") == []
    native = client.get(PUBLIC_SERVICES, {"changed_since": before.isoformat()}).json()
    (gone,) = [entry for entry in native["results"] if entry["hsds_id"] == uuid]
    assert set(gone) == {"id", "hsds_id", "status", "updated_at"}
    assert gone["status"] == "inactive"


def test_nothing_confidential_reaches_a_departure(client, directory):
    """A shelter's confidential address is never in a record, and moving it (or any
    other edit of something not public) writes no departure and moves none."""
    shelter = directory["shelter"]
    secret = shelter.locations.get()
    secret.address = "Hemmelig vei 1"
    secret.save()
    assert not ServiceDeparture.objects.exists()
    shelter.is_published = False
    shelter.save()
    departed = ServiceDeparture.objects.get()
    secret.address = "Hemmelig vei 2"
    secret.latitude, secret.longitude = 67.28, 14.40
    secret.save()
    shelter.operator_note = "Ny adresse"
    shelter.save()
    assert ServiceDeparture.objects.get().departed_at == departed.departed_at
    body = client.get(HSDS_SERVICES, {"modified_after": "2000-01-01T00:00:00Z"}).content
    native = client.get(PUBLIC_SERVICES, {"changed_since": "2000-01-01T00:00:00Z"}).content
    for text in (body, native):
        assert b"Hemmelig" not in text and b"Ny adresse" not in text
        assert b"67.28" not in text and b"Skjult" not in text


def test_a_service_never_public_leaves_no_trace(client, db):
    draft = make_service("Hemmelig utkast", is_published=False)
    draft.status = Service.Status.TEMPORARILY_CLOSED
    draft.save()
    draft.delete()
    closed = make_service("Stengt", status=Service.Status.INACTIVE)
    closed.is_published = False
    closed.save()
    assert not ServiceDeparture.objects.exists()
    page = client.get(HSDS_SERVICES, {"modified_after": "2000-01-01T00:00:00Z"}).json()
    assert page["contents"] == []


def test_coming_back_is_active_with_a_newer_last_modified(client, directory):
    national = directory["national"]
    start = timezone.now() - timedelta(seconds=1)
    national.is_published = False
    national.save()
    departed = ServiceDeparture.objects.get().departed_at
    national.is_published = True
    national.save()
    page = client.get(HSDS_SERVICES, {"modified_after": start.isoformat()}).json()
    (record,) = [entry for entry in page["contents"] if entry["id"] == str(national.uuid)]
    assert record["status"] == "active"
    assert _moment(record["last_modified"]) >= departed.replace(
        microsecond=departed.microsecond // 1000 * 1000
    )
    national.refresh_from_db()
    assert national.public_updated_at > departed


def test_the_validators_move_when_a_service_leaves(client, directory):
    """A client polling with only If-Modified-Since, or holding a kept page, never gets
    the old answer after a departure."""
    first = client.get(HSDS_SERVICES)
    assert first.status_code == 200
    names = [entry["name"] for entry in first.json()["contents"]]
    assert "Skjult" in names
    # HTTP dates have whole seconds, and the database's clock (which stamps) cannot be
    # moved from here: leave the second of the newest stamp first.
    time.sleep(1.01)
    Service.objects.filter(pk=directory["shelter"].pk).update(is_published=False)
    for headers in (
        {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]},
        {"HTTP_IF_NONE_MATCH": first["ETag"]},
    ):
        again = client.get(HSDS_SERVICES, **headers)
        assert again.status_code == 200
        assert "Skjult" not in [entry["name"] for entry in again.json()["contents"]]
    public = client.get(PUBLIC_SERVICES, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert public.status_code == 200


def test_departures_are_kept_two_years_then_purged(db):
    now = timezone.now()
    for days, uuid in ((2 * 365, "a"), (2 * 366 + 1, "b")):
        ServiceDeparture.objects.create(
            service_uuid=f"00000000-0000-0000-0000-00000000000{uuid}",
            service_pk=1,
            departed_at=now - timedelta(days=days),
        )
    out = io.StringIO()
    call_command("purge_service_departures", stdout=out)
    assert "Deleted 1 " in out.getvalue()
    assert [str(d.service_uuid)[-1] for d in ServiceDeparture.objects.all()] == ["a"]


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-01-01T00:00", "2026-02-30T00:00:00Z", "١٢", ""]
)
def test_a_bad_changed_since_is_a_400_naming_it(client, db, value):
    response = client.get(PUBLIC_SERVICES, {"changed_since": value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["changed_since"]


def test_changed_since_is_not_an_hsds_parameter(client, db):
    response = client.get(HSDS_SERVICES, {"changed_since": "2026-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["changed_since"]
