import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from services_directory.hsds.importer import parse_services, records_of
from services_directory.hsds.schema import VERSION, page_errors, schema_errors


def schema_problems(data) -> list[str]:
    """Every way the file breaks the official HSDS schemas, one line each, named by
    record as the import names its problems."""
    records = records_of(data)
    if records is None:
        return ["file: not a list, a Page object or a service object"]
    lines = []
    if isinstance(data, dict) and "contents" in data:
        lines += [f"file: {error}" for error in page_errors({**data, "contents": []}, "service")]
    for index, record in enumerate(records):
        label = f"record {index + 1}"
        if isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"]:
            label = record["id"]
        lines += [f"{label}: {error}" for error in schema_errors(record, "service")]
    return lines


class Command(BaseCommand):
    help = (
        f"Check an HSDS file against the official HSDS {VERSION} schemas and the Norwegian "
        "profile (docs/hsds-profile.md); list every problem. Imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="HSDS services: a list, a Page object or one service"
        )

    def handle(self, *args, file: Path, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{file} is not valid UTF-8 JSON: {error}") from error
        official = schema_problems(data)
        # Parsing only reads; the rollback makes sure nothing is ever kept.
        with transaction.atomic():
            plans, problems = parse_services(data)
            transaction.set_rollback(True)
        for line in official:
            self.stderr.write(f"HSDS {VERSION}: {line}")
        for problem in problems:
            self.stderr.write(f"profile: {problem}")
        if official or problems:
            raise CommandError(
                f"{file}: {len(official)} problem(s) with the HSDS {VERSION} schemas, "
                f"{len(problems)} with the Norwegian profile."
            )
        self.stdout.write(
            f"{file}: valid HSDS {VERSION} in the Norwegian profile ({len(plans)} services)."
        )
