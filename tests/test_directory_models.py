from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from services_directory.models import (
    ContactChannel,
    County,
    Location,
    Municipality,
    OpeningHours,
    Service,
)
from services_directory.models.vocabulary import (
    FILTERABLE_VOCABULARIES,
    SERVICE_VOCABULARIES,
    Language,
    Term,
)
from tests.factories import make_service

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")


def municipality(number):
    return Municipality.objects.get(number=number)


def test_drafts_and_inactive_services_are_not_published():
    live = make_service("Publisert")
    make_service("Utkast", is_published=False)
    make_service("Nedlagt", status=Service.Status.INACTIVE)
    closed = make_service("Midlertidig stengt", status=Service.Status.TEMPORARILY_CLOSED)
    assert set(Service.objects.published()) == {live, closed}


@pytest.mark.parametrize("language", settings.MODELTRANSLATION_LANGUAGES)
def test_a_text_missing_in_a_language_is_shown_in_bokmal(language):
    service = make_service("Krisesenteret i Bodø")
    with translation.override(language):
        assert Service.objects.get(pk=service.pk).name == "Krisesenteret i Bodø"


def test_service_vocabularies_are_the_many_to_many_fields_onto_vocabularies():
    vocabularies = (Language, *Term.__subclasses__())
    fields = [
        field.name
        for field in Service._meta.get_fields()
        if field.many_to_many and field.related_model in vocabularies
    ]
    assert sorted(fields) == sorted(SERVICE_VOCABULARIES)
    assert set(FILTERABLE_VOCABULARIES) <= set(SERVICE_VOCABULARIES)


def test_covering_matches_country_county_and_municipality():
    bodo = municipality("1804")
    national = make_service("Nasjonal", covers_whole_country=True)
    county = make_service("Fylke")
    county.coverage_counties.add(County.objects.get(number="18"))
    local = make_service("Lokal", municipalities=["1804", "1806"])
    make_service("Annen kommune", municipalities=["0301"])
    assert set(Service.objects.covering(bodo)) == {national, county, local}


def test_age_range_constraint_holds_in_the_database():
    service = make_service("Alder")
    service.min_age, service.max_age = 18, 12
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert "max_age" in error.value.message_dict
    with pytest.raises(IntegrityError):
        service.save()


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (10.7, 59.9, "latitude"),  # swapped
        (59.3, 18.06, "latitude"),  # Stockholm: in the box, far from Oslo
        (59.9, None, "longitude"),
    ],
)
def test_location_coordinates_must_lie_in_norway_near_the_municipality(lat, lon, field):
    location = Location(
        service=make_service("Sted"), municipality=municipality("0301"), latitude=lat, longitude=lon
    )
    with pytest.raises(ValidationError) as error:
        location.full_clean()
    assert field in error.value.message_dict


def test_location_in_its_municipality_is_accepted():
    Location(
        service=make_service("Sted"),
        municipality=municipality("5612"),
        latitude=69.0,
        longitude=23.04,
    ).full_clean()


@pytest.mark.parametrize(
    ("kind", "value", "stored", "display", "href"),
    [
        ("phone", "800 57 000", "+4780057000", "800 57 000", "tel:+4780057000"),
        ("phone", "116 111", "116111", "116 111", "tel:116111"),
        ("sms", "+47 22 40 00 40", "+4722400040", "22 40 00 40", "tel:+4722400040"),
        (
            "email",
            "post@example.no",
            "post@example.no",
            "post@example.no",
            "mailto:post@example.no",
        ),
    ],
)
def test_channels_are_validated_and_normalised(kind, value, stored, display, href):
    channel = ContactChannel(service=make_service("Kanal"), kind=kind, value=value)
    channel.full_clean()
    assert (channel.value, channel.display_value, channel.href) == (stored, display, href)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("phone", "22 33 44"), ("phone", "abc"), ("email", "ikke-epost"), ("chat", "javascript:x")],
)
def test_bad_channels_name_the_value_field(kind, value):
    channel = ContactChannel(service=make_service("Kanal"), kind=kind, value=value)
    with pytest.raises(ValidationError) as error:
        channel.full_clean()
    assert "value" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weekday": 0, "closes": time(15)}, "opens"),
        ({"weekday": 0, "opens": time(9)}, "closes"),
        ({"opens": time(9), "closes": time(15)}, "weekday"),
        ({"kind": "exception"}, "valid_from"),
    ],
)
def test_opening_hours_rows_are_validated(fields, field):
    row = OpeningHours(service=make_service("Timer"), **fields)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field in error.value.message_dict


def test_schedule_is_built_from_rows_with_holidays_and_exceptions():
    service = make_service("Hverdager", holiday_policy="closed")
    for weekday in range(5):
        OpeningHours.objects.create(service=service, weekday=weekday, opens="09:00", closes="15:00")
    OpeningHours.objects.create(
        service=service,
        kind="exception",
        valid_from="2027-12-24",
        valid_to="2028-01-02",
    )
    schedule = service.schedule()
    assert schedule.is_open(datetime(2027, 3, 24, 10, tzinfo=OSLO))  # Wednesday
    assert not schedule.is_open(datetime(2027, 3, 26, 10, tzinfo=OSLO))  # Good Friday
    assert not schedule.is_open(datetime(2027, 12, 27, 10, tzinfo=OSLO))  # exception
    assert schedule.next_opening(datetime(2027, 12, 27, 10, tzinfo=OSLO)) == datetime(
        2028, 1, 3, 9, tzinfo=OSLO
    )
    assert service.schedule().summary("nb").startswith("Hverdager 09–15")


def test_channel_with_own_hours_overrides_the_service_hours():
    service = make_service("Kanaltider")
    for weekday in range(7):
        OpeningHours.objects.create(service=service, weekday=weekday, opens="00:00", closes="00:00")
    chat = ContactChannel.objects.create(service=service, kind="chat", value="https://x.no/chat")
    phone = ContactChannel.objects.create(service=service, kind="phone", value="+4722400040")
    for weekday in range(5):
        OpeningHours.objects.create(
            service=service, channel=chat, weekday=weekday, opens="18:30", closes="22:30"
        )
    tuesday_noon = datetime(2027, 3, 23, 12, tzinfo=OSLO)
    assert service.schedule().is_always_open()
    assert phone.schedule().is_open(tuesday_noon)
    assert not chat.schedule().is_open(tuesday_noon)
    assert chat.schedule().is_open(datetime(2027, 3, 23, 19, tzinfo=OSLO))


def test_every_save_bumps_the_version_and_history():
    service = make_service("Versjon")
    assert service.version == 1
    service.name = "Versjon 2"
    service.save()
    service.refresh_from_db()
    assert service.version == 2
    assert [h.name for h in service.history.order_by("history_date")] == ["Versjon", "Versjon 2"]
