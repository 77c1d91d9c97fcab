"""Role changes outside the user admin: the group admin refuses to change the role groups
and audits other groups' permissions; createsuperuser and the demo's accounts record the
roles they give."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.urls import reverse

from hotline.accounts.roles import Role
from hotline.accounts.services import set_groups
from hotline.audit.models import AuditEvent
from hotline.demo.users import reset_demo_users
from tests.factories import login_verified, make_user

pytestmark = pytest.mark.django_db


def role_changes():
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.ROLES_CHANGED).order_by("created_at")


def url(name, *args):
    return reverse(f"admin:auth_group_{name}", args=args)


@pytest.fixture
def admin_client(client):
    return login_verified(client, make_user(username="root", is_superuser=True, is_staff=True))


@pytest.fixture
def perm():
    return Permission.objects.get(content_type__app_label="auth", codename="change_user")


# The role groups in the group admin


@pytest.mark.parametrize("role", list(Role))
def test_a_role_group_is_read_only(admin_client, role, perm):
    group = Group.objects.get(name=role.value)
    before = set(group.permissions.all())
    page = admin_client.get(url("change", group.pk))
    assert page.status_code == 200
    assert 'name="name"' not in page.text  # shown, not editable
    response = admin_client.post(
        url("change", group.pk), {"name": "renamed", "permissions": [perm.pk]}
    )
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.name == role.value
    assert set(group.permissions.all()) == before
    assert not role_changes().exists()


@pytest.mark.parametrize("role", list(Role))
def test_a_role_group_cannot_be_deleted(admin_client, role):
    group = Group.objects.get(name=role.value)
    assert admin_client.get(url("delete", group.pk)).status_code == 403
    assert admin_client.post(url("delete", group.pk), {"post": "yes"}).status_code == 403
    assert Group.objects.filter(name=role.value).exists()


def test_there_is_no_bulk_delete(admin_client):
    page = admin_client.get(url("changelist"))
    assert page.status_code == 200
    assert "delete_selected" not in page.text
    groups = list(Group.objects.values_list("pk", flat=True))
    admin_client.post(
        url("changelist"), {"action": "delete_selected", "_selected_action": groups, "post": "yes"}
    )
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_editors_cannot_open_the_group_admin(editor_client):
    assert editor_client.get(url("changelist")).status_code == 403


# Other groups


def test_a_new_group_with_permissions_is_recorded(admin_client, perm):
    response = admin_client.post(url("add"), {"name": "helpers", "permissions": [perm.pk]})
    assert response.status_code == 302
    event = role_changes().get()
    assert event.actor.username == "root"
    assert event.subject is None
    assert event.details == {"group": "helpers", "before": [], "after": ["auth.change_user"]}


def test_changing_a_groups_permissions_is_recorded_with_before_and_after(admin_client, perm):
    group = Group.objects.create(name="helpers")
    group.permissions.add(perm)
    view = Permission.objects.get(content_type__app_label="auth", codename="view_user")
    response = admin_client.post(
        url("change", group.pk), {"name": "helpers", "permissions": [view.pk]}
    )
    assert response.status_code == 302
    assert role_changes().get().details == {
        "group": "helpers",
        "before": ["auth.change_user"],
        "after": ["auth.view_user"],
    }


def test_saving_a_group_unchanged_records_nothing(admin_client, perm):
    group = Group.objects.create(name="helpers")
    group.permissions.add(perm)
    response = admin_client.post(
        url("change", group.pk), {"name": "helpers", "permissions": [perm.pk]}
    )
    assert response.status_code == 302
    assert not role_changes().exists()


def test_a_bad_group_form_is_refused_on_the_field(admin_client):
    response = admin_client.post(url("add"), {"name": "", "permissions": ["nonsense"]})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"name", "permissions"}
    assert not role_changes().exists()


def test_a_group_with_members_cannot_be_deleted(admin_client, operator):
    group = Group.objects.create(name="helpers")
    operator.groups.add(group)
    assert admin_client.post(url("delete", group.pk), {"post": "yes"}).status_code == 403
    operator.groups.remove(group)
    assert admin_client.post(url("delete", group.pk), {"post": "yes"}).status_code == 302
    assert not Group.objects.filter(name="helpers").exists()


# Commands


def test_createsuperuser_records_the_admin_role_without_an_actor(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long and unguessable one")
    existing = make_user(username="old-admin", is_superuser=True)
    call_command("createsuperuser", username="chief", email="chief@example.org", interactive=False)
    chief = User.objects.get(username="chief")
    assert chief.is_superuser
    event = role_changes().get()
    assert (event.subject, event.actor) == (chief, None)
    assert event.details == {"before": [], "after": ["admin"]}
    assert event.subject != existing


def test_a_refused_createsuperuser_records_nothing():
    make_user(username="chief")
    with pytest.raises(Exception, match="already taken"):
        call_command("createsuperuser", username="chief", email="", interactive=False)
    assert not role_changes().exists()


def test_the_demo_records_the_roles_it_gives_and_only_changes():
    reset_demo_users()
    events = list(role_changes())
    assert [(e.subject.username, e.actor, e.details["after"]) for e in events] == [
        ("operator", None, ["operator"]),
        ("editor", None, ["staff", "editor"]),  # editors work in the Django admin
        ("supervisor", None, ["supervisor"]),
    ]
    reset_demo_users()  # the same roles again: nothing new
    assert role_changes().count() == 3
    supervisor = User.objects.get(username="supervisor")
    set_groups(supervisor, [Group.objects.get(name="operator")])
    reset_demo_users()
    assert role_changes().last().details == {"before": ["operator"], "after": ["supervisor"]}


# Reading them


def test_the_log_names_the_group_and_a_command_as_who(admin_client, supervisor, perm):
    admin_client.post(url("add"), {"name": "helpers", "permissions": [perm.pk]})
    set_groups(make_user(username="new-operator"), [Group.objects.get(name="operator")])
    response = login_verified(admin_client, supervisor).get(reverse("audit:log"))
    assert response.status_code == 200
    text = response.text
    assert "<td>root</td>" in text  # who added the group
    assert "gruppen helpers, tillatelser:" in text
    assert "– → auth.change_user" in text
    assert "en kommando på serveren" in text
    assert "new-operator" in text and "– → operator" in text
