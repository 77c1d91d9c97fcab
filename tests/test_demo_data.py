"""The demo directory: the NKVTS 2/2015 report's services, RVTS and local examples.

Loading takes a couple of seconds, so the module loads it once inside a transaction that
is rolled back after the last test; each test runs in its own savepoint on top of it.

Dates used below (2027): Monday 10 May, Tuesday 11 May, Saturday 15 May, Monday 17 May
(Constitution Day, a public holiday), Tuesday 18 May; Wednesday 24 March and Good Friday
26 March.
"""

import re
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from services_directory.demo import HSDS_PREFIX, all_specs, load_demo_directory
from services_directory.models import (
    ContactChannel,
    County,
    Location,
    Municipality,
    OpeningHours,
    Organization,
    Service,
)
from services_directory.models.directory import add_months
from services_directory.models.vocabulary import INTERPRETER_TYPE_CODE
from services_directory.validators import normalize_phone

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
SUMMARY = re.compile(r"(\d+) services \((\d+) created, (\d+) updated, (\d+) unchanged\)")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


@pytest.fixture(scope="module")
def first_load(django_db_setup, django_db_blocker):
    """Load once for the module; roll everything back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = load_demo_directory()
        try:
            yield summary
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def demo(first_load):
    return Service.objects.filter(hsds_id__startswith=HSDS_PREFIX)


def service(slug: str) -> Service:
    return Service.objects.get(hsds_id=HSDS_PREFIX + slug)


def phones(svc: Service) -> set[str]:
    return {c.value for c in svc.channels.all() if c.kind == ContactChannel.Kind.PHONE}


def largest_municipality(county: County) -> Municipality:
    return (
        Municipality.objects.active()
        .filter(county=county)
        .order_by("-population", "number")
        .first()
    )


def test_first_load_creates_every_service(first_load, demo):
    total, created, updated, unchanged = map(int, SUMMARY.fullmatch(first_load).groups())
    assert total == created == len(all_specs()) == demo.count()
    assert updated == unchanged == 0


def test_report_services_are_all_there(demo):
    names = set(demo.values_list("name_nb", flat=True))
    assert {
        "Alarmtelefonen for barn og unge",
        "Kirkens SOS krisetelefon",
        "Landsdekkende telefon for incest- og seksuelt misbrukte",
        "Oslo krisesenter",
        "Overgrepsmottaket i Oslo",
        "Mannstelefonen (Reform)",
        "Juridisk rådgivningstelefon (Reform)",
        "Røde Kors-telefonen om tvangsekteskap og kjønnslemlestelse",
        "SEIF – råd og veiledning på telefon",
        "SEIF krisetelefon mot kjønnslemlestelse",
        "Støttetelefonen for kriminalitetsofre",
        "Vern for eldre – nasjonal kontakttelefon",
    } <= names
    # Danish and Swedish lines are out of scope.
    assert not any("LOKK" in name or "Kvinnofrid" in name for name in names)

    assert phones(service("alarmtelefonen-for-barn-og-unge")) == {"116111"}
    assert phones(service("kirkens-sos-krisetelefon")) == {"+4722400040"}
    assert phones(service("landsdekkende-telefon-for-incest-og-seksuelt-misbrukte")) == {
        "+4780057000"
    }
    assert phones(service("stottetelefonen-for-kriminalitetsofre")) == {"116006"}

    alarm = service("alarmtelefonen-for-barn-og-unge")
    assert (alarm.min_age, alarm.max_age) == (0, 18)
    assert set(alarm.target_groups.values_list("code", flat=True)) == {"unge", "parorende"}
    assert alarm.covers_whole_country
    assert service("vern-for-eldre-nasjonal-kontakttelefon").min_age == 62

    for slug in ("oslo-krisesenter", "overgrepsmottaket-i-oslo"):
        local = service(slug)
        assert not local.covers_whole_country
        assert set(local.coverage_municipalities.values_list("number", flat=True)) == {"0301"}
    assert service("overgrepsmottaket-i-oslo").locations.get().address == "Storgata 40"
    oslo_shelter = service("oslo-krisesenter")
    assert oslo_shelter.locations.get().is_confidential
    assert "hemmelig" in oslo_shelter.operator_note


def test_alarmtelefonen_hours(demo):
    schedule = service("alarmtelefonen-for-barn-og-unge").schedule()
    assert schedule.is_open(at(2027, 5, 17, 12))  # 17 May: open round the clock
    assert schedule.is_open(at(2027, 5, 15, 12))  # Saturday noon
    assert not schedule.is_open(at(2027, 5, 11, 10))  # ordinary Tuesday morning
    assert schedule.is_open(at(2027, 5, 11, 15))  # weekdays from 15:00 ...
    assert schedule.is_open(at(2027, 5, 12, 7, 59))  # ... to 08:00 the next morning
    assert not schedule.is_open(at(2027, 5, 12, 8))
    # Open from Friday 15:00 until Monday 08:00, and until 08:00 after a holiday.
    assert schedule.is_open(at(2027, 5, 10, 7))  # Monday morning after a weekend
    assert not schedule.is_open(at(2027, 5, 10, 8))
    assert schedule.is_open(at(2027, 5, 18, 7))  # the morning after 17 May
    assert schedule.closes_at(at(2027, 5, 14, 15)) == at(2027, 5, 18, 8)  # Fri → Tue 08


def test_weekday_office_hours_are_closed_on_holidays(demo):
    support = service("stottetelefonen-for-kriminalitetsofre").schedule()
    assert support.is_open(at(2027, 3, 24, 10))
    assert not support.is_open(at(2027, 3, 24, 15))
    assert not support.is_open(at(2027, 3, 26, 10))  # Good Friday

    men = service("reform-mannstelefonen").schedule()
    assert men.is_open(at(2027, 5, 11, 18))
    assert not men.is_open(at(2027, 5, 11, 20))
    assert not men.is_open(at(2027, 5, 15, 18))  # Saturday

    legal = service("reform-juridisk-radgivningstelefon").schedule()
    assert legal.is_open(at(2027, 5, 13, 19, 30))  # Thursday
    assert not legal.is_open(at(2027, 5, 14, 19, 30))  # Friday

    red_cross = service("rode-kors-telefonen-om-tvangsekteskap-og-kjonnslemlestelse").schedule()
    assert red_cross.is_open(at(2027, 5, 11, 15, 59))
    assert not red_cross.is_open(at(2027, 5, 11, 16))

    seif_fgm = service("seif-krisetelefon-mot-kjonnslemlestelse").schedule()
    assert seif_fgm.is_open(at(2027, 5, 14, 17))  # Friday
    seif = service("seif-telefonradgivning").schedule()
    assert seif.is_open(at(2027, 5, 13, 15))  # Thursday
    assert not seif.is_open(at(2027, 5, 14, 10))  # not on Fridays

    elderly = service("vern-for-eldre-nasjonal-kontakttelefon").schedule()
    assert elderly.is_open(at(2027, 5, 11, 9))
    assert not elderly.is_open(at(2027, 5, 17, 10))  # 17 May


def test_round_the_clock_services(demo):
    for slug in (
        "kirkens-sos-krisetelefon",
        "landsdekkende-telefon-for-incest-og-seksuelt-misbrukte",
        "oslo-krisesenter",
        "overgrepsmottaket-i-oslo",
    ):
        assert service(slug).schedule().is_always_open(), slug


def test_kirkens_sos_chat_has_its_own_hours(demo):
    sos = service("kirkens-sos-krisetelefon")
    chat = sos.channels.get(kind=ContactChannel.Kind.CHAT)
    assert chat.schedule().is_open(at(2027, 5, 11, 18, 30))
    assert not chat.schedule().is_open(at(2027, 5, 11, 22, 30))
    assert not chat.schedule().is_open(at(2027, 5, 15, 20))  # Saturday
    phone = sos.channels.get(kind=ContactChannel.Kind.PHONE)
    assert phone.schedule().is_open(at(2027, 5, 15, 3))


def snapshot() -> dict:
    demo = Service.objects.filter(hsds_id__startswith=HSDS_PREFIX)
    return {
        "services": list(demo.order_by("pk").values()),
        "history": Service.history.count(),
        "organizations": Organization.objects.count(),
        "channels": list(ContactChannel.objects.filter(service__in=demo).order_by("pk").values()),
        "hours": list(OpeningHours.objects.filter(service__in=demo).order_by("pk").values()),
        "locations": list(Location.objects.filter(service__in=demo).order_by("pk").values()),
        "m2m": [
            (
                svc.pk,
                sorted(svc.service_types.values_list("code", flat=True)),
                sorted(svc.topics.values_list("code", flat=True)),
                sorted(svc.target_groups.values_list("code", flat=True)),
                sorted(svc.languages.values_list("code", flat=True)),
                sorted(svc.accessibility.values_list("code", flat=True)),
                sorted(svc.coverage_counties.values_list("number", flat=True)),
                sorted(svc.coverage_municipalities.values_list("number", flat=True)),
            )
            for svc in demo.order_by("pk")
        ],
    }


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    summary = load_demo_directory()
    total = len(before["services"])
    assert summary == f"{total} services (0 created, 0 updated, {total} unchanged)"
    assert snapshot() == before


def test_reload_repairs_an_edited_entry(demo):
    sos = service("kirkens-sos-krisetelefon")
    sos.opening_hours.filter(weekday=6, channel=None).delete()
    sos.topics.clear()
    Service.objects.filter(pk=sos.pk).update(name_nb="Renamed")
    version = sos.version

    summary = load_demo_directory()

    assert "0 created, 1 updated" in summary
    sos = service("kirkens-sos-krisetelefon")
    assert sos.name_nb == "Kirkens SOS krisetelefon"
    assert sos.schedule().is_always_open()
    assert sos.topics.exists()
    assert sos.version == version + 1


def test_every_county_has_local_examples(demo):
    counties = County.objects.active()
    assert counties.count() == 15
    for county in counties:
        main = largest_municipality(county)
        local = demo.published().covering(main)
        for code in ("krisesenter", "overgrepsmottak", "politi"):
            found = local.filter(service_types__code=code, covers_whole_country=False)
            if county.number == "03" and code != "politi":
                # Oslo has the report's real crisis centre and sexual-assault centre.
                assert found.exclude(name_nb__contains="Eksempel").exists(), code
                continue
            example = found.get(name_nb__contains="Eksempel")
            assert main.name in example.name_nb
            assert example.schedule().is_always_open()
            location = example.locations.get()
            assert location.municipality == main
            assert (location.latitude, location.longitude) == (main.latitude, main.longitude)

        if county.number != "03":
            shelter = local.get(service_types__code="krisesenter")
            covered = list(shelter.coverage_municipalities.all())
            assert 4 <= len(covered) <= 7
            assert {m.county_id for m in covered} == {county.pk}
            assert shelter.locations.get().is_confidential
            assert shelter.operator_note == "Adressen er hemmelig – ikke oppgi den til innringer."
            assault = local.get(service_types__code="overgrepsmottak")
            assert list(assault.coverage_counties.all()) == [county]

        police = local.get(service_types__code="politi")
        assert list(police.coverage_counties.all()) == [county]
        assert phones(police) == {"02800", "112"}


DEMO_RANGE = re.compile(r"\+47599900\d\d")  # 59 99 00 xx: Nkom's M2M range, no person
SHARED_NATIONAL = {"02800", "112", "116117"}


def test_example_entries_ring_only_demo_numbers_or_shared_national_ones(demo):
    examples = demo.filter(name_nb__contains="Eksempel").prefetch_related("channels")
    assert examples.count() > 40
    for example in examples:
        for number in phones(example) - SHARED_NATIONAL:
            assert DEMO_RANGE.fullmatch(number), (example.name_nb, number)


def test_every_made_up_number_is_in_the_demo_range_and_says_so(demo):
    """A number outside the range is one of the report's real, well-known lines."""
    real = {
        "116111",
        "116006",
        "116117",
        "02800",
        "112",
        "+4722400040",
        "+4780057000",
        "+4781555201",
        "+4780030196",
    }
    made_up = ContactChannel.objects.filter(
        service__in=demo, kind=ContactChannel.Kind.PHONE
    ).exclude(value__in=real)
    assert made_up.count() >= 20
    with translation.override("nb"):
        for channel in made_up:
            assert DEMO_RANGE.fullmatch(channel.value), channel.value
            assert channel.description == "Demonummer – ingen svarer"
    assert len(set(made_up.values_list("value", flat=True))) == made_up.count()


