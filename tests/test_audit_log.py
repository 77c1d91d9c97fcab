"""The audit log: each security event is recorded, supervisors and admins read it, and
nobody can change or delete it."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from hotline.accounts.roles import Role
from hotline.audit.models import AuditEvent
from tests.factories import (
    OSLO,
    TEST_PASSWORD,
    add_location,
    enrol,
    login_verified,
    make_service,
    make_user,
    totp_code,
)

pytestmark = pytest.mark.django_db
Kind = AuditEvent.Kind


def events(kind):
    return AuditEvent.objects.filter(kind=kind)


@pytest.fixture
def admin_client(client):
    admin = make_user(username="root", is_superuser=True, is_staff=True)
    return login_verified(client, admin)


# Sign-in


def test_a_sign_in_is_recorded_with_who_and_the_address(client):
    user = make_user(Role.OPERATOR)
    device = enrol(user)
    client.post(
        reverse("login"),
        {"username": "operator", "password": TEST_PASSWORD},
        REMOTE_ADDR="192.0.2.7",
    )
    signed_in = events(Kind.SIGNED_IN).get()
    assert (signed_in.actor, signed_in.ip_address) == (user, "192.0.2.7")
    client.post(reverse("two_factor"), {"token": totp_code(device)}, REMOTE_ADDR="192.0.2.7")
    assert events(Kind.SECOND_FACTOR_PASSED).get().actor == user


def test_a_failed_sign_in_is_recorded_against_the_account(client):
    user = make_user(Role.OPERATOR)
    client.post(reverse("login"), {"username": "operator", "password": "wrong"})
    assert events(Kind.SIGN_IN_FAILED).get().actor == user


def test_a_failed_sign_in_to_no_account_keeps_nothing_that_was_typed(client):
    typed = "my-secret-password-in-the-name-box"
    client.post(reverse("login"), {"username": typed, "password": "x"})
    event = events(Kind.SIGN_IN_FAILED).get()
    assert event.actor is None
    assert typed not in str(event.details)


def test_a_wrong_code_is_recorded(client):
    user = make_user(Role.OPERATOR)
    enrol(user)
    client.post(reverse("login"), {"username": "operator", "password": TEST_PASSWORD})
    client.post(reverse("two_factor"), {"token": "000000"})
    assert events(Kind.SECOND_FACTOR_FAILED).get().actor == user


def test_enrolment_is_recorded(client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user(Role.OPERATOR)
    client.post(reverse("login"), {"username": "operator", "password": TEST_PASSWORD})
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("two_factor_setup"), {"token": totp_code(device)})
    assert events(Kind.TWO_FACTOR_ENROLLED).get().actor == user


# Admin actions


def test_an_admin_reset_of_two_factor_is_recorded(admin_client, operator):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enrol(operator)
    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [operator.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=operator).exists()
    event = events(Kind.TWO_FACTOR_RESET).get()
    assert event.subject == operator
    assert event.actor.username == "root"


def _change_user(client, user, groups, **extra):
    form = {
        "username": user.username,
        "is_active": "on",
        "groups": [g.pk for g in groups],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "12:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "12:00:00",
        **extra,
    }
    return client.post(reverse("admin:auth_user_change", args=[user.pk]), form)


def test_a_role_change_is_recorded_with_before_and_after(admin_client, operator):
    supervisors = Group.objects.get(name="supervisor")
    operators = Group.objects.get(name="operator")
    response = _change_user(admin_client, operator, [operators, supervisors])
    assert response.status_code == 302, response.content
    event = events(Kind.ROLES_CHANGED).get()
    assert event.subject == operator
    assert event.details == {"before": ["operator"], "after": ["operator", "supervisor"]}


def test_only_sign_in_events_keep_the_address(admin_client, operator):
    # README: "for sign-in events, their network address"; a role change says who did
    # it, not from which workstation.
    groups = Group.objects.filter(name__in=["operator", "supervisor"])
    response = _change_user(admin_client, operator, list(groups), REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 302, response.content
    assert events(Kind.ROLES_CHANGED).get().ip_address is None


def test_saving_a_user_without_a_role_change_records_nothing(admin_client, operator):
    response = _change_user(admin_client, operator, [Group.objects.get(name="operator")])
    assert response.status_code == 302
    assert not events(Kind.ROLES_CHANGED).exists()


def test_the_admin_no_longer_offers_otp_device_pages(admin_client):
    text = admin_client.get(reverse("admin:index")).text
    assert "totpdevice" not in text and "staticdevice" not in text


# Confidential addresses


@pytest.fixture
def shelter(db):
    service = make_service("Krisesenteret i Oslo", municipalities=[OSLO])
    add_location(service, OSLO, confidential=True)
    return service


def reveal(client, service, **extra):
    return client.post(reverse("desk:confidential_address", args=[service.pk]), **extra)


def test_showing_a_confidential_address_is_recorded(operator_client, operator, shelter):
    response = reveal(operator_client, shelter)
    assert response.status_code == 200
    assert "Storgata 1" in response.text
    assert "no-store" in response["Cache-Control"]
    event = events(Kind.CONFIDENTIAL_ADDRESS_VIEWED).get()
    assert (event.actor, event.service) == (operator, shelter)
    # who, when, which service, and nothing else: no search, no municipality asked for
    assert event.details == {"service_name": "Krisesenteret i Oslo"}
    assert event.created_at is not None


def test_a_shown_address_keeps_the_hour_and_no_address(operator_client, operator, shelter):
    # With a referral to the shelter in the same hour it could link the operator to the
    # call: no finer than the call record's hour, no workstation address, no numbered id.
    shown_at = datetime(2026, 3, 10, 14, 37, 12, 345678, tzinfo=ZoneInfo("Europe/Oslo"))
    with time_machine.travel(shown_at, tick=False):
        reveal(operator_client, shelter, REMOTE_ADDR="192.0.2.7")
        AuditEvent.record(Kind.TWO_FACTOR_RESET, actor=operator, subject=operator)
    event = events(Kind.CONFIDENTIAL_ADDRESS_VIEWED).get()
    assert event.created_at == shown_at.replace(minute=0, second=0, microsecond=0)
    assert event.ip_address is None
    assert isinstance(event.pk, uuid.UUID) and event.pk.version == 4
    # Other events keep their exact time.
    assert events(Kind.TWO_FACTOR_RESET).get().created_at == shown_at


def test_an_event_shown_in_the_admin_keeps_the_hour_too(editor, shelter):
    shown_at = datetime(2026, 3, 10, 9, 59, 59, tzinfo=ZoneInfo("Europe/Oslo"))
    with time_machine.travel(shown_at, tick=False):
        AuditEvent.record(Kind.CONFIDENTIAL_ADDRESS_VIEWED, actor=editor, service=shelter)
    assert events(Kind.CONFIDENTIAL_ADDRESS_VIEWED).get().created_at.astimezone(
        ZoneInfo("Europe/Oslo")
    ) == datetime(2026, 3, 10, 9, tzinfo=ZoneInfo("Europe/Oslo"))


def test_event_ids_do_not_follow_the_order_of_events(operator):
    for _ in range(12):
        AuditEvent.record(Kind.TWO_FACTOR_RESET, actor=operator, subject=operator)
    by_time = list(AuditEvent.objects.order_by("created_at").values_list("pk", flat=True))
    assert sorted(by_time) != by_time


BEFORE_RANDOM_IDS = ("audit", "0002_passkey_kinds")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_to_random_ids_keeps_every_event(operator, shelter):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_RANDOM_IDS])
    try:
        old = executor.loader.project_state([BEFORE_RANDOM_IDS]).apps.get_model(
            "audit", "AuditEvent"
        )
        for n in range(5):
            old.objects.create(
                kind="confidential_address_viewed" if n % 2 else "signed_in",
                actor_id=operator.pk,
                service_id=shelter.pk if n % 2 else None,
                ip_address=None if n % 2 else "192.0.2.7",
                details={"n": n},
            )
        fields = ["created_at", "kind", "actor", "service", "ip_address", "details"]
        before = sorted(old.objects.values_list(*fields), key=repr)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert sorted(AuditEvent.objects.values_list(*fields), key=repr) == before
    assert all(isinstance(pk, uuid.UUID) for pk in AuditEvent.objects.values_list("pk", flat=True))


def test_with_htmx_only_the_addresses_come_back(operator_client, shelter):
    response = reveal(operator_client, shelter, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Storgata 1" in response.text


def test_confidential_addresses_are_for_operators_only(client, editor, supervisor, shelter):
    for user in (editor, supervisor):
        login_verified(client, user)
        assert reveal(client, shelter).status_code == 403
    assert not events(Kind.CONFIDENTIAL_ADDRESS_VIEWED).exists()


def test_reveal_is_post_only_and_404_without_a_confidential_address(operator_client, shelter):
    url = reverse("desk:confidential_address", args=[shelter.pk])
    assert operator_client.get(url).status_code == 405
    public = make_service("Open office", municipalities=[OSLO])
    add_location(public, OSLO)
    assert reveal(operator_client, public).status_code == 404
    draft = make_service("Draft shelter", is_published=False)
    add_location(draft, OSLO, confidential=True)
    assert reveal(operator_client, draft).status_code == 404
    assert operator_client.post("/desk/services/999999/confidential-address/").status_code == 404
    assert not events(Kind.CONFIDENTIAL_ADDRESS_VIEWED).exists()


# Capacity links


def test_capacity_links_created_replaced_and_revoked_are_recorded(editor_client, editor):
    service = make_service("Krisesenter", types=["krisesenter"])
    url = reverse("directory:capacity_link", args=[service.pk])
    assert editor_client.post(url).status_code == 200
    assert editor_client.post(url).status_code == 200  # replaced
    created = list(events(Kind.CAPACITY_LINK_CREATED).order_by("created_at"))
    assert [e.details["replaced"] for e in created] == [False, True]
    assert {(e.actor, e.service) for e in created} == {(editor, service)}
    revoke = reverse("directory:revoke_capacity_link", args=[service.pk])
    assert editor_client.post(revoke).status_code == 302
    assert events(Kind.CAPACITY_LINK_REVOKED).get().service == service
    editor_client.post(revoke)  # already revoked: refused, and not recorded again
    assert events(Kind.CAPACITY_LINK_REVOKED).count() == 1


# Reading it


def test_supervisors_read_the_log(supervisor_client, operator):
    AuditEvent.record(Kind.TWO_FACTOR_RESET, actor=operator, subject=operator)
    response = supervisor_client.get(reverse("audit:log"))
    assert response.status_code == 200
    assert "<td>Nullstilte totrinnsinnlogging</td>" in response.text
    assert "Revisjonslogg" in response.text  # and in the menu


def test_admins_read_the_log(admin_client):
    assert admin_client.get(reverse("audit:log")).status_code == 200
    assert admin_client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.EDITOR])
def test_operators_and_editors_may_not_read_it(client, role):
    login_verified(client, make_user(role, is_staff=role == Role.EDITOR))
    assert client.get(reverse("audit:log")).status_code == 403
    # Editors are staff and get a 403; operators are not and are sent to the admin login.
    expected = 403 if role == Role.EDITOR else 302
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == expected
    assert "Revisjonslogg" not in client.get(reverse("about")).text


def test_the_log_filters_by_event_and_dates(supervisor_client, operator):
    AuditEvent.record(Kind.TWO_FACTOR_RESET, actor=operator, subject=operator)
    AuditEvent.record(Kind.REPORT_EXPORTED, actor=operator, details={"table": "heatmap"})
    response = supervisor_client.get(reverse("audit:log"), {"kind": "report_exported"})
    assert "heatmap" in response.text
    assert "<td>Nullstilte totrinnsinnlogging</td>" not in response.text
    response = supervisor_client.get(reverse("audit:log"), {"until": "2000-01-01"})
    assert "heatmap" not in response.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "deleted_everything"}, "kind"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(supervisor_client, query, field):
    response = supervisor_client.get(reverse("audit:log"), query)
    assert response.status_code == 400
    assert f"<p>{field}: " in response.text


def test_a_page_past_the_last_is_a_404(supervisor_client):
    assert supervisor_client.get(reverse("audit:log"), {"page": "99"}).status_code == 404


def test_the_page_is_read_only(supervisor_client):
    assert supervisor_client.post(reverse("audit:log")).status_code == 405


# Nobody changes or deletes it


def test_an_event_cannot_be_changed_or_deleted(operator):
    event = AuditEvent.record(Kind.SIGNED_IN, actor=operator)
    event.kind = Kind.SIGNED_OUT
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(kind=Kind.SIGNED_OUT)
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).kind == Kind.SIGNED_IN


def test_the_admin_cannot_add_change_or_delete_events(admin_client, operator):
    event = AuditEvent.record(Kind.SIGNED_IN, actor=operator)
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert admin_client.get(change).status_code == 200  # view only
    assert admin_client.post(change, {"kind": "signed_out"}).status_code == 403
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).kind == Kind.SIGNED_IN


def test_an_account_in_the_log_cannot_be_deleted(operator):
    from django.db.models import ProtectedError

    AuditEvent.record(Kind.SIGNED_IN, actor=operator)
    with pytest.raises(ProtectedError):
        operator.delete()


def test_admin_access_and_permissions_given_directly_count_as_role_changes(admin_client, operator):
    """is_staff opens the Django admin, and a permission on the account itself is a power
    a role would give: both are recorded like a role."""
    operators = Group.objects.get(name="operator")
    change_user = Permission.objects.get(content_type__app_label="auth", codename="change_user")
    response = _change_user(
        admin_client, operator, [operators], is_staff="on", user_permissions=[change_user.pk]
    )
    assert response.status_code == 302, response.content
    assert events(Kind.ROLES_CHANGED).get().details == {
        "before": ["operator"],
        "after": ["staff", "operator", "permission:auth.change_user"],
    }
    response = _change_user(admin_client, operator, [operators])
    assert response.status_code == 302
    assert events(Kind.ROLES_CHANGED).order_by("created_at").last().details == {
        "before": ["staff", "operator", "permission:auth.change_user"],
        "after": ["operator"],
    }
