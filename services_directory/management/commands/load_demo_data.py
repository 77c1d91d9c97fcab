from django.core.management.base import BaseCommand

from services_directory.demo import load_demo_directory


class Command(BaseCommand):
    help = (
        "Load the demo directory: the report's services plus example local services (idempotent)."
    )

    def handle(self, *args, **options):
        summary = load_demo_directory()
        self.stdout.write(f"demo data: {summary}")
