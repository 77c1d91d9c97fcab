"""Results of ``manage.py check_directory``: is each web address reachable, and is each
phone number valid? Only the latest result per service and target is kept."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from services_directory.models.directory import Service
from services_directory.validators import normalize_phone


class DirectoryCheckQuerySet(models.QuerySet):
    def problems(self):
        return self.filter(ok=False)


class DirectoryCheck(models.Model):
    class Kind(models.TextChoices):
        URL = "url", _("web address")
        PHONE = "phone", _("phone number")

    class Problem(models.TextChoices):
        NONE = "", _("none")
        HTTP_ERROR = "http_error", _("the site answers with an error")
        TIMEOUT = "timeout", _("no answer in time")
        CONNECTION = "connection", _("cannot connect")
        INVALID = "invalid", _("not valid")

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="directory_checks",
        verbose_name=_("service"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    target = models.CharField(_("checked"), max_length=300)
    ok = models.BooleanField(_("OK"))
    problem = models.CharField(
        _("problem"), max_length=20, choices=Problem.choices, blank=True, default=""
    )
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    final_url = models.CharField(_("address after redirects"), max_length=2000, blank=True)
    # Technical detail ("Not Found", "[Errno 111] Connection refused"), as the check saw it.
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    checked_at = models.DateTimeField(_("checked"))

    objects = DirectoryCheckQuerySet.as_manager()

    class Meta:
        ordering = ["service__name", "kind", "target"]
        verbose_name = _("directory check")
        verbose_name_plural = _("directory checks")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "kind", "target"], name="directory_check_latest_per_target"
            )
        ]
        indexes = [models.Index(fields=["ok", "checked_at"])]

    def __str__(self) -> str:
        return f"{self.service}: {self.target}"

    @property
    def explanation(self) -> str:
        """Why the check failed, for editors, in the active language."""
        if self.kind == self.Kind.PHONE and not self.ok:
            # Validated again rather than stored, so the message follows the reader's
            # language, not the language the check ran in.
            try:
                normalize_phone(self.target)
            except ValidationError as error:
                return " ".join(error.messages)
            return ""
        return self.detail

    @classmethod
    def record_run(cls, results: list[dict], started_at: datetime) -> None:
        """Store one run's results (dicts of this model's fields), replacing earlier ones,
        and drop results for addresses and numbers no longer in the directory."""
        with transaction.atomic():
            for result in results:
                key = {k: result[k] for k in ("service_id", "kind", "target")}
                values = {k: v for k, v in result.items() if k not in key}
                cls.objects.update_or_create(**key, defaults=values)
            cls.objects.filter(checked_at__lt=started_at).delete()
