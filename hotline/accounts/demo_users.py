"""Demo accounts, one per role, for the zero-setup demo only."""

import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction

from hotline.accounts.roles import Role

DEMO_USERNAMES = {Role.OPERATOR: "operator", Role.EDITOR: "editor", Role.SUPERVISOR: "supervisor"}


@transaction.atomic
def reset_demo_users() -> dict[str, str]:
    """Create or reset the demo users with fresh random passwords; return username -> password."""
    credentials = {}
    for role, username in DEMO_USERNAMES.items():
        user, _ = User.objects.get_or_create(username=username)
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        # Editors work in the Django admin, which needs is_staff.
        user.is_staff = role == Role.EDITOR
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
        credentials[username] = password
    return credentials
