from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    """Typo-tolerant name search on PostgreSQL (pg_trgm; a no-op on SQLite), and an index
    for the "open at" lookups, which look up one service's rows of one kind."""

    dependencies = [
        ("services_directory", "0004_error_reports"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddIndex(
            model_name="openinghours",
            index=models.Index(
                fields=["service", "kind", "weekday"], name="hours_service_kind_weekday"
            ),
        ),
    ]
