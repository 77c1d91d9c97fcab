from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hotline.calls.services import close_left_open
from services_directory import single_instance

LOCK_TTL = timedelta(minutes=30)
DEFAULT_HOURS = 12


class Command(BaseCommand):
    help = (
        "Close calls left open for more than --hours (default 12): they keep what was "
        "recorded and lose their link to the operator, as a closed call does. Exits 0 "
        "without doing anything if another copy is running."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=DEFAULT_HOURS)

    def handle(self, *args, hours: int, **options):
        # Calls keep their start to the hour, so less than two hours could close a call
        # that began 61 minutes ago and is still going on.
        if hours < 2:
            raise CommandError("--hours must be at least 2.")
        try:
            lock = single_instance.acquire("close_left_open_calls", LOCK_TTL)
        except single_instance.JobAlreadyRunning as running:
            self.stderr.write(str(running))
            return
        with lock:
            closed = close_left_open(timezone.now() - timedelta(hours=hours))
        self.stdout.write(f"Closed {closed} calls left open for more than {hours} hours.")
