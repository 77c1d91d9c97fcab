from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from hotline.calls.services import purge_closed_calls, retention_cutoff
from services_directory import single_instance

LOCK_TTL = timedelta(minutes=30)


class Command(BaseCommand):
    help = (
        "Delete closed calls older than CALL_RETENTION_MONTHS (whole weeks); the reports "
        "keep their figures. Exits 0 without doing anything if another copy is running."
    )

    def handle(self, *args, **options):
        months = settings.CALL_RETENTION_MONTHS
        before = retention_cutoff(timezone.now(), months)
        try:
            lock = single_instance.acquire("purge_old_calls", LOCK_TTL)
        except single_instance.JobAlreadyRunning as running:
            self.stderr.write(str(running))
            return
        with lock:
            deleted = purge_closed_calls(before, heartbeat=lock.refresh)
        self.stdout.write(
            f"Deleted {deleted} closed calls that started before {before:%Y-%m-%d} "
            f"(kept: {months} months, to whole weeks)."
        )