def test_every_crisis_centre_has_a_phone_number(demo):
    centres = demo.filter(service_types__code="krisesenter")
    assert centres.count() == 15
    for centre in centres:
        assert phones(centre), centre.name_nb
    assert not demo.without_phone().filter(service_types__code="krisesenter").exists()


def test_every_topic_has_a_service_with_a_phone(demo):
    from services_directory.models import Topic

    with_phone = demo.filter(channels__kind=ContactChannel.Kind.PHONE)
    for topic in Topic.objects.filter(is_active=True):
        assert with_phone.filter(topics=topic).exists(), topic.code


def test_own_use_of_violence_in_kautokeino_finds_services_to_ring(demo):
    kautokeino = Municipality.objects.get(number="5612")
    found = demo.published().covering(kautokeino).filter(topics__code="egen-voldsbruk")
    ringable = {s.name_nb: phones(s) for s in found if phones(s)}
    assert "Eksempel voldsbehandling Finnmark" in ringable
    assert "Eksempel voldsbehandling – nasjonal telefon" in ringable
    assert all(DEMO_RANGE.fullmatch(n) for numbers in ringable.values() for n in numbers)
    finnmark = service("eksempel-voldsbehandling-finnmark")
    assert not finnmark.covers_whole_country
    assert list(finnmark.coverage_counties.values_list("number", flat=True)) == ["56"]
    assert "se" in set(finnmark.languages.values_list("code", flat=True))


