"""Staff accounts in the admin: role changes are audited, two-factor sign-in can be reset.

django-otp's own device pages are removed: they would let an admin read another user's
key or give them a device, unaudited. Devices change only by a user's own set-up or by
the reset below.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.accounts.two_factor import reset_devices
from hotline.audit.models import AuditEvent

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def role_names(user: User) -> list[str]:
    """The user's roles as the audit log records them: group names, plus "admin"."""
    names = sorted(user.groups.values_list("name", flat=True))
    return (["admin"] if user.is_superuser else []) + names


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
        before, after = getattr(user, "_roles_before", []), role_names(user)
        if before != after:
            AuditEvent.record(
                AuditEvent.Kind.ROLES_CHANGED,
                request,
                subject=user,
                details={"before": before, "after": after},
            )

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
