from django.db import migrations


TABLE = "services_directory_service"
# As they were then (the name search has since moved out of SQL: see 0010).
NAME_FIELDS = ("name_nb", "name_nn", "name_en", "name_se")


def _statements():
    # icontains on PostgreSQL is UPPER(col::text) LIKE UPPER(...): index that expression,
    # and the plain bokmål name for the fuzzy %>> operator.
    yield f"CREATE INDEX service_name_nb_trgm ON {TABLE} USING gin (name_nb gin_trgm_ops)"
    for field in NAME_FIELDS:
        yield (
            f"CREATE INDEX service_upper_{field}_trgm ON {TABLE} "
            f"USING gin ((UPPER(({field})::text)) gin_trgm_ops)"
        )


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _statements():
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS service_name_nb_trgm")
        for field in NAME_FIELDS:
            schema_editor.execute(f"DROP INDEX IF EXISTS service_upper_{field}_trgm")


class Migration(migrations.Migration):
    """Trigram indexes for the name search (PostgreSQL only; SQLite scans, as a demo may)."""

    dependencies = [
        ("services_directory", "0008_directory_change"),
    ]

    operations = [migrations.RunPython(create, drop)]
