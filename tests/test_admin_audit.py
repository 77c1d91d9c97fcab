"""Confidential addresses in the Django admin: each look at a service's change page is in
the audit log, and the address appears nowhere else there (lists, headings, delete
confirmations, history, stored change messages)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from hotline.audit.models import AuditEvent
from services_directory.models import Location, Municipality
from tests.factories import OSLO, add_location, login_verified, make_service, make_user

pytestmark = pytest.mark.django_db
VIEWED = AuditEvent.Kind.CONFIDENTIAL_ADDRESS_VIEWED
ADDRESS = "Storgata 1"  # add_location's address


def views():
    return AuditEvent.objects.filter(kind=VIEWED)


def url(name, *args):
    return reverse(f"admin:services_directory_service_{name}", args=args)


@pytest.fixture
def shelter(db):
    service = make_service("Krisesenteret i Oslo", municipalities=[OSLO])
    add_location(service, OSLO, confidential=True)
    return service


@pytest.fixture
def office(db):
    service = make_service("Familievernkontoret", municipalities=[OSLO])
    add_location(service, OSLO)
    return service


def post_data(service, **changes) -> dict:
    """The change form as the browser sends it, with the service's locations unchanged."""
    data = {
        "name_nb": service.name,
        "organization": service.organization_id,
        "status": service.status,
        "is_published": "on",
        "holiday_policy": service.holiday_policy,
        "loaded_version": service.version,
        "channels-TOTAL_FORMS": 0,
        "channels-INITIAL_FORMS": 0,
        "opening_hours-TOTAL_FORMS": 0,
        "opening_hours-INITIAL_FORMS": 0,
    }
    locations = list(service.locations.order_by("pk"))
    data |= {"locations-TOTAL_FORMS": len(locations), "locations-INITIAL_FORMS": len(locations)}
    for i, location in enumerate(locations):
        data |= {
            f"locations-{i}-id": location.pk,
            f"locations-{i}-service": service.pk,
            f"locations-{i}-name": location.name,
            f"locations-{i}-address": location.address,
            f"locations-{i}-municipality": location.municipality_id,
            f"locations-{i}-latitude": location.latitude,
            f"locations-{i}-longitude": location.longitude,
        }
        if location.is_confidential:
            data[f"locations-{i}-is_confidential"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_opening_a_service_with_a_confidential_address_is_recorded(editor_client, editor, shelter):
    response = editor_client.get(url("change", shelter.pk))
    assert response.status_code == 200
    assert ADDRESS in response.text  # the inline shows it: that is why it is logged
    event = views().get()
    assert (event.actor, event.service) == (editor, shelter)
    assert event.details == {"service_name": "Krisesenteret i Oslo"}


def test_each_look_is_one_event(editor_client, shelter):
    for _ in range(2):
        assert editor_client.get(url("change", shelter.pk)).status_code == 200
    assert views().count() == 2


def test_a_service_without_a_confidential_address_records_nothing(editor_client, office):
    response = editor_client.get(url("change", office.pk))
    assert response.status_code == 200
    assert ADDRESS in response.text
    assert not views().exists()


def test_a_save_records_nothing_until_the_page_is_shown_again(editor_client, shelter):
    response = editor_client.post(url("change", shelter.pk), post_data(shelter, name_nb="Nytt"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    shelter.refresh_from_db()
    assert shelter.name == "Nytt"
    assert not views().exists()
    editor_client.post(
        url("change", shelter.pk), post_data(shelter, _continue="1"), follow=True
    )  # "Save and continue editing" shows the page again, addresses and all
    assert views().count() == 1


def test_a_refused_save_records_nothing(editor_client, shelter):
    stale = post_data(shelter, loaded_version=shelter.version - 1)
    response = editor_client.post(url("change", shelter.pk), stale)
    assert response.status_code == 200
    assert "errornote" in response.text
    assert not views().exists()


def test_no_event_for_those_the_admin_turns_away(client, operator, editor, shelter):
    change = url("change", shelter.pk)
    assert client.get(change).status_code == 302  # signed out: to the login page
    login_verified(client, operator)
    assert client.get(change).status_code == 302  # not staff: to the admin's login
    login_verified(client, make_user(username="staff-without-role", is_staff=True))
    assert client.get(change).status_code == 403
    login_verified(client, editor)
    assert client.get(url("change", 999999)).status_code == 302  # no such service
    assert not views().exists()


def test_lists_delete_confirmation_and_history_do_not_show_it(editor_client, shelter):
    pages = [
        url("changelist"),
        url("changelist") + "?q=Krisesenteret",
        url("delete", shelter.pk),
        url("history", shelter.pk),
        url("simple_history", shelter.pk, shelter.history.latest().history_id),
    ]
    for page in pages:
        response = editor_client.get(page)
        assert response.status_code == 200, page
        assert ADDRESS not in response.text, page
    assert "Krisesenteret i Oslo" in editor_client.get(url("delete", shelter.pk)).text
    assert not views().exists()


def test_changing_a_confidential_address_keeps_it_out_of_the_change_message(editor_client, shelter):
    data = post_data(shelter, **{"locations-0-address": "Hemmeligveien 7"})
    assert editor_client.post(url("change", shelter.pk), data).status_code == 302
    assert shelter.locations.get().address == "Hemmeligveien 7"
    entry = LogEntry.objects.get(object_id=str(shelter.pk))
    assert "Hemmeligveien" not in entry.change_message
    assert ADDRESS not in entry.change_message
    assert "Confidential address" in entry.change_message
    assert "Hemmeligveien" not in editor_client.get(url("history", shelter.pk)).text


def test_adding_and_deleting_a_confidential_location_keeps_it_out_of_the_log(editor_client, office):
    oslo = Municipality.objects.get(number=OSLO)
    data = post_data(office)
    data |= {
        "locations-TOTAL_FORMS": 2,
        "locations-1-service": office.pk,
        "locations-1-address": "Skjultgata 3",
        "locations-1-municipality": oslo.pk,
        "locations-1-is_confidential": "on",
    }
    assert editor_client.post(url("change", office.pk), data).status_code == 302
    added = office.locations.get(is_confidential=True)
    office.refresh_from_db()  # the save raised its version
    deleted = post_data(office)
    second = next(k for k, v in deleted.items() if v == added.pk and k.endswith("-id"))
    deleted[second.replace("-id", "-DELETE")] = "on"
    assert editor_client.post(url("change", office.pk), deleted).status_code == 302
    assert not office.locations.filter(is_confidential=True).exists()
    messages = LogEntry.objects.filter(object_id=str(office.pk))
    assert messages.count() == 2
    for entry in messages:
        assert "Skjultgata" not in entry.change_message
        assert "Confidential address" in entry.change_message
    # the public address may be named as before
    assert str(office.locations.get()) == ADDRESS


def test_a_location_names_itself_without_a_confidential_address(shelter):
    location = shelter.locations.get()
    assert str(location) == "Hemmelig adresse"
    location.name = "Hovedhuset"
    assert str(location) == "Hovedhuset (hemmelig adresse)"
    public = Location(name="", address=ADDRESS, municipality=location.municipality)
    assert str(public) == ADDRESS


def test_a_migration_takes_old_confidential_addresses_out_of_the_admin_log(editor, shelter, office):
    import json
    from importlib import import_module

    from django.apps import apps
    from django.contrib.admin.models import CHANGE
    from django.contrib.contenttypes.models import ContentType

    migration = import_module(
        "services_directory.migrations.0013_scrub_confidential_addresses_from_admin_log"
    )
    location = shelter.locations.get()
    location.address = "Nyveien 2"  # the old address stays in its history
    location.save()
    services = ContentType.objects.get_for_model(shelter)

    def logged(service, *objects):
        message = [{"changed": {"name": "location", "object": o, "fields": []}} for o in objects]
        message.append({"added": {"name": "contact channel", "object": "Telefon: 800 57 000"}})
        return LogEntry.objects.create(
            user=editor,
            content_type=services,
            object_id=str(service.pk),
            object_repr=service.name,
            action_flag=CHANGE,
            change_message=json.dumps(message),
        )

    old, new = logged(shelter, ADDRESS), logged(shelter, "Nyveien 2")
    public = logged(office, ADDRESS)
    plain = LogEntry.objects.create(
        user=editor,
        content_type=services,
        object_id=str(shelter.pk),
        object_repr=shelter.name,
        action_flag=CHANGE,
        change_message="Changed name.",
    )
    migration.scrub(apps, None)
    for entry in (old, new):
        entry.refresh_from_db()
        assert json.loads(entry.change_message) == [
            {"changed": {"name": "location", "object": "Confidential address", "fields": []}},
            {"added": {"name": "contact channel", "object": "Telefon: 800 57 000"}},
        ]
    public.refresh_from_db()
    assert ADDRESS in public.change_message  # a public address may stay
    plain.refresh_from_db()
    assert plain.change_message == "Changed name."
