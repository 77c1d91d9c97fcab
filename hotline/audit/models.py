"""The audit log of security-relevant events: append-only, read by supervisors and admins.

It records staff actions only (who, when, what, which service or account) and never
anything about a caller: no search, no call, no municipality a caller named.
"""

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.calls.models import start_of_hour


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionDenied("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("The audit log is append-only.")

    def report_exports(self, actor, table: str, since) -> "AuditQuerySet":
        """One account's exports of one report table since a moment."""
        return self.filter(
            kind=AuditEvent.Kind.REPORT_EXPORTED,
            actor=actor,
            created_at__gte=since,
            details__table=table,
        )


class AuditEvent(models.Model):
    # Random, not sequential: a numbered event would be placed by its neighbours' times,
    # and the events kept to the hour (COARSE_KINDS) would lose nothing by being so.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in with password")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        SECOND_FACTOR_PASSED = "second_factor_passed", _("Passed the second factor")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
        SIGNED_OUT = "signed_out", _("Signed out")
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Set up two-factor sign-in")
        TWO_FACTOR_RESET = "two_factor_reset", _("Reset two-factor sign-in")
        PASSKEY_ADDED = "passkey_added", _("Added a passkey")
        PASSKEY_REMOVED = "passkey_removed", _("Removed a passkey")
        ROLES_CHANGED = "roles_changed", _("Changed roles")
        CONFIDENTIAL_ADDRESS_VIEWED = (
            "confidential_address_viewed",
            _("Viewed a confidential address"),
        )
        CAPACITY_LINK_CREATED = "capacity_link_created", _("Created a capacity link")
        CAPACITY_LINK_REVOKED = "capacity_link_revoked", _("Revoked a capacity link")
        CONFIRMATION_LINK_SENT = "confirmation_link_sent", _("Sent a confirmation link")
        CONFIRMATION_LINK_REVOKED = (
            "confirmation_link_revoked",
            _("Revoked a confirmation link"),
        )
        SERVICE_CONFIRMED = "service_confirmed", _("The service confirmed its entry")
        PROPOSAL_RECEIVED = "proposal_received", _("The service proposed changes")
        PROPOSAL_DECIDED = "proposal_decided", _("Decided on a service's proposal")
        REPORT_EXPORTED = "report_exported", _("Exported a report table")
        REPORT_EXPORTS_REPEATED = (
            "report_exports_repeated",
            _("Exported near-identical report tables repeatedly"),
        )

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices)
    # PROTECT: an audit trail must not lose its "who" when an account is deleted.
    # Empty only for a failed sign-in to an account that does not exist, and for roles
    # given by a command (createsuperuser, the demo's accounts): no account did that.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # The account acted on: whose roles changed, whose two-factor sign-in was reset.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    service = models.ForeignKey(
        "services_directory.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    # The staff member's network address, for sign-in events (never a caller's).
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    # With a referral to the same shelter in the same hour, a "showed a confidential
    # address" event links the operator to that call: it keeps the hour the call record
    # keeps and no address (docs/operations.md, "The audit log").
    COARSE_KINDS = frozenset({Kind.CONFIDENTIAL_ADDRESS_VIEWED})
    # Only sign-in says where from: a workstation's address on every other event (an
    # export, a capacity link) would say no more about who did it, and more about where.
    ADDRESSED_KINDS = frozenset(
        {Kind.SIGNED_IN, Kind.SIGN_IN_FAILED, Kind.SECOND_FACTOR_PASSED, Kind.SECOND_FACTOR_FAILED}
    )

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["kind", "-created_at"], name="audit_kind_created")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("The audit log is append-only.")

    @classmethod
    def record(
        cls,
        kind: "AuditEvent.Kind",
        request: HttpRequest | None = None,
        *,
        actor=None,
        subject=None,
        service=None,
        details: dict | None = None,
    ) -> "AuditEvent":
        """Append one event; ``actor`` defaults to the request's signed-in user."""
        if actor is None and request is not None and request.user.is_authenticated:
            actor = request.user
        details = dict(details or {})
        if service is not None:
            details.setdefault("service_name", service.name)  # kept if the service goes
        coarse = kind in cls.COARSE_KINDS
        with transaction.atomic():
            return cls.objects.create(
                kind=kind,
                created_at=start_of_hour(timezone.now()) if coarse else timezone.now(),
                actor=actor,
                subject=subject,
                service=service,
                ip_address=(
                    _client_ip(request)
                    if request is not None and kind in cls.ADDRESSED_KINDS
                    else None
                ),
                details=details,
            )


def _client_ip(request: HttpRequest) -> str | None:
    # The same address django-axes counts failures against.
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None
