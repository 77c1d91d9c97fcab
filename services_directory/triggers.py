"""Database triggers that stamp a new DirectoryChange token on every directory write.

They are (re)installed after every ``migrate`` and ``flush`` (``post_migrate``), not
only in a migration: on SQLite, Django alters a table by rebuilding it, which drops its
triggers, so a later migration could otherwise switch them off without anyone noticing.
Installing is idempotent. ``tests/test_search_index.py`` checks that every watched table
has them.
"""

from django.apps import apps

FUNCTION = "services_directory_touch"
TOKEN_TABLE = "services_directory_directorychange"  # noqa: S105 (a table name)

# Only constant names are formatted into these statements.
_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TOKEN_TABLE} (id, token) VALUES (1, (random() * 9e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$
"""  # noqa: S608
_SQLITE_OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def watched_tables() -> list[str]:
    from services_directory.models.changes import WATCHED_M2M, WATCHED_MODELS

    app = apps.get_app_config("services_directory")
    tables = [app.get_model(name)._meta.db_table for name in WATCHED_MODELS]
    service = app.get_model("Service")
    tables += [
        service._meta.get_field(name).remote_field.through._meta.db_table for name in WATCHED_M2M
    ]
    return tables


def install(connection) -> None:
    if connection.vendor == "postgresql":
        statements = [_POSTGRES_FUNCTION] + [
            f"CREATE OR REPLACE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()'
            for table in watched_tables()
        ]
    elif connection.vendor == "sqlite":
        statements = [
            f'CREATE TRIGGER IF NOT EXISTS "{FUNCTION}_{table}_{operation.lower()}" '  # noqa: S608
            f'AFTER {operation} ON "{table}" BEGIN '
            f"INSERT INTO {TOKEN_TABLE} (id, token) VALUES (1, random()) "
            "ON CONFLICT (id) DO UPDATE SET token = excluded.token; END"
            for table in watched_tables()
            for operation in _SQLITE_OPERATIONS
        ]
    else:
        raise NotImplementedError(f"no directory triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def installed_on(connection) -> set[str]:
    """The watched tables that carry the triggers (for tests and checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name = %s",
                [FUNCTION],
            )
            return {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        names = {(table, name) for table, name in cursor.fetchall()}
    return {
        table
        for table in watched_tables()
        if all(
            (table, f"{FUNCTION}_{table}_{operation.lower()}") in names
            for operation in _SQLITE_OPERATIONS
        )
    }


def install_after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    if TOKEN_TABLE in tables:
        install(connection)
