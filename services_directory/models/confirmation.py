"""Services confirm or correct their own entry through a personal link (issue 24).

On its review date, or when an editor asks from the dashboard, a service gets a
``ConfirmationLink`` by e-mail at its directory contact address. As with the capacity
links (models/capacity.py) only a SHA-256 hash of the token is stored; the link is
revocable, a new one replaces the old, and it expires 30 days after the service was
first asked. What the service proposes waits as a ``ServiceProposal`` until an editor
accepts (all or part) or rejects it: nothing a service writes is published by itself.
"""

import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services_directory.models.capacity import TOKEN_PATTERN, hash_token
from services_directory.models.directory import Service

LINK_VALID_DAYS = 30
REMIND_AFTER_DAYS = 14
# Unanswered this long after it was asked, a service is "not confirmed" on the dashboard.
NOT_CONFIRMED_AFTER_DAYS = 30


class ConfirmationLinkQuerySet(models.QuerySet):
    def open(self, now: datetime):
        """Links that still work: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def needing_reminder(self, now: datetime):
        """Working links the service has not answered within 14 days, not yet reminded."""
        return self.open(now).filter(
            answered_at__isnull=True,
            reminded_at__isnull=True,
            requested_at__lte=now - timedelta(days=REMIND_AFTER_DAYS),
        )

    def not_confirmed(self, now: datetime):
        """Services asked 30 days ago or more that never answered."""
        return self.filter(
            answered_at__isnull=True,
            requested_at__lte=now - timedelta(days=NOT_CONFIRMED_AFTER_DAYS),
        ).exclude(service__status=Service.Status.INACTIVE)


class ConfirmationLink(models.Model):
    """One personal link per service for confirming or correcting its entry."""

    service = models.OneToOneField(
        Service,
        on_delete=models.CASCADE,
        related_name="confirmation_link",
        verbose_name=_("service"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # When this round of asking began; a reminder's new token keeps it, and the expiry.
    requested_at = models.DateTimeField(_("asked"))
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ConfirmationLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("confirmation link")
        verbose_name_plural = _("confirmation links")

    def __str__(self) -> str:
        return str(self.service)

    def is_open(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @classmethod
    def issue(cls, service: Service, user=None) -> tuple["ConfirmationLink", str]:
        """Ask ``service`` again: a new token, a new 30 days. Any earlier link stops
        working at once. Returns the link and the token, which goes out by e-mail only."""
        if not service.contact_email:
            raise ValidationError(
                _("The service has no contact e-mail for the directory."), code="no_email"
            )
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        with transaction.atomic():
            link, _created = cls.objects.update_or_create(
                service=service,
                defaults={
                    "token_hash": hash_token(token),
                    "requested_at": now,
                    "created_at": now,
                    "expires_at": now + timedelta(days=LINK_VALID_DAYS),
                    "created_by": user,
                    "reminded_at": None,
                    "answered_at": None,
                    "revoked_at": None,
                },
            )
        return link, token

    def renew_for_reminder(self) -> str:
        """A new token for the reminder (the first is not stored, so cannot be sent
        again); the old one stops working, the expiry stays where it was."""
        token = secrets.token_urlsafe(32)
        with transaction.atomic():
            self.token_hash = hash_token(token)
            self.created_at = self.reminded_at = timezone.now()
            self.save(update_fields=["token_hash", "created_at", "reminded_at"])
        return token

    def revoke(self) -> None:
        with transaction.atomic():
            updated = ConfirmationLink.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        self.refresh_from_db(fields=["revoked_at"])
        if not updated:
            raise ValidationError(_("This link was already revoked."), code="revoked")

    def mark_answered(self) -> None:
        ConfirmationLink.objects.filter(pk=self.pk, answered_at__isnull=True).update(
            answered_at=timezone.now()
        )

    @classmethod
    def for_token(cls, token: str) -> "ConfirmationLink | None":
        """The working link ``token`` opens, or None. Expired, revoked, replaced and
        guessed tokens all give the same None: callers must not tell them apart."""
        if not TOKEN_PATTERN.fullmatch(token):
            return None
        digest = hash_token(token)
        link = (
            cls.objects.open(timezone.now())
            .filter(token_hash=digest)
            .select_related("service__organization")
            .first()
        )
        if link is None or not hmac.compare_digest(link.token_hash, digest):
            return None
        if link.service.status == Service.Status.INACTIVE:
            return None
        return link


class ServiceProposalQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ServiceProposal.Status.PENDING)


class ServiceProposal(models.Model):
    """Changes a service proposed to its own entry, waiting for an editor.

    ``changes`` holds only what differs from the entry as the service saw it, in the
    shape of ``self_confirmation.public_entry`` (never a confidential address: the page
    neither shows nor accepts one)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an editor")
        ACCEPTED = "accepted", _("accepted")
        PARTLY_ACCEPTED = "partly_accepted", _("partly accepted")
        REJECTED = "rejected", _("rejected")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("service")
    )
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    changes = models.JSONField(_("proposed changes"))
    # The entry as the service saw it, so the editor's diff shows what it wanted changed
    # even if an editor changed the entry since.
    seen = models.JSONField(_("entry as the service saw it"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    accepted_fields = models.JSONField(_("accepted fields"), default=list, blank=True)
    reject_reason = models.CharField(_("reason for rejecting"), max_length=500, blank=True)

    objects = ServiceProposalQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("proposal from a service")
        verbose_name_plural = _("proposals from services")
        constraints = [
            # One proposal at a time: a second would race the first through review.
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="pending"),
                name="one_pending_proposal_per_service",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.created_at:%Y-%m-%d}"
