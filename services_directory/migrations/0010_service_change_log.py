from django.db import migrations, models

TABLE = "services_directory_service"
NAME_FIELDS = ("name_nb", "name_nn", "name_en", "name_se")


def drop_name_indexes(apps, schema_editor):
    # The name search runs in each process's search index: nothing reads these.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS service_name_nb_trgm")
        for field in NAME_FIELDS:
            schema_editor.execute(f"DROP INDEX IF EXISTS service_upper_{field}_trgm")


def create_name_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX service_name_nb_trgm ON {TABLE} USING gin (name_nb gin_trgm_ops)"
        )
        for field in NAME_FIELDS:
            schema_editor.execute(
                f"CREATE INDEX service_upper_{field}_trgm ON {TABLE} "
                f"USING gin ((UPPER(({field})::text)) gin_trgm_ops)"
            )


class Migration(migrations.Migration):
    """The log of changed services that lets each search index reload only those (its
    triggers are installed after every migrate: see services_directory.triggers)."""

    dependencies = [
        ("services_directory", "0009_name_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ServiceChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("service_id", models.BigIntegerField()),
                ("stamp", models.BigIntegerField()),
            ],
            options={"verbose_name": "service change"},
        ),
        migrations.RunPython(drop_name_indexes, create_name_indexes),
        # "Open at" is asked of each process's index, no longer in SQL.
        migrations.RemoveIndex(model_name="openinghours", name="hours_weekly_open_at"),
        migrations.RemoveIndex(model_name="openinghours", name="hours_exceptions_open_at"),
    ]
