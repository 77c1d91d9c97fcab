"""Editors' workflow in the admin: forms, translation tabs, optimistic locking, history."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from services_directory.models import Organization
from tests.factories import (
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


def test_editor_sees_translation_tabs_inlines_and_coverage_picker(editor_client, service):
    response = editor_client.get(service_change_url(service))
    assert response.status_code == 200
    for field in ("name_nb", "name_nn", "name_en", "name_se", "description_se"):
        assert f'name="{field}"' in response.text
    assert "vendor/jquery-ui-1.14.2.min.js" in response.text
    assert "googleapis" not in response.text
    for inline in ("channels-TOTAL_FORMS", "opening_hours-TOTAL_FORMS", "locations-TOTAL_FORMS"):
        assert inline in response.text
    assert 'name="coverage_municipalities"' in response.text
    assert "Herøy (Nordland)" in response.text


def test_tabular_inline_fields_are_labelled_and_the_a11y_script_loads(editor_client, service):
    open_weekdays(service)
    text = editor_client.get(service_change_url(service)).text
    assert "js/admin_a11y.js" in text
    fields = re.findall(r'<(?:input|select)[^>]*name="opening_hours-0-[^"]*"[^>]*>', text)
    visible = [tag for tag in fields if 'type="hidden"' not in tag]
    assert len(visible) >= 7  # kind, weekday, from, to, opens, closes, channel, delete
    assert all("aria-label=" in tag for tag in visible), visible
    assert 'aria-label="Slett"' in text


def test_admin_javascript_catalog_has_the_projects_bokmal(editor_client):
    text = editor_client.get(reverse("admin:jsi18n")).text
    assert "I dag (%(date)s)" in text
    assert '"Language of the translated fields": "Spr\\u00e5k for de oversatte feltene"' in text


def test_operator_and_supervisor_cannot_open_the_admin(client, operator, supervisor, service):
    for user in (operator, supervisor):
        login_verified(client, user)
        assert client.get(service_change_url(service)).status_code == 302


def test_saving_records_history_with_the_editor(editor_client, editor, service):
    response = editor_client.post(
        service_change_url(service), service_post_data(service, name_nb="Nytt")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    service.refresh_from_db()
    assert service.name == "Nytt"
    latest = service.history.latest()
    assert latest.history_user == editor
    assert latest.name == "Nytt"
    assert latest.prev_record.name == "Krisesenteret"
    history = editor_client.get(
        reverse("admin:services_directory_service_history", args=[service.pk])
    )
    assert history.status_code == 200


def test_second_editor_with_a_stale_form_is_refused(editor_client, service):
    stale = service_post_data(service, name_nb="Andre redaktør")
    first = editor_client.post(
        service_change_url(service), service_post_data(service, name_nb="Første")
    )
    assert first.status_code == 302

    second = editor_client.post(service_change_url(service), stale)

    assert second.status_code == 200
    assert "Someone else saved this service" in second.text or "Noen andre" in second.text
    service.refresh_from_db()
    assert service.name == "Første"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_age": 18, "max_age": 12}, "maximum age must be at least"),
        (
            {
                "channels-TOTAL_FORMS": 1,
                "channels-0-kind": "phone",
                "channels-0-value": "1234567",
                "channels-0-position": 0,
            },
            "Enter a Norwegian phone number",
        ),
        (
            {
                "opening_hours-TOTAL_FORMS": 1,
                "opening_hours-0-kind": "weekly",
                "opening_hours-0-weekday": 0,
                "opening_hours-0-closes": "15:00",
            },
            "A closing time needs an opening time",
        ),
        (
            {
                "locations-TOTAL_FORMS": 1,
                "locations-0-municipality": None,
                "locations-0-latitude": 59.9,
                "locations-0-longitude": 18.06,  # Stockholm
            },
            "These coordinates are far from Oslo",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_on_the_field(editor_client, service, changes, message):
    if "locations-0-municipality" in changes:
        from services_directory.models import Municipality

        changes["locations-0-municipality"] = Municipality.objects.get(number="0301").pk
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = editor_client.post(
        service_change_url(service), service_post_data(service, **changes)
    )
    assert response.status_code == 200
    assert "errornote" in response.text
    assert message in response.text
    service.refresh_from_db()
    assert service.version == 1


def test_phone_numbers_are_stored_normalised(editor_client, service):
    data = service_post_data(
        service,
        **{
            "channels-TOTAL_FORMS": 1,
            "channels-0-kind": "phone",
            "channels-0-value": "800 57 000",
            "channels-0-position": 0,
        },
    )
    assert editor_client.post(service_change_url(service), data).status_code == 302
    assert service.channels.get().value == "+4780057000"


def test_verify_action_marks_selected_services(editor_client, editor, service):
    response = editor_client.post(
        reverse("admin:services_directory_service_changelist"),
        {"action": "mark_verified", "_selected_action": [service.pk]},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.verified_by == editor
    assert service.next_review_due is not None


def test_changelist_filters_and_search(editor_client, service):
    make_service("Utkast", is_published=False)
    url = reverse("admin:services_directory_service_changelist")
    drafts = editor_client.get(url, {"is_published__exact": "0"})
    assert "Utkast" in drafts.text
    assert "Krisesenteret" not in drafts.text
    assert "Krisesenteret" in editor_client.get(url, {"q": "krise"}).text
    assert editor_client.get(url, {"review": "overdue"}).status_code == 200


def test_organisation_number_is_checked(editor_client):
    response = editor_client.post(
        reverse("admin:services_directory_organization_add"),
        {"name": "Feil", "organization_number": "123456789", "url": ""},
    )
    assert response.status_code == 200
    assert not Organization.objects.filter(name="Feil").exists()
    ok = editor_client.post(
        reverse("admin:services_directory_organization_add"),
        {"name": "Riktig", "organization_number": "974 760 673", "url": ""},
    )
    assert ok.status_code == 302
    assert Organization.objects.get(name="Riktig").organization_number == "974760673"
