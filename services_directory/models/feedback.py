"""Operators' reports of errors in directory entries, queued for the editors.

A report deliberately holds no free text and no link to the operator who sent it: free
text invites caller details typed during a call, and the operator's identity is not
needed to fix an entry.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Window
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services_directory.models.directory import Service


class ErrorReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ErrorReport.Status.OPEN)

    def queue(self):
        """Open reports, oldest first, each with the number of open reports on its service."""
        return (
            self.open()
            .select_related("service__organization")
            .annotate(open_for_service=Window(models.Count("pk"), partition_by=[F("service_id")]))
            # pk breaks ties so the queue never reorders between page loads.
            .order_by("reported_at", "pk")
        )


class ErrorReport(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("phone number is wrong")
        HOURS = "hours", _("opening hours are wrong")
        CLOSED_DOWN = "closed_down", _("the service has closed down")
        OTHER = "other", _("something else is wrong")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        FIXED = "fixed", _("fixed")
        NOT_AN_ERROR = "not_an_error", _("not an error")

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="error_reports",
        verbose_name=_("service"),
    )
    kind = models.CharField(_("what is wrong"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    objects = ErrorReportQuerySet.as_manager()

    class Meta:
        ordering = ["reported_at", "pk"]
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")
        indexes = [models.Index(fields=["status", "reported_at"])]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_kind_display()}"

    @classmethod
    def report(cls, service: Service, kind: str) -> "ErrorReport":
        """File a report from the desk. Takes nothing that could identify the caller."""
        report = cls(service=service, kind=kind)
        with transaction.atomic():
            report.full_clean()
            report.save()
        return report

    def resolve(self, user, status: str) -> None:
        """Close the report as fixed or not an error; refuses a report already closed."""
        if status not in (self.Status.FIXED, self.Status.NOT_AN_ERROR):
            raise ValidationError(
                {"status": _("Status must be “fixed” or “not an error”.")}, code="invalid"
            )
        with transaction.atomic():
            # Lock the row: two editors clicking at once must not both resolve it.
            current = ErrorReport.objects.select_for_update().only("status").get(pk=self.pk)
            if current.status != self.Status.OPEN:
                self.refresh_from_db()
                raise ValidationError(
                    _("This report has already been dealt with."), code="resolved"
                )
            self.status = status
            self.resolved_at = timezone.now()
            self.resolved_by = user
            self.save(update_fields=["status", "resolved_at", "resolved_by"])
