"""HSDS 3.0 import/export, Norwegian profile (services_directory.hsds, docs/hsds-profile.md)."""

import io
import json
from datetime import date, datetime, time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from services_directory.hours import OSLO
from services_directory.hsds.profile import service_readable_id
from services_directory.models import (
    ContactChannel,
    Location,
    Municipality,
    OpeningHours,
    Organization,
    Service,
)
from tests.factories import make_hsds_service, rich_directory, term, weekly

pytestmark = pytest.mark.django_db

LANGS = ("nb", "nn", "en", "se")


# --- Building input ------------------------------------------------------------------------


@pytest.fixture
def hsds_file(tmp_path):
    counter = iter(range(1000))

    def write(*services) -> str:
        path = tmp_path / f"hsds-{next(counter)}.json"
        path.write_text(json.dumps(list(services), ensure_ascii=False), encoding="utf-8")
        return str(path)

    return write


def run_import(path: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_hsds", path, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_errors(path: str) -> str:
    """Run an import that must fail; return what it printed."""
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hsds", path, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def export_text(tmp_path, name: str = "export.json") -> str:
    path = tmp_path / name
    call_command("export_hsds", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    return path.read_text(encoding="utf-8")


def hours_rows(service: Service, channel=None) -> list[tuple]:
    return sorted(
        (row.kind, row.weekday, row.valid_from, row.valid_to, row.opens, row.closes)
        for row in service.opening_hours.all()
        if row.channel_id == (channel.pk if channel else None)
    )


def codes(manager) -> list[str]:
    return sorted(item.code for item in manager.all())


# --- Import --------------------------------------------------------------------------------


def test_valid_file_imports_every_field(hsds_file):
    out, err = run_import(hsds_file(make_hsds_service()))
    assert "1 created, 0 updated" in out
    assert err == ""

    service = Service.objects.get(hsds_id="svc-1")
    assert service.name_nb == "Krisesenteret i Oslo"
    assert service.description_nb.startswith("Botilbud")
    assert service.status == Service.Status.ACTIVE
    assert service.is_published is True
    assert (service.min_age, service.max_age) == (18, None)
    assert service.free_of_charge is True
    assert service.holiday_policy == "normal"
    assert service.organization.hsds_id == "org-1"
    assert service.organization.organization_number == "974760673"

    assert codes(service.service_types) == ["krisesenter"]
    assert codes(service.topics) == ["vold-i-nare-relasjoner"]
    assert codes(service.target_groups) == ["kvinner"]
    assert codes(service.accessibility) == ["rullestol"]
    assert codes(service.languages) == ["en", "nb"]

    assert service.covers_whole_country is False
    assert [m.number for m in service.coverage_municipalities.all()] == ["0301"]
    assert [c.number for c in service.coverage_counties.all()] == ["46"]

    channels = [(c.kind, c.value, c.description_nb) for c in service.channels.all()]
    assert channels == [
        ("phone", "+4722334455", "Døgnåpen telefon"),
        ("sms", "+4791234567", ""),
        ("email", "post@krisesenter.example.no", ""),
        ("web", "https://krisesenter.example.no", ""),
    ]
    assert hours_rows(service) == [
        ("weekly", day, None, None, time(8), time(16)) for day in range(5)
    ]

    location = service.locations.get()
    assert (location.address, location.postcode) == ("Storgata 1", "0150")
    assert location.municipality.number == "0301"  # from the postcode
    assert location.is_confidential is False
    assert service.history.first().history_change_reason == "HSDS import"


def test_translations_status_and_flags(hsds_file):
    run_import(
        hsds_file(
            make_hsds_service(
                status="temporarily closed",
                fees_description="200 kr per time",
                x_anonymous_contact=True,
                x_police_report_required=True,
                x_translations={
                    "nn": {"name": "Krisesenteret i Oslo (nn)"},
                    "en": {"name": "Oslo Crisis Centre", "description": "Shelter."},
                },
            ),
            make_hsds_service(id="svc-2", status="defunct", x_published=False),
        )
    )
    first, second = Service.objects.get(hsds_id="svc-1"), Service.objects.get(hsds_id="svc-2")
    assert first.status == Service.Status.TEMPORARILY_CLOSED
    assert (first.name_en, first.description_en) == ("Oslo Crisis Centre", "Shelter.")
    assert first.name_nn == "Krisesenteret i Oslo (nn)"
    assert first.name_se is None
    assert first.name == "Krisesenteret i Oslo"  # the base column holds bokmål
    assert first.free_of_charge is False
    assert first.anonymous_contact and first.police_report_required
    assert second.status == Service.Status.INACTIVE
    assert second.is_published is False
    assert Organization.objects.count() == 1  # shared by id


def test_reimport_updates_and_does_not_duplicate(hsds_file):
    run_import(hsds_file(make_hsds_service()))
    service = Service.objects.get()
    service.operator_note = "Ring vakttelefonen først."
    service.save()

    changed = make_hsds_service(
        name="Krisesenteret i Oslo og omegn",
        phones=[{"number": "23 45 67 89", "type": "voice"}],
        schedules=[weekly("SA,SU", "10:00", "14:00")],
        service_areas=[{"extent_type": "text", "extent": "NO"}],
        attributes=[term("service_type", "hjelpetelefon")],
        organization={"id": "org-1", "name": "Oslo krisesentersenter"},
    )
    out, _err = run_import(hsds_file(changed))
    assert "0 created, 1 updated" in out

    assert Service.objects.count() == 1
    assert Organization.objects.count() == 1
    service = Service.objects.get()
    assert service.name_nb == "Krisesenteret i Oslo og omegn"
    assert service.operator_note == "Ring vakttelefonen først."  # not carried by HSDS
    assert service.organization.name == "Oslo krisesentersenter"
    assert service.organization.organization_number == ""
    assert [(c.kind, c.value) for c in service.channels.all()] == [
        ("phone", "+4723456789"),
        ("email", "post@krisesenter.example.no"),
        ("web", "https://krisesenter.example.no"),
    ]
    assert hours_rows(service) == [
        ("weekly", 5, None, None, time(10), time(14)),
        ("weekly", 6, None, None, time(10), time(14)),
    ]
    assert service.covers_whole_country is True
    assert not service.coverage_municipalities.exists()
    assert codes(service.service_types) == ["hjelpetelefon"]
    assert Location.objects.count() == 1
    assert ContactChannel.objects.count() == 3


def test_invalid_file_imports_nothing_and_names_every_problem(hsds_file):
    run_import(hsds_file(make_hsds_service()))  # must survive untouched
    location = {"latitude": 48.8566, "longitude": 2.3522, "x_municipality": "0301"}
    path = hsds_file(
        make_hsds_service(name="Ny versjon som ikke skal lagres"),
        make_hsds_service(id="bad-topic", attributes=[term("topic", "finnes-ikke")]),
        make_hsds_service(id="bad-phone", phones=[{"number": "22 33 445", "type": "voice"}]),
        make_hsds_service(id="bad-coords", service_at_locations=[{"location": location}]),
        make_hsds_service(id="closes-only", schedules=[weekly("MO", None, "16:00")]),
        make_hsds_service(id="ages", minimum_age=30, maximum_age=18),
        make_hsds_service(id="bad-area", service_areas=[{"extent_type": "text", "extent": "9999"}]),
        make_hsds_service(
            id="bad-location",
            service_at_locations=[{"location": {"name": "X", "x_municipality": "0000"}}],
        ),
        make_hsds_service(id="svc-ok"),
    )
    printed = import_errors(path)

    for expected in [
        "bad-topic: attributes[0].taxonomy_term.code: Unknown topic code “finnes-ikke”.",
        "bad-phone: phones[0].number: Enter a Norwegian phone number",
        "bad-coords: service_at_locations[0].location.latitude: This latitude is outside Norway.",
        "closes-only: schedules[0].opens_at: A closing time needs an opening time.",
        "ages: maximum_age: The maximum age must be at least the minimum age.",
        "bad-area: service_areas[0].extent: Unknown municipality number “9999”.",
        "bad-location: service_at_locations[0].location.x_municipality: "
        "Unknown municipality number “0000”.",
    ]:
        assert expected in printed
    assert "svc-ok" not in printed
    assert "svc-1" not in printed
    assert len(printed.strip().splitlines()) == 7

    assert list(Service.objects.values_list("hsds_id", "name_nb")) == [
        ("svc-1", "Krisesenteret i Oslo")
    ]
    assert Service.objects.get().channels.count() == 4


def test_structural_problems_are_reported(hsds_file):
    path = hsds_file(
        make_hsds_service(id="dup"),
        make_hsds_service(id="dup"),
        make_hsds_service(
            id="odd",
            status="closed",
            minimum_age="18",
            phones=[{"number": "22334455", "type": "fax"}],
            schedules=[{"freq": "MONTHLY", "byday": "1MO"}, weekly("MO,XX", "08:00", "09:00")],
            attributes=[term("colour", "red")],
        ),
        "not an object",
    )
    printed = import_errors(path)
    assert "dup: id: The same id is used by record 1." in printed
    assert "odd: status: Unknown status “closed”" in printed
    assert "odd: minimum_age: Expected a whole number." in printed
    assert "odd: phones[0].type: Unsupported phone type “fax”" in printed
    assert "odd: schedules[0].freq: Only WEEKLY schedules are supported." in printed
    assert "odd: schedules[1].byday: Unknown day “XX”" in printed
    assert "odd: attributes[0].taxonomy_term.taxonomy: Unknown taxonomy “colour”" in printed
    assert "record 4: Expected an HSDS service object." in printed


def test_a_list_a_page_and_a_single_object_all_import(tmp_path):
    page = {
        "total_items": 1,
        "total_pages": 1,
        "page_number": 1,
        "size": 1,
        "first_page": True,
        "last_page": True,
        "empty": False,
        "contents": [make_hsds_service(id="from-page")],
    }
    for name, data in (("page", page), ("single", make_hsds_service(id="single"))):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        out, _err = run_import(str(path))
        assert "1 created, 0 updated" in out
    assert set(Service.objects.values_list("hsds_id", flat=True)) == {"from-page", "single"}


def test_file_that_is_not_services_is_refused(tmp_path):
    path = tmp_path / "object.json"
    for data in ("just a string", 12, {"contents": "not a list"}):
        path.write_text(json.dumps(data), encoding="utf-8")
        assert "Expected HSDS service objects" in import_errors(str(path))
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid UTF-8 JSON"):
        run_import(str(path))


def test_dry_run_validates_without_writing(hsds_file):
    out = io.StringIO()
    call_command("import_hsds", hsds_file(make_hsds_service()), "--dry-run", stdout=out)
    assert "would be 1 created" in out.getvalue()
    assert not Service.objects.exists()


# --- Opening hours -------------------------------------------------------------------------


def test_midnight_crossing_and_whole_day_schedules(hsds_file):
    run_import(
        hsds_file(
            make_hsds_service(
                schedules=[
                    weekly("MO,TU,WE,TH", "15:00", "08:00"),  # ends the next morning
                    weekly("FR", "15:00", "24:00"),
                    weekly("SA", "00:00", "23:59"),  # whole day, stored as 00:00–00:00
                    weekly("SU", "00:00", "00:00"),
                ]
            )
        )
    )
    service = Service.objects.get()
    assert hours_rows(service) == [
        *[("weekly", day, None, None, time(15), time(8)) for day in range(4)],
        ("weekly", 4, None, None, time(15), time(0)),
        ("weekly", 5, None, None, time(0), time(0)),
        ("weekly", 6, None, None, time(0), time(0)),
    ]
    schedule = service.schedule()
    # Wednesday 3 June 2026.
    assert schedule.is_open(datetime(2026, 6, 3, 3, 0, tzinfo=OSLO))
    assert not schedule.is_open(datetime(2026, 6, 3, 12, 0, tzinfo=OSLO))
    assert schedule.is_open(datetime(2026, 6, 6, 23, 59, tzinfo=OSLO))  # Saturday
    assert schedule.is_open(datetime(2026, 6, 7, 12, 0, tzinfo=OSLO))  # Sunday


def test_dated_exceptions_closed_and_special_hours(hsds_file):
    run_import(
        hsds_file(
            make_hsds_service(
                schedules=[
                    weekly("MO,TU,WE,TH,FR", "08:00", "16:00"),
                    {"valid_from": "2026-07-06", "valid_to": "2026-07-10"},  # closed
                    {"valid_from": "2026-07-13", "opens_at": "10:00", "closes_at": "12:00"},
                ]
            )
        )
    )
    service = Service.objects.get()
    assert hours_rows(service)[:2] == [
        ("exception", None, date(2026, 7, 6), date(2026, 7, 10), None, None),
        ("exception", None, date(2026, 7, 13), None, time(10), time(12)),
    ]
    schedule = service.schedule()
    assert not schedule.is_open(datetime(2026, 7, 8, 9, 0, tzinfo=OSLO))
    assert not schedule.is_open(datetime(2026, 7, 13, 9, 0, tzinfo=OSLO))
    assert schedule.is_open(datetime(2026, 7, 13, 11, 0, tzinfo=OSLO))
    assert schedule.is_open(datetime(2026, 7, 14, 9, 0, tzinfo=OSLO))


def test_dated_schedule_with_byday_is_refused(hsds_file):
    seasonal = {**weekly("MO", "08:00", "12:00"), "valid_from": "2026-06-01"}
    printed = import_errors(hsds_file(make_hsds_service(schedules=[seasonal])))
    assert "svc-1: schedules[0].byday: A dated schedule applies to every date" in printed


def test_holiday_extension(hsds_file):
    holiday = {"x_public_holidays": True, "opens_at": "10:00", "closes_at": "14:00"}
    run_import(
        hsds_file(
            make_hsds_service(id="own", schedules=[weekly("MO", "08:00", "16:00"), holiday]),
            make_hsds_service(id="closed", x_holiday_policy="closed"),
            make_hsds_service(id="plain"),
        )
    )
    own = Service.objects.get(hsds_id="own")
    assert own.holiday_policy == "own"
    assert ("holiday", None, None, None, time(10), time(14)) in hours_rows(own)
    # Whit Monday 2026 (25 May) is a public holiday.
    assert own.schedule().is_open(datetime(2026, 5, 25, 11, 0, tzinfo=OSLO))
    assert not own.schedule().is_open(datetime(2026, 5, 25, 9, 0, tzinfo=OSLO))
    assert Service.objects.get(hsds_id="closed").holiday_policy == "closed"
    plain = Service.objects.get(hsds_id="plain")
    assert plain.holiday_policy == "normal"
    assert plain.schedule().is_open(datetime(2026, 5, 25, 9, 0, tzinfo=OSLO))

    contradiction = make_hsds_service(id="both", x_holiday_policy="closed", schedules=[holiday])
    printed = import_errors(hsds_file(contradiction))
    assert "both: x_holiday_policy: Schedules with x_public_holidays need" in printed


# --- Export --------------------------------------------------------------------------------


def test_export_leaves_out_confidential_addresses_operator_notes_and_drafts(hsds_file, tmp_path):
    secret_location = {
        "name": "Skjult botilbud",
        "latitude": 59.9311,
        "longitude": 10.7155,
        "x_confidential": True,
        "addresses": [{"address_1": "Hemmeligveien 13", "postal_code": "0150"}],
    }
    published = make_hsds_service(
        service_at_locations=[
            *make_hsds_service()["service_at_locations"],
            {"location": secret_location},
        ]
    )
    draft = make_hsds_service(id="draft", name="Utkast til ny tjeneste", x_published=False)
    run_import(hsds_file(published, draft))
    Service.objects.filter(hsds_id="svc-1").update(operator_note="HEMMELIG-NOTAT")

    text = export_text(tmp_path)
    for secret in [
        "Hemmeligveien",
        "Skjult botilbud",
        "59.9311",
        "10.7155",
        "HEMMELIG-NOTAT",
        "Utkast til ny tjeneste",
        '"draft"',
        "location-2",
    ]:
        assert secret not in text
    exported = json.loads(text)
    assert [entry["x_id"] for entry in exported] == ["svc-1"]
    assert [sal["location"]["name"] for sal in exported[0]["service_at_locations"]] == ["Kontoret"]


def test_export_leaves_out_closed_services(hsds_file, tmp_path):
    # Only what Service.objects.public() holds leaves: no portal may send anyone to a
    # service that is closed for now or for good, nor to a draft.
    run_import(
        hsds_file(
            make_hsds_service(id="open"),
            make_hsds_service(id="closed-for-now", status="temporarily closed"),
            make_hsds_service(id="closed-down", status="inactive"),
            make_hsds_service(id="defunct", status="defunct"),
            make_hsds_service(id="draft", x_published=False),
        )
    )
    assert Service.objects.filter(is_published=True).count() == 4
    text = export_text(tmp_path)
    assert [entry["x_id"] for entry in json.loads(text)] == ["open"]
    assert '"temporarily closed"' not in text and '"inactive"' not in text


def test_export_shape(hsds_file, tmp_path):
    run_import(hsds_file(make_hsds_service(id="b"), make_hsds_service(id="a")))
    organization = Organization.objects.create(name="Uten id")
    service = Service.objects.create(
        organization=organization, name="Lokal tjeneste", is_published=True
    )
    text = export_text(tmp_path)
    assert "Døgnåpen telefon" in text  # ensure_ascii=False
    exported = sorted(json.loads(text), key=lambda entry: entry["x_id"])
    assert [entry["x_id"] for entry in exported] == ["a", "b", f"no-hotline-service-{service.pk}"]
    # The file is sorted by id, which is the service's UUID.
    assert [entry["id"] for entry in json.loads(text)] == sorted(
        str(s.uuid) for s in [*Service.objects.all()]
    )
    first = exported[0]
    a = Service.objects.get(hsds_id="a")
    assert first["id"] == str(a.uuid)
    phone = a.channels.get(kind="phone")
    assert first["phones"][0] == {
        "id": str(phone.uuid),
        "number": "+4722334455",
        "type": "voice",
        "description": "Døgnåpen telefon",
    }
    monday = a.opening_hours.get(weekday=0)
    assert first["schedules"] == [
        {
            "id": str(monday.uuid),
            "freq": "WEEKLY",
            "byday": "MO,TU,WE,TH,FR",
            "opens_at": "08:00",
            "closes_at": "16:00",
        }
    ]
    assert [area["extent"] for area in first["service_areas"]] == ["46", "0301"]
    assert first["service_at_locations"][0]["location"]["addresses"][0]["city"] == "Oslo"
    assert first["organization"]["x_organization_number"] == "974760673"
    assert first["organization"]["x_id"] == "org-1"
    assert exported[2]["organization"]["id"] == str(organization.uuid)
    assert exported[2]["organization"]["x_id"] == f"no-hotline-organization-{organization.pk}"
    # Derived ids are the same in every export.
    assert json.loads(export_text(tmp_path, "again.json")) == json.loads(text)


def test_uuid_and_readable_ids_both_match_on_import(hsds_file, tmp_path):
    run_import(hsds_file(make_hsds_service()))
    service = Service.objects.get()
    (exported,) = json.loads(export_text(tmp_path))
    assert (exported["id"], exported["x_id"]) == (str(service.uuid), "svc-1")

    # By UUID, with or without the readable id, and by the readable id alone.
    for record in (
        {**exported, "name": "Ved UUID"},
        {**{k: v for k, v in exported.items() if k != "x_id"}, "name": "Bare UUID"},
        make_hsds_service(name="Ved lesbar id"),
    ):
        out, _err = run_import(hsds_file(record))
        assert "0 created, 1 updated" in out
        service.refresh_from_db()
        assert service.name_nb == record["name"]
        assert service.hsds_id == "svc-1"
    assert Service.objects.count() == 1

    # A new UUID from a partner is kept as the service's HSDS id.
    new_id = "5b9e3f0e-2f4e-4d7a-8f59-0d7a2b1c9e11"
    run_import(
        hsds_file(
            make_hsds_service(
                id=new_id,
                organization={"id": str(service.organization.uuid), "name": "Oslo krisesenter"},
            )
        )
    )
    created = Service.objects.get(uuid=new_id)
    assert created.hsds_id is None
    assert created.organization == service.organization


# --- Round trip ----------------------------------------------------------------------------


def add_service_without_hsds_id() -> Service:
    organization = Organization.objects.create(name="Kommunen", organization_number="974760673")
    service = Service.objects.create(
        organization=organization,
        name="Kommunal tjeneste",
        is_published=True,
        holiday_policy="closed",
    )
    phone = ContactChannel.objects.create(service=service, kind="phone", value="+4722334455")
    OpeningHours.objects.create(service=service, weekday=0, opens=time(9), closes=time(15))
    OpeningHours.objects.create(
        service=service, channel=phone, weekday=1, opens=time(9), closes=time(11)
    )
    Location.objects.create(service=service, municipality=Municipality.objects.get(number="0301"))
    service.coverage_municipalities.set(Municipality.objects.filter(number="0301"))
    return service


def snapshot() -> dict:
    """The directory as plain values, keyed by exported id (database ids and the order of
    channels across kinds are not part of the exchange)."""
    result = {}
    services = Service.objects.prefetch_related(
        "channels", "opening_hours", "locations__municipality", "languages"
    )
    for service in services:
        channels = sorted(service.channels.all(), key=lambda c: (c.kind, c.position))
        result[service_readable_id(service)] = {
            "texts": [
                (
                    getattr(service, f"name_{code}") or "",
                    getattr(service, f"description_{code}") or "",
                )
                for code in LANGS
            ],
            "fields": (
                service.status,
                service.is_published,
                service.min_age,
                service.max_age,
                service.free_of_charge,
                service.anonymous_contact,
                service.police_report_required,
                service.holiday_policy,
            ),
            "organization": (
                service.organization.name,
                service.organization.organization_number,
                service.organization.url,
            ),
            "vocabularies": [
                codes(getattr(service, name))
                for name in ("service_types", "topics", "target_groups", "accessibility")
            ],
            "languages": codes(service.languages),
            "coverage": (
                service.covers_whole_country,
                sorted(c.number for c in service.coverage_counties.all()),
                sorted(m.number for m in service.coverage_municipalities.all()),
            ),
            "channels": [
                (
                    c.kind,
                    c.value,
                    [getattr(c, f"description_{code}") or "" for code in LANGS],
                    hours_rows(service, c),
                )
                for c in channels
            ],
            "hours": [
                (kind, day, start, end or start, opens, closes)
                for kind, day, start, end, opens, closes in hours_rows(service)
            ],
            "locations": sorted(
                (
                    loc.name,
                    loc.address,
                    loc.postcode,
                    loc.municipality.number,
                    loc.latitude,
                    loc.longitude,
                )
                for loc in service.locations.all()
            ),
        }
    return result


def test_round_trip_gives_the_same_directory(hsds_file, tmp_path):
    run_import(hsds_file(*rich_directory()))
    add_service_without_hsds_id()
    before = snapshot()
    assert len(before) == 3
    rich = before["svc-rich"]
    assert rich["hours"] and rich["locations"] and rich["texts"][3][1] == "Válddi"
    assert [kind for kind, _value, _texts, own_hours in rich["channels"] if own_hours] == [
        "chat",
        "phone",
    ]
    first_export = export_text(tmp_path, "first.json")

    Service.objects.all().delete()
    Organization.objects.all().delete()
    run_import(str(tmp_path / "first.json"))

    assert snapshot() == before

    # The same file again, ids included; only the time of the change is new.
    def unstamped(text: str) -> list[dict]:
        return [
            {key: value for key, value in entry.items() if key != "last_modified"}
            for entry in json.loads(text)
        ]

    assert unstamped(export_text(tmp_path, "second.json")) == unstamped(first_export)


# --- What the standard allows ----------------------------------------------------------

DATA = Path(__file__).resolve().parent / "data" / "hsds"


def test_the_official_full_example_with_norwegian_values_imports():
    out, err = run_import(str(DATA / "service_full_no.json"))
    assert "1 created, 0 updated" in out and err == ""
    service = Service.objects.get(uuid="ac148810-d857-441c-9679-408f346de14b")
    assert service.name_nb == "Community Counselling"
    assert service.fees_description_nb.startswith("Non-NHS patients are expected to pay")
    assert service.free_of_charge is False
    assert codes(service.languages) == ["ur"]  # given as ISO 639-3 "urd"
    assert codes(service.topics) == ["vold-i-nare-relasjoner"]
    assert [m.number for m in service.coverage_municipalities.all()] == ["0301"]
    # The phone and the schedule repeated at the service_at_location and its location
    # are the service's own (the same ids): kept once, not dropped, not doubled.
    phone = service.channels.get(kind="phone")
    assert (phone.value, str(phone.uuid)) == ("+4722334455", "1554f2e2-a373-45db-a3fa-9fc48a61c15e")
    assert hours_rows(service) == [
        ("weekly", day, None, None, time(10), time(18)) for day in (3, 4)
    ]
    location = service.locations.get()
    assert str(location.uuid) == "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
    assert (location.address, location.postcode) == ("Storgata 1", "0150")
    assert service.organization.name == "Example Organization Inc."


def test_the_unchanged_official_example_is_refused_naming_each_field():
    printed = import_errors(str(DATA / "service_full.json"))
    record = "ac148810-d857-441c-9679-408f346de14b"
    for expected in [
        "phones[0].number: A phone number may only contain",
        "phones[0].description: Ensure this value has at most 100 characters",
        "phones[0].extension: Extensions are not supported.",
        "schedules[0].until: Not supported by the Norwegian profile.",
        "schedules[0].count: Not supported by the Norwegian profile.",
        "schedules[0].byweekno: Not supported by the Norwegian profile.",
        "schedules[0].bymonthday: Not supported by the Norwegian profile.",
        "schedules[0].byyearday: Not supported by the Norwegian profile.",
        "schedules[0].timezone: Not supported by the Norwegian profile.",
        "schedules[0].byday: A dated schedule applies to every date",
        "service_areas[0].extent_type: Use extent_type “text”",
        "service_at_locations[0].location.latitude: This latitude is outside Norway.",
        "service_at_locations[0].location.x_municipality: Give the municipality number",
        "service_at_locations[0].phones[0].number: A phone number may only contain",
        "attributes[0].taxonomy_term.taxonomy: Unknown taxonomy “taxonomy”",
    ]:
        assert f"{record}: {expected}" in printed, expected
    assert not Service.objects.exists()


def test_phones_and_schedules_at_a_place_are_imported_or_refused_by_name(hsds_file):
    place = {
        "phones": [{"number": "75 55 55 55", "type": "voice", "description": "Resepsjon"}],
        "schedules": [weekly("SA", "10:00", "14:00")],
    }
    sal = make_hsds_service()["service_at_locations"][0]
    located = make_hsds_service(
        id="located",
        schedules=None,
        service_at_locations=[{**sal, **place}],
    )
    run_import(hsds_file(located))
    service = Service.objects.get(hsds_id="located")
    assert [c.value for c in service.channels.filter(kind="phone")] == [
        "+4722334455",
        "+4775555555",
    ]
    assert hours_rows(service) == [("weekly", 5, None, None, time(10), time(14))]

    # Hours at a place and on the service cannot be told apart: refused, by name.
    both = make_hsds_service(
        id="both",
        service_at_locations=[
            {**sal, "location": {**sal["location"], "schedules": [weekly("SU", "10:00", "14:00")]}}
        ],
    )
    printed = import_errors(hsds_file(both))
    assert (
        "both: service_at_locations[0].location.schedules[0]: "
        "The directory keeps opening hours per service"
    ) in printed


def test_times_with_z_or_an_offset_are_read_as_oslo_time(hsds_file):
    run_import(
        hsds_file(
            make_hsds_service(
                schedules=[
                    weekly("MO", "07:00Z", "15:00+00:00"),  # standard time: 08–16
                    weekly("TU", "08:00+01:00", "16:00+02:00"),  # Oslo's own offsets
                    {"valid_from": "2026-07-01", "opens_at": "08:00Z", "closes_at": "10:00Z"},
                ]
            )
        )
    )
    assert hours_rows(Service.objects.get()) == [
        ("exception", None, date(2026, 7, 1), None, time(10), time(12)),  # summer time
        ("weekly", 0, None, None, time(8), time(16)),
        ("weekly", 1, None, None, time(8), time(16)),
    ]


def test_a_taxonomy_term_id_alone_is_enough_when_known(hsds_file, tmp_path):
    run_import(hsds_file(make_hsds_service()))
    (exported,) = json.loads(export_text(tmp_path))
    term_ids = [attribute["taxonomy_term_id"] for attribute in exported["attributes"]]
    record = make_hsds_service(
        id="by-id",
        attributes=[
            *({"taxonomy_term_id": term_id} for term_id in term_ids),
            {"taxonomy_term_id": "topic:voldtekt"},  # the id older exports gave
        ],
    )
    run_import(hsds_file(record))
    service = Service.objects.get(hsds_id="by-id")
    assert codes(service.topics) == ["vold-i-nare-relasjoner", "voldtekt"]
    assert codes(service.accessibility) == ["rullestol"]

    unknown = make_hsds_service(id="unknown", attributes=[{"taxonomy_term_id": "nope"}])
    printed = import_errors(hsds_file(unknown))
    assert "unknown: attributes[0].taxonomy_term_id: Unknown taxonomy term id “nope”" in printed


def test_fees_description_is_kept_as_translated_text(hsds_file, tmp_path):
    record = make_hsds_service(
        fees_description="Egenandel 200 kr",
        x_translations={"en": {"fees_description": "Fee 200 NOK"}},
    )
    run_import(hsds_file(record))
    service = Service.objects.get()
    assert (service.fees_description_nb, service.fees_description_en) == (
        "Egenandel 200 kr",
        "Fee 200 NOK",
    )
    assert service.free_of_charge is False
    (exported,) = json.loads(export_text(tmp_path))
    assert exported["fees_description"] == "Egenandel 200 kr"
    assert exported["x_translations"]["en"]["fees_description"] == "Fee 200 NOK"


def test_a_list_shaped_record_updates_what_it_carries_and_keeps_the_rest(hsds_file):
    run_import(hsds_file(make_hsds_service(x_chat_url="https://chat.example.no")))
    service = Service.objects.get()
    before = (
        hours_rows(service),
        sorted((c.kind, c.value) for c in service.channels.all()),
        codes(service.topics),
        [m.number for m in service.coverage_municipalities.all()],
        service.locations.count(),
    )
    # An HSDS service_list item: one-to-one fields only, no nested arrays.
    listed = {"id": "svc-1", "name": "Nytt navn", "status": "active", "minimum_age": 16}
    out, _err = run_import(hsds_file(listed))
    assert "0 created, 1 updated" in out
    service = Service.objects.get()
    assert (service.name_nb, service.min_age) == ("Nytt navn", 16)
    assert service.description_nb.startswith("Botilbud")  # not carried, kept
    after = (
        hours_rows(service),
        sorted((c.kind, c.value) for c in service.channels.all()),
        codes(service.topics),
        [m.number for m in service.coverage_municipalities.all()],
        service.locations.count(),
    )
    assert after == before
    assert before[0] and before[1] and before[2] and before[3] and before[4]

    # Carrying phones replaces the phones, and only them.
    run_import(hsds_file({**listed, "phones": [{"number": "23 45 67 89"}]}))
    kinds = sorted((c.kind, c.value) for c in Service.objects.get().channels.all())
    assert kinds == [
        ("chat", "https://chat.example.no"),
        ("email", "post@krisesenter.example.no"),
        ("phone", "+4723456789"),
        ("web", "https://krisesenter.example.no"),
    ]
