import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from services_directory.hsds import HSDSImportError, import_services


class Command(BaseCommand):
    help = (
        "Import services from an HSDS 3.0 JSON file (Norwegian profile, see "
        "docs/hsds-profile.md). Idempotent by HSDS id; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="JSON array of HSDS service objects")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate the file without importing it."
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{file} is not valid UTF-8 JSON: {error}") from error
        try:
            result = import_services(data, dry_run=dry_run)
        except HSDSImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(error.problems)} problem(s) in {file}; nothing was imported."
            ) from None
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"{file}: valid; services {verb} {result}.")
