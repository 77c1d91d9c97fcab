"""Staff accounts in the admin: role changes are audited, two-factor sign-in can be reset,
and the role groups themselves cannot be changed here.

django-otp's own device pages are removed: they would let an admin read another user's
key or give them a device, unaudited. Devices change only by a user's own set-up or by
the reset below.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.accounts.roles import Role
from hotline.accounts.services import permission_names, record_role_change, role_names
from hotline.accounts.two_factor import reset_devices
from hotline.audit.models import AuditEvent

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    actions = ["reset_two_factor"]

    def save_model(self, request, obj, form, change):
        # The roles before the form's groups are saved, to compare in save_related.
        obj._roles_before = role_names(User.objects.get(pk=obj.pk)) if change else []
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        record_role_change(user, getattr(user, "_roles_before", []), request)

    @admin.action(description=_("Reset two-factor sign-in (they set it up again)"))
    def reset_two_factor(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                reset_devices(user)
                AuditEvent.record(AuditEvent.Kind.TWO_FACTOR_RESET, request, subject=user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)d user: they set it up at next sign-in.",
                "Two-factor sign-in reset for %(count)d users: they set it up at next sign-in.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


ROLE_GROUPS = frozenset(role.value for role in Role)


admin.site.unregister(Group)


@admin.register(Group)
class StaffGroupAdmin(GroupAdmin):
    """The role groups are read-only here: their migrations create them and give their
    permissions, and a rename or deletion would silently take a role from everyone who
    holds it. Members change on each user's page, where the change is audited. Other
    groups may be edited; a change to their permissions is audited, and one that still
    has members cannot be deleted (remove them on their pages first)."""

    # The bulk "delete selected" would bypass the per-group refusal below.
    actions = None

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.name in ROLE_GROUPS:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.name in ROLE_GROUPS or obj.user_set.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj._permissions_before = permission_names(obj.permissions) if change else []
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group = form.instance
        before = getattr(group, "_permissions_before", [])
        after = permission_names(group.permissions)
        if before != after:
            # What its members may do changed: a role change in all but name.
            AuditEvent.record(
                AuditEvent.Kind.ROLES_CHANGED,
                request,
                details={"group": group.name, "before": before, "after": after},
            )
