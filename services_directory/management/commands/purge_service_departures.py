from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from services_directory import single_instance
from services_directory.models import ServiceDeparture
from services_directory.models.departures import KEEP_DEPARTURES

LOCK_TTL = timedelta(minutes=30)


class Command(BaseCommand):
    help = (
        "Delete the records of services that left the public directory more than two years "
        "ago (the HSDS feed's inactive records). Exits 0 without doing anything if another "
        "copy is running."
    )

    def handle(self, *args, **options):
        try:
            lock = single_instance.acquire("purge_service_departures", LOCK_TTL)
        except single_instance.JobAlreadyRunning as running:
            self.stderr.write(str(running))
            return
        with lock:
            deleted = ServiceDeparture.purge(timezone.now())
        self.stdout.write(f"Deleted {deleted} departures older than {KEEP_DEPARTURES.days} days.")
