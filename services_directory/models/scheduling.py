"""Bookkeeping for scheduled jobs: who holds a job's lock, and which reminders went out.

The lock logic itself is in services_directory/single_instance.py.
"""

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class JobLock(models.Model):
    """A row per running job. The unique name is the lock: a second insert fails."""

    name = models.CharField(max_length=100, unique=True)
    holder = models.CharField(max_length=100)
    acquired_at = models.DateTimeField()
    # A holder that died leaves its row behind; after this moment anyone may take it over.
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("job lock")
        verbose_name_plural = _("job locks")

    def __str__(self) -> str:
        return self.name


class ReviewReminder(models.Model):
    """One row per editor and day a review reminder was sent, so a second run the same
    day sends nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="one_review_reminder_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.sent_on}"

    @classmethod
    def send_once(cls, user, today: date, message: EmailMessage) -> bool:
        """Send ``message`` unless ``user`` already had a reminder ``today``. A failed send
        records nothing, so the next run tries again."""
        with transaction.atomic():
            _reminder, created = cls.objects.get_or_create(user=user, sent_on=today)
            if created:
                message.send()
        return created