def test_the_guidance_names_no_service_the_directory_lacks(demo):
    from services_directory.models import Topic

    with translation.override("nb"):
        guidance = Topic.objects.get(code="egen-voldsbruk").guidance
    assert "Alternativ til Vold" not in guidance
    assert "Eksempel voldsbehandling" in guidance


def test_published_without_a_phone_are_only_real_entries_the_report_gives_no_number(demo):
    missing = set(demo.without_phone().values_list("hsds_id", flat=True))
    assert missing  # the dashboard has real work to show
    for hsds_id in missing:
        assert "eksempel" not in hsds_id, hsds_id
    assert HSDS_PREFIX + "reform-mannstelefonen" in missing


def test_the_five_rvts_centres(demo):
    expected = {
        "RVTS Øst": ("0301", {"03", "31", "32", "33", "34"}),
        "RVTS Sør": ("4204", {"39", "40", "42"}),
        "RVTS Vest": ("4601", {"11", "46"}),
        "RVTS Midt": ("5001", {"15", "50"}),
        "RVTS Nord": ("5501", {"18", "55", "56"}),
    }
    centres = demo.filter(service_types__code="kompetansesenter")
    assert {c.name_nb for c in centres} == set(expected)
    all_counties = set()
    for centre in centres:
        city, counties = expected[centre.name_nb]
        assert centre.locations.get().municipality.number == city
        covered = set(centre.coverage_counties.values_list("number", flat=True))
        assert covered == counties
        assert not all_counties & covered
        all_counties |= covered
        assert list(centre.target_groups.values_list("code", flat=True)) == ["fagpersoner"]
    assert all_counties == set(County.objects.active().values_list("number", flat=True))


