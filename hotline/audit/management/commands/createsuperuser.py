"""Django's createsuperuser, with the new admin's role recorded in the audit log.

It replaces django.contrib.auth's command (hotline.audit is listed before it in
INSTALLED_APPS). The event has no actor: whoever ran the command is not an account.
"""

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.models import User

from hotline.accounts.services import record_role_change


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        users = User.objects.db_manager(options["database"])
        # Django's command does not return the user it made: compare the admins instead.
        before = set(users.filter(is_superuser=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in users.filter(is_superuser=True).exclude(pk__in=before):
            record_role_change(user, before=[])
