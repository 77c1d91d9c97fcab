from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from services_directory.reference_data import DATA_DIR, load_all


class Command(BaseCommand):
    help = "Load counties, municipalities, postcodes and places (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Folder with municipalities.csv, postcodes.csv and places.csv "
            "(default: the copy shipped with the app).",
        )

    def handle(self, *args, data_dir: Path, verbosity: int, **options):
        try:
            results = load_all(data_dir)
        except (OSError, KeyError, ValidationError) as exc:
            raise CommandError(f"Reference data not loaded: {exc}") from exc
        if verbosity < 1:
            return
        for name, result in results.items():
            self.stdout.write(f"{name}: {result}")