def test_review_dates_are_realistic_most_within_the_cycle_a_few_overdue(demo):
    today = timezone.localdate()
    total = demo.count()
    overdue = demo.review_overdue(today).count()
    due_soon = demo.review_due_within(today, 30).count()
    assert 1 <= overdue <= total // 8
    assert 1 <= due_soon <= total // 4
    assert total - overdue - due_soon > total // 2
    for svc in demo.prefetch_related("service_types"):
        verified = timezone.localdate(svc.last_verified_at)
        assert verified < today
        # As "Verified today" would have set it: one review cycle after the check.
        assert add_months(verified, svc.review_interval_months()) == svc.next_review_due


# Days on which the old loader dated one or more entries a day off (of 253 in 2026-27).
@pytest.mark.parametrize("today", [at(2026, 12, 4, 12), at(2026, 4, 12, 9), at(2027, 12, 12, 23)])
def test_review_dates_follow_the_cycle_across_month_ends(demo, today):
    """Due dates that land on a 31st (or 29 February) still sit one whole cycle
    after the check, as "Verified today" would have set it."""
    long_ago = at(2015, 3, 30, 12)
    with time_machine.travel(today, tick=False):
        demo.update(last_verified_at=long_ago, next_review_due=long_ago.date())
        load_demo_directory()
        for svc in demo.prefetch_related("service_types"):
            verified = timezone.localdate(svc.last_verified_at)
            assert verified < today.date()
            assert add_months(verified, svc.review_interval_months()) == svc.next_review_due


