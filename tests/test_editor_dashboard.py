import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from services_directory.models import OpeningHours, Service, ServiceType
from tests.factories import add_phone, login_verified, make_service, service_post_data

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def overdue():
    service = make_service("Gammel oppføring", types=["krisesenter"], covers_whole_country=True)
    service.next_review_due = date(2015, 9, 30)
    service.save()
    return service


def test_dashboard_lists_overdue_and_incomplete_entries(editor_client, overdue):
    make_service("Uten dekning og timer")
    response = editor_client.get(reverse("directory:dashboard"))
    assert response.status_code == 200
    overdue_section = response.text.split('id="overdue-heading"')[1].split("</section>")[0]
    assert "Gammel oppføring" in overdue_section
    gaps = response.text.split('id="gaps-heading"')[1].split("</section>")[0]
    assert "Uten dekning og timer" in gaps


def test_due_soon_is_separate_from_overdue(editor_client):
    service = make_service("Snart", covers_whole_country=True)
    with time_machine.travel(datetime(2026, 11, 27, 12, tzinfo=OSLO)):
        service.next_review_due = date(2026, 12, 10)
        service.save()
        text = editor_client.get(reverse("directory:dashboard")).text
    due_section = text.split('id="due-heading"')[1].split("</section>")[0]
    overdue_section = text.split('id="overdue-heading"')[1].split("</section>")[0]
    assert "Snart" in due_section
    assert "Snart" not in overdue_section


def test_verified_today_schedules_next_review_by_service_type(editor_client, editor, overdue):
    ServiceType.objects.filter(code="krisesenter").update(review_interval_months=3)
    with time_machine.travel(datetime(2026, 11, 27, 10, tzinfo=OSLO)):
        response = editor_client.post(reverse("directory:verify", args=[overdue.pk]))
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.next_review_due == date(2027, 2, 27)
    assert overdue.verified_by == editor
    assert overdue.last_verified_at.astimezone(OSLO).date() == date(2026, 11, 27)


def test_default_review_interval_is_six_months(editor_client):
    service = make_service("Uten type", covers_whole_country=True)
    with time_machine.travel(datetime(2026, 8, 31, 10, tzinfo=OSLO)):
        editor_client.post(reverse("directory:verify", args=[service.pk]))
    service.refresh_from_db()
    assert service.next_review_due == date(2027, 2, 28)  # clamped to the month's end


