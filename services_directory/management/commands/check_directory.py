import argparse
from datetime import timedelta

from django.core.management.base import BaseCommand

from services_directory import link_checker, single_instance

# Refreshed while the run goes on; only a crashed run's lock is ever left to expire.
LOCK_TTL = timedelta(minutes=30)


def _bounded(kind, low, high):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


class Command(BaseCommand):
    help = (
        "Check every published service's web addresses (HEAD, then GET) and phone numbers. "
        "Results appear on the editors' dashboard. Exits 0 without doing anything if "
        "another check_directory is running."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency",
            type=_bounded(int, 1, 16),
            default=link_checker.DEFAULT_CONCURRENCY,
            help=f"addresses fetched at once (1-16, default {link_checker.DEFAULT_CONCURRENCY})",
        )
        parser.add_argument(
            "--timeout",
            type=_bounded(float, 0.1, 120),
            default=link_checker.DEFAULT_TIMEOUT,
            help=f"seconds to wait for each answer (default {link_checker.DEFAULT_TIMEOUT:g})",
        )

    def handle(self, *args, concurrency: int, timeout: float, **options):
        try:
            lock = single_instance.acquire("check_directory", LOCK_TTL)
        except single_instance.JobAlreadyRunning as running:
            # Not an error: the run already under way does the work.
            self.stderr.write(str(running))
            return
        with lock:
            summary = link_checker.run_check(
                concurrency=concurrency, timeout=timeout, heartbeat=lock.refresh
            )
        self.stdout.write(
            f"Checked {summary.urls} web addresses and {summary.phones} phone numbers: "
            f"{summary.problems} problems."
        )