def test_a_reload_dates_entries_left_from_2015_afresh_and_then_keeps_them(demo):
    long_ago = at(2015, 3, 30, 12)
    demo.update(last_verified_at=long_ago, next_review_due=long_ago.date())
    load_demo_directory()
    today = timezone.localdate()
    assert demo.review_overdue(today).count() <= demo.count() // 8
    dates = dict(demo.values_list("pk", "next_review_due"))
    assert SUMMARY.fullmatch(load_demo_directory()).group(4) == str(demo.count())
    assert dict(demo.values_list("pk", "next_review_due")) == dates


def test_every_entry_is_complete_and_valid(demo):
    assert not demo.without_hours().exists()
    assert not demo.without_coverage().exists()
    assert demo.published().count() == demo.count()
    for svc in demo.prefetch_related("channels", "locations", "opening_hours"):
        assert svc.status == Service.Status.ACTIVE
        assert svc.is_published
        assert svc.name_en
        assert {"nb", "en"} <= set(svc.languages.values_list("code", flat=True))
        assert svc.service_types.exists()
        # Interpreters and relays serve every topic, so they name none (and stay out of
        # topic searches); every help service names its topics.
        interpreter = svc.service_types.filter(code=INTERPRETER_TYPE_CODE).exists()
        assert svc.topics.exists() or interpreter
        assert svc.target_groups.exists()
        svc.full_clean()
        for obj in (*svc.channels.all(), *svc.locations.all(), *svc.opening_hours.all()):
            obj.full_clean()
        for channel in svc.channels.all():
            if channel.is_phone:
                assert normalize_phone(channel.value) == channel.value


def test_management_command_prints_a_summary(demo):
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    total = demo.count()
    assert out.getvalue().strip() == (
        f"demo data: {total} services (0 created, 0 updated, {total} unchanged)"
    )


def test_guidance_cards_for_key_topics(demo):
    from services_directory.models import Topic

    with translation.override("nb"):
        assert "Overgrepsmottaket" in Topic.objects.get(code="voldtekt").guidance
    with translation.override("en"):
        assert "sexual-assault centre" in Topic.objects.get(code="voldtekt").guidance


def test_reload_keeps_guidance_an_editor_wrote(demo):
    from services_directory.demo import load_demo_directory
    from services_directory.models import Topic

    topic = Topic.objects.get(code="voldtekt")
    topic.guidance_nb = "Egen tekst."
    topic.save()
    load_demo_directory()
    topic.refresh_from_db()
    assert topic.guidance_nb == "Egen tekst."


def test_a_reload_replaces_the_outdated_demo_guidance_only(demo):
    from services_directory.demo.data import OUTDATED_GUIDANCE
    from services_directory.models import Topic

    topic = Topic.objects.get(code="egen-voldsbruk")
    topic.guidance_nb = OUTDATED_GUIDANCE["egen-voldsbruk"]
    topic.save()
    load_demo_directory()
    topic.refresh_from_db()
    assert "Alternativ til Vold" not in topic.guidance_nb
    assert "Eksempel voldsbehandling" in topic.guidance_nb
