"""Demo accounts, one per role, for the zero-setup demo only."""

import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction

from hotline.accounts.roles import Role
from hotline.accounts.services import record_role_change, role_names
from hotline.accounts.two_factor import reset_devices

DEMO_USERNAMES = {Role.OPERATOR: "operator", Role.EDITOR: "editor", Role.SUPERVISOR: "supervisor"}
DEMO_SITE_NAME = "Nasjonal hjelpelinje – Oslo"
DEMO_TRAINING_SITE_NAME = "Opplæring (trening)"


@transaction.atomic
def reset_demo_users() -> dict[str, str]:
    """Create or reset the demo users with fresh random passwords; return username -> password."""
    credentials = {}
    for role, username in DEMO_USERNAMES.items():
        user, created = User.objects.get_or_create(username=username)
        before = [] if created else role_names(user)
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        # Editors work in the Django admin, which needs is_staff.
        user.is_staff = role == Role.EDITOR
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
        # Recorded in the audit log (no actor: the command did it) when it changes them.
        record_role_change(user, before)
        reset_devices(user)  # with --two-factor, each run's users set up an app afresh
        credentials[username] = password
    _attach_demo_operator_to_site()
    return credentials


def _attach_demo_operator_to_site() -> None:
    """The demo operator needs a site to log calls from, and a training site to practise on."""
    from hotline.calls.models import Site
    from services_directory.models import Municipality

    site, _created = Site.objects.get_or_create(
        name=DEMO_SITE_NAME,
        defaults={"municipality": Municipality.objects.filter(number="0301").first()},
    )
    site.members.add(User.objects.get(username=DEMO_USERNAMES[Role.OPERATOR]))
    training, _created = Site.objects.get_or_create(
        name=DEMO_TRAINING_SITE_NAME, defaults={"is_training": True}
    )
    training.members.add(User.objects.get(username=DEMO_USERNAMES[Role.OPERATOR]))
