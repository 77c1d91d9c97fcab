"""The editors' view of a service's hours and history: hours as "08:00" and "døgnåpent",
changes to hours, phones and locations in the history with the reason the editor gave."""

import html
import re
from datetime import date, time

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from services_directory.models import OpeningHours
from tests.factories import (
    OSLO,
    add_location,
    add_phone,
    login_verified,
    make_service,
    open_weekdays,
    service_change_url,
    service_post_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    return make_service("Krisesenteret", covers_whole_country=True)


def test_the_admin_shows_hours_without_seconds(editor_client, service):
    open_weekdays(service, opens=time(8), closes=time(15, 30))
    text = editor_client.get(service_change_url(service)).text
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


def history_url(service):
    return reverse("admin:services_directory_service_history", args=[service.pk])


def history_rows(client, service) -> list[str]:
    """The history table's rows, newest first, as text."""
    response = client.get(history_url(service))
    assert response.status_code == 200
    body = response.text.split('id="change-history"')[1].split("</table>")[0]
    rows = body.split("<tbody>")[1].split("</tr>")[:-1]
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def test_an_edit_records_its_reason_and_the_hours_and_phones_saved_with_it(editor_client, service):
    open_weekdays(service)
    monday = service.opening_hours.get(weekday=0)
    data = service_post_data(
        service,
        change_reason="Nytt nummer fra nettsiden",
        **{
            "channels-TOTAL_FORMS": 1,
            "channels-0-kind": "phone",
            "channels-0-value": "22 33 44 55",
            "channels-0-position": 0,
            "opening_hours-TOTAL_FORMS": 1,
            "opening_hours-INITIAL_FORMS": 1,
            "opening_hours-0-id": monday.pk,
            "opening_hours-0-service": service.pk,
            "opening_hours-0-kind": "weekly",
            "opening_hours-0-weekday": 0,
            "opening_hours-0-opens": "08:00",
            "opening_hours-0-closes": "08:00",
        },
    )
    response = editor_client.post(service_change_url(service), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = service.history.latest()
    assert latest.history_change_reason == "Nytt nummer fra nettsiden"
    assert (
        service.channels.get().history.get().history_change_reason == latest.history_change_reason
    )

    newest, *older = history_rows(editor_client, service)
    assert "Nytt nummer fra nettsiden" in newest
    assert "Lagt til kontaktkanal: telefon: 22 33 44 55" in newest
    assert "Endret åpningstider: hver uke mandag døgnåpent" in newest
    assert "Stenger: 16:00 → 08:00" in newest
    assert "16:00:00" not in newest
    # The rows made before the edit: one "added" each, with no reason given.
    assert older and "Lagt til åpningstider: hver uke fredag 08:00–16:00" in " ".join(older)
    text = " ".join([newest, *older])
    assert "None" not in text and "Ingen" not in text
    # Nothing about the translations nobody touched, nor the version counter.
    assert "[nn]" not in text and "[se]" not in text
    assert "ersjon" not in text


def test_removing_a_row_is_in_the_history(editor_client, service):
    add_phone(service, "22 33 44 55")
    channel = service.channels.get()
    data = service_post_data(
        service,
        **{
            "channels-TOTAL_FORMS": 1,
            "channels-INITIAL_FORMS": 1,
            "channels-0-id": channel.pk,
            "channels-0-service": service.pk,
            "channels-0-kind": "phone",
            "channels-0-value": channel.value,
            "channels-0-position": 0,
            "channels-0-DELETE": "on",
        },
    )
    assert editor_client.post(service_change_url(service), data).status_code == 302
    assert "Fjernet kontaktkanal: telefon: 22 33 44 55" in history_rows(editor_client, service)[0]


def test_a_confidential_address_never_shows_in_the_history(editor_client, service):
    location = add_location(service, OSLO, confidential=True)
    location.address = "Hemmeligveien 7"
    location.save()
    location.address = "Skjultgata 9"
    location.save()
    text = " ".join(history_rows(editor_client, service))
    assert "Hemmeligveien" not in text and "Skjultgata" not in text
    assert "Gateadresse: (konfidensiell) → (konfidensiell)" in text


def test_a_field_change_reads_as_the_form_shows_it(editor_client, service):
    service.is_published = False
    service.save()
    newest = history_rows(editor_client, service)[0]
    assert "Publisert: ja → nei" in newest
    assert "True" not in newest and "False" not in newest


def test_other_roles_and_unknown_services_get_no_history(client, operator, editor_client, service):
    assert editor_client.get(
        reverse("admin:services_directory_service_history", args=[999999])
    ).status_code in (302, 404)
    login_verified(client, operator)
    assert client.get(history_url(service)).status_code in (302, 403)
    assert client.post(history_url(service)).status_code in (302, 403, 405)


def test_the_change_reason_field_is_on_the_form_and_limited(editor_client, service):
    text = editor_client.get(service_change_url(service)).text
    assert 'name="change_reason"' in text and 'maxlength="100"' in text
    response = editor_client.post(
        service_change_url(service), service_post_data(service, change_reason="x" * 101)
    )
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors


def test_verifying_reads_as_dates_and_a_name_not_none(editor_client, editor, service):
    service.mark_verified(editor)
    newest = history_rows(editor_client, service)[0]
    assert "Kontrollert av: – → editor" in newest
    assert "pk=None" not in newest and "Slettet" not in newest
    verified = timezone.localtime(service.last_verified_at)
    assert f"Sist kontrollert: – → {verified:%d.%m.%Y %H:%M}" in newest


def test_a_coverage_change_lists_the_names_without_brackets(editor_client, service):
    from services_directory.models import County

    service.coverage_counties.set(County.objects.filter(number__in=["03", "18"]))
    newest = history_rows(editor_client, service)[0]
    assert "Fylker som dekkes: – → Nordland, Oslo" in newest or (
        "Fylker som dekkes: – → Oslo, Nordland" in newest
    )
    assert "[]" not in newest
