import logging
import smtplib
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import timezone, translation

from hotline.accounts.roles import Role
from services_directory import single_instance
from services_directory.models import ReviewReminder, Service
from services_directory.self_confirmation import send_confirmation_requests

logger = logging.getLogger(__name__)
LOCK_TTL = timedelta(minutes=30)
DUE_WITHIN_DAYS = 30
# Every editor gets both, whatever language they use the app in.
LANGUAGES = ("nb", "en")
TEMPLATE = "directory/review_reminder.txt"


def _compose(overdue: list[Service], due_soon: list[Service]) -> tuple[str, str]:
    subjects, bodies = [], []
    context = {"overdue": overdue, "due_soon": due_soon, "days": DUE_WITHIN_DAYS}
    for language in LANGUAGES:
        with translation.override(language):
            text = render_to_string(TEMPLATE, context).strip()
        subject, _blank, body = text.partition("\n")
        subjects.append(subject.strip())
        bodies.append(body.strip())
    return " / ".join(subjects), "\n\n-----\n\n".join(bodies) + "\n"


def send_review_reminders(today: date) -> tuple[int, int, list[str]]:
    """Mail every editor the services overdue or due within 30 days, once a day.
    Returns how many were sent, how many editors had theirs already, and whose failed."""
    services = (
        Service.objects.exclude(status=Service.Status.INACTIVE)
        .select_related("organization")
        .order_by("next_review_due", "name", "pk")
    )
    overdue = list(services.review_overdue(today))
    due_soon = list(services.review_due_within(today, DUE_WITHIN_DAYS))
    if not overdue and not due_soon:
        return 0, 0, []
    subject, body = _compose(overdue, due_soon)
    editors = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.EDITOR.value)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    sent = skipped = 0
    failed: list[str] = []
    for editor in editors:
        # One message per editor, so no one sees the others' addresses.
        message = EmailMessage(subject, body, to=[editor.email])
        try:
            if ReviewReminder.send_once(editor, today, message):
                sent += 1
            else:
                skipped += 1
        except (OSError, smtplib.SMTPException) as error:
            # The others still get theirs; this editor's is retried on the next run.
            logger.warning("Review reminder to user %s failed: %s", editor.pk, error)
            failed.append(editor.get_username())
    return sent, skipped, failed


class Command(BaseCommand):
    help = (
        "E-mail each editor the services whose review is overdue or due within 30 days "
        "(at most once a day; a second run the same day sends nothing). Then e-mail each "
        "service whose review has come due its link for confirming its entry (once per "
        "review), and remind those that have not answered in 14 days. Exits 0 without "
        "doing anything if another review_reminders is running."
    )

    def handle(self, *args, **options):
        try:
            lock = single_instance.acquire("review_reminders", LOCK_TTL)
        except single_instance.JobAlreadyRunning as running:
            self.stderr.write(str(running))
            return
        with lock:
            sent, skipped, failed = send_review_reminders(timezone.localdate())
            self.stdout.write(f"Sent {sent} review reminders ({skipped} already sent today).")
            if settings.SITE_URL:
                links, reminders, not_sent = send_confirmation_requests(
                    timezone.now(), settings.SITE_URL
                )
                self.stdout.write(
                    f"Asked {links} services to confirm their entry; reminded {reminders}."
                )
                failed += not_sent
            elif Service.objects.exclude(contact_email="").exists():
                # A link needs the site's address; guessing one would send a dead link.
                raise CommandError("Set SITE_URL: no service was asked to confirm its entry.")
        if failed:
            raise CommandError(f"Could not send to: {', '.join(failed)}. Run again to retry.")
