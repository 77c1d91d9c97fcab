"""Passkeys (WebAuthn credentials) as django-otp devices.

A passkey is a django-otp device, so a session verified with one is verified like one
verified with a code: ``is_verified()``, OTPMiddleware and StaffSessionMiddleware treat it
as any other device. This module imports no WebAuthn or crypto library: every worker
loads it at start-up, and only hotline/accounts/passkeys.py checks a passkey's answer.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, DeviceManager, TimestampMixin


class PasskeyQuerySet(models.QuerySet["Passkey"]):
    def of(self, user: Any) -> "PasskeyQuerySet":
        """The user's passkeys, oldest first (as the passkeys page lists them)."""
        return self.filter(user=user).order_by("created_at", "pk")

    def by_recent_use(self) -> "PasskeyQuerySet":
        # The browser offers the first of a list first: the passkey used last.
        return self.order_by(models.F("last_used_at").desc(nulls_last=True), "pk")


class Passkey(TimestampMixin, Device):
    """One WebAuthn credential of a user: its id and public key, as the authenticator gave
    them at registration (https://www.w3.org/TR/webauthn-3/#credential-record).

    ``name`` (from Device) is the user's own label; ``created_at``/``last_used_at`` come
    from TimestampMixin.
    """

    # The spec caps a credential id at 1023 bytes; unique, which also indexes it for the
    # look-up of each sign-in's answer.
    credential_id = models.BinaryField(
        _("credential ID"), max_length=1023, unique=True, editable=False
    )
    # COSE_Key encoded (RFC 9052, section 7), as py_webauthn reads it back.
    public_key = models.BinaryField(_("public key"), max_length=1023, editable=False)
    # The authenticator's own counter (32 bits unsigned), to notice a cloned key; synced
    # passkeys keep it at 0.
    sign_count = models.PositiveBigIntegerField(_("sign count"), default=0, editable=False)
    # As getTransports() answered ("internal", "usb", …): sent back so the browser knows
    # where to look for the passkey.
    transports = models.JSONField(_("transports"), default=list, editable=False)

    objects = DeviceManager.from_queryset(PasskeyQuerySet)()

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def verify_token(self, token: Any) -> bool:
        # A passkey signs a challenge (hotline.accounts.passkeys.verify_passkey); it never
        # accepts a typed token, so django_otp.verify_token() must not match it.
        return False
