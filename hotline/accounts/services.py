"""Role changes, recorded in the audit log by every path that makes them: the user admin,
createsuperuser and the demo's accounts. (The group admin refuses to change the roles.)"""

from collections.abc import Iterable

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.http import HttpRequest

from hotline.audit.models import AuditEvent


def role_names(user: User) -> list[str]:
    """The user's roles as the audit log records them: "admin" for a superuser (who
    holds every power), else "staff" if the account may use the Django admin; the group
    names; and permissions given to the account itself, as "permission:app.codename"
    (each a power over the directory or the accounts, as a role is)."""
    names = sorted(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        return ["admin", *names]
    direct = [f"permission:{name}" for name in permission_names(user.user_permissions)]
    return [*(["staff"] if user.is_staff else []), *names, *direct]


def permission_names(permissions) -> list[str]:
    """A user's or a group's permissions (a related manager) as "app.codename", sorted."""
    return sorted(
        f"{app_label}.{codename}"
        for app_label, codename in permissions.values_list("content_type__app_label", "codename")
    )


def record_role_change(
    user: User, before: list[str], request: HttpRequest | None = None
) -> AuditEvent | None:
    """Record ``user``'s roles if they differ from ``before``. Without a request (a
    command) the event has no actor: the system did it."""
    # user_roles() caches the roles on the object; they are stale now.
    user.__dict__.pop("_hotline_roles", None)
    after = role_names(user)
    if before == after:
        return None
    return AuditEvent.record(
        AuditEvent.Kind.ROLES_CHANGED,
        request,
        subject=user,
        details={"before": before, "after": after},
    )


@transaction.atomic
def set_groups(user: User, groups: Iterable[Group], request: HttpRequest | None = None) -> None:
    """Give ``user`` exactly ``groups`` and record the change."""
    before = role_names(user)
    user.groups.set(groups)
    record_role_change(user, before, request)