def test_verify_with_htmx_returns_the_review_partial(editor_client, overdue):
    response = editor_client.post(
        reverse("directory:verify", args=[overdue.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="reviews">')
    assert "<html" not in response.text


def test_verify_refuses_other_roles_get_and_unknown_ids(client, operator, editor_client, overdue):
    url = reverse("directory:verify", args=[overdue.pk])
    assert editor_client.get(url).status_code == 405
    assert editor_client.post(reverse("directory:verify", args=[999999])).status_code == 404
    login_verified(client, operator)
    assert client.post(url).status_code == 403
    overdue.refresh_from_db()
    assert overdue.last_verified_at is None


def test_recent_changes_show_who_changed_what(editor_client, editor, overdue):
    overdue.mark_verified(editor)
    text = editor_client.get(reverse("directory:dashboard")).text
    recent = text.split('id="recent-heading"')[1]
    assert "Gammel oppføring" in recent
    assert "editor" in recent


def test_services_with_hours_coverage_and_a_phone_are_not_flagged(editor_client):
    service = make_service("Komplett", covers_whole_country=True)
    OpeningHours.objects.create(service=service, weekday=0, opens="09:00", closes="15:00")
    add_phone(service, "22 33 44 55")
    gaps = (
        editor_client.get(reverse("directory:dashboard"))
        .text.split('id="gaps-heading"')[1]
        .split("</section>")[0]
    )
    assert "Komplett" not in gaps
    assert Service.objects.without_hours().filter(pk=service.pk).exists() is False


def phone_gaps(client) -> str:
    text = client.get(reverse("directory:dashboard")).text
    return text.split('id="without-phone"')[1].split("<h3")[0]


def test_published_services_without_a_phone_are_incomplete(editor_client):
    make_service("Bare nettside", covers_whole_country=True)
    with_phone = make_service("Med telefon", covers_whole_country=True)
    add_phone(with_phone, "22 33 44 55")
    draft = make_service("Utkast uten telefon", covers_whole_country=True)
    Service.objects.filter(pk=draft.pk).update(is_published=False)
    gaps = phone_gaps(editor_client)
    assert "(1)" in gaps.split("</h3>")[0]
    assert "Bare nettside" in gaps
    assert "Med telefon" not in gaps
    assert "Utkast uten telefon" not in gaps  # drafts are listed as drafts
    assert "«nås bare via nett eller chat»" in gaps  # the way out, named as in the admin


def test_a_service_marked_web_or_chat_only_is_not_flagged(editor_client):
    chat = make_service("Chattjeneste", covers_whole_country=True, web_or_chat_only=True)
    assert "Chattjeneste" not in phone_gaps(editor_client)
    assert not Service.objects.without_phone().filter(pk=chat.pk).exists()


def test_an_sms_number_alone_is_not_a_phone_to_ring(editor_client):
    from services_directory.models import ContactChannel

    sms = make_service("Bare SMS", covers_whole_country=True)
    ContactChannel.objects.create(service=sms, kind="sms", value="+4741234567")
    assert "Bare SMS" in phone_gaps(editor_client)


def test_editors_tick_web_or_chat_only_in_the_admin(editor_client):
    service = make_service("Chat", covers_whole_country=True)
    url = reverse("admin:services_directory_service_change", args=[service.pk])
    assert 'name="web_or_chat_only"' in editor_client.get(url).text
    response = editor_client.post(url, service_post_data(service, web_or_chat_only="on"))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.web_or_chat_only
    assert "Chat" not in phone_gaps(editor_client)


def review_row(html: str, service) -> str:
    row = html.split(f'id="review-{service.pk}"')[1].split("</tr>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_each_review_row_shows_the_phones_and_todays_hours_it_confirms(editor_client, overdue):
    add_phone(overdue, "22 33 44 55")
    add_phone(overdue, "800 57 000")
    with time_machine.travel(datetime(2026, 11, 30, 10, tzinfo=OSLO)):  # a Monday
        OpeningHours.objects.create(service=overdue, weekday=0, opens="08:00", closes="15:30")
        OpeningHours.objects.create(service=overdue, weekday=1, opens="00:00", closes="00:00")
        monday = review_row(editor_client.get(reverse("directory:dashboard")).text, overdue)
    assert "22 33 44 55 , 800 57 000" in monday
    assert "I dag: 08:00–15:30" in monday
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=OSLO)):  # Tuesday
        tuesday = review_row(editor_client.get(reverse("directory:dashboard")).text, overdue)
    assert "I dag: døgnåpent" in tuesday
    with time_machine.travel(datetime(2026, 12, 2, 10, tzinfo=OSLO)):  # Wednesday
        wednesday = review_row(editor_client.get(reverse("directory:dashboard")).text, overdue)
    assert "I dag: stengt" in wednesday


def test_a_row_without_a_phone_says_so(editor_client, overdue):
    row = review_row(editor_client.get(reverse("directory:dashboard")).text, overdue)
    assert "ingen telefonnummer" in row


def test_verified_today_keeps_the_row_in_place_with_the_focus_on_it(editor_client, overdue):
    before = make_service("A først", covers_whole_country=True)
    after = make_service("Å sist", covers_whole_country=True)
    Service.objects.filter(pk__in=[before.pk, after.pk]).update(next_review_due=date(2015, 9, 30))
    response = editor_client.post(
        reverse("directory:verify", args=[overdue.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    section = response.text.split('id="overdue-heading"')[1].split("</section>")[0]
    assert "(2)" in section.split("</h2>")[0]  # the count is what is still overdue
    order = [section.index(f'id="review-{s.pk}"') for s in (before, overdue, after)]
    assert order == sorted(order)
    row = section.split(f'id="review-{overdue.pk}"')[1].split("</tr>")[0]
    assert "autofocus" in row and 'tabindex="-1"' in row
    assert "Kontrollert i dag. Neste gjennomgang:" in row
    assert "<button" not in row
    assert section.count("autofocus") == 1
    assert "<button" in section.split(f'id="review-{after.pk}"')[1].split("</tr>")[0]


def test_the_full_dashboard_focuses_nothing_by_itself(editor_client, overdue):
    assert "autofocus" not in editor_client.get(reverse("directory:dashboard")).text


def test_a_stored_number_that_is_no_longer_valid_shows_as_stored(editor_client, overdue):
    """Imported or older rows may hold what validation now refuses: no 500, the editor
    sees it as it is (check_directory flags it)."""
    from services_directory.models import ContactChannel

    ContactChannel.objects.create(service=overdue, kind="phone", value="12345")
    response = editor_client.get(reverse("directory:dashboard"))
    assert response.status_code == 200
    assert "12345" in review_row(response.text, overdue)
