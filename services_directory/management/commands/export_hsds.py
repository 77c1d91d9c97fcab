from pathlib import Path

from django.core.management.base import BaseCommand

from services_directory.hsds import dumps, export_services


class Command(BaseCommand):
    help = (
        "Export the public directory (published, active services) as HSDS 3.0 JSON "
        "(Norwegian profile, see docs/hsds-profile.md). Drafts, closed services, "
        "confidential addresses and operator notes are never exported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Output file, or - for standard output")

    def handle(self, *args, file: str, **options):
        services, warnings = export_services()
        text = dumps(services)
        for warning in warnings:
            self.stderr.write(f"warning: {warning}")
        if file == "-":
            self.stdout.write(text, ending="")
            return
        Path(file).write_text(text, encoding="utf-8")
        self.stdout.write(f"Exported {len(services)} services to {file}.")
