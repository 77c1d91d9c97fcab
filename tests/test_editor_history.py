"""The editors' view of a service's hours and history: hours as "08:00" and "døgnåpent",
changes to hours, phones and locations in the history with the reason the editor gave."""

import re
from datetime import date, time

import pytest
from django.urls import reverse
from django.utils import translation

from services_directory.models import OpeningHours
from tests.factories import make_service, open_weekdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    return make_service("Krisesenteret", covers_whole_country=True)


def change_url(service):
    return reverse("admin:services_directory_service_change", args=[service.pk])


def test_the_admin_shows_hours_without_seconds(editor_client, service):
    open_weekdays(service, opens=time(8), closes=time(15, 30))
    text = editor_client.get(change_url(service)).text
    opens = re.findall(r'name="opening_hours-\d-opens"[^>]*value="([^"]*)"', text)
    opens += re.findall(r'value="([^"]*)"[^>]*name="opening_hours-\d-opens"', text)
    closes = re.findall(r'name="opening_hours-\d-closes"[^>]*value="([^"]*)"', text)
    closes += re.findall(r'value="([^"]*)"[^>]*name="opening_hours-\d-closes"', text)
    assert opens == ["08:00"] * 5
    assert closes == ["15:30"] * 5
    assert "08:00:00" not in text


def test_an_hours_row_reads_as_editors_write_it(service):
    weekly = OpeningHours(service=service, weekday=0, opens=time(8), closes=time(16))
    full_day = OpeningHours(service=service, weekday=6, opens=time(0), closes=time(0))
    closed = OpeningHours(service=service, kind="exception", valid_from=date(2026, 12, 24))
    with translation.override("nb"):
        assert str(weekly) == "hver uke mandag 08:00–16:00"
        assert str(full_day) == "hver uke søndag døgnåpent"
        assert str(closed) == "datoer 24.12.2026 stengt"
    with translation.override("en"):
        assert str(full_day) == "every week Sunday open 24 hours"
        assert "00:00" not in str(full_day)
