"""Database triggers that stamp a new DirectoryChange token on every write they watch.

Two tokens: ``DIRECTORY`` for the tables the search index is built from, and ``FEEDBACK``
for error reports and free shelter places, which change all day and are cheap to reload
on their own. They are (re)installed after every ``migrate`` and ``flush``
(``post_migrate``), not only in a migration: on SQLite, Django alters a table by
rebuilding it, which drops its triggers, so a later migration could otherwise switch
them off without anyone noticing. Installing is idempotent. ``tests/test_search_index.py``
checks that every watched table has them.
"""

from django.apps import apps

FUNCTION = "services_directory_touch"
TOKEN_TABLE = "services_directory_directorychange"  # noqa: S105 (a table name)

# Only constant names are formatted into these statements.
_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TOKEN_TABLE} (id, token) VALUES (TG_ARGV[0]::bigint, (random() * 9e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$
"""  # noqa: S608
_SQLITE_OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def watched_tables() -> dict[str, int]:
    """Each watched table, with the token its writes change."""
    from services_directory.models.changes import (
        DIRECTORY,
        FEEDBACK,
        FEEDBACK_MODELS,
        WATCHED_M2M,
        WATCHED_MODELS,
    )

    app = apps.get_app_config("services_directory")
    tables = {app.get_model(name)._meta.db_table: DIRECTORY for name in WATCHED_MODELS}
    service = app.get_model("Service")
    for name in WATCHED_M2M:
        tables[service._meta.get_field(name).remote_field.through._meta.db_table] = DIRECTORY
    for name in FEEDBACK_MODELS:
        tables[app.get_model(name)._meta.db_table] = FEEDBACK
    return tables


def _update_columns(table: str) -> str:
    """``UPDATE`` or ``UPDATE OF <columns>``: the review bookkeeping of a service (see
    changes.UNWATCHED_FIELDS) changes nothing a search shows, so it costs no rebuild."""
    from services_directory.models.changes import UNWATCHED_FIELDS

    for model in apps.get_app_config("services_directory").get_models():
        if model._meta.db_table == table and model.__name__ in UNWATCHED_FIELDS:
            skipped = {
                model._meta.get_field(name).column for name in UNWATCHED_FIELDS[model.__name__]
            }
            columns = [f.column for f in model._meta.concrete_fields if f.column not in skipped]
            return "UPDATE OF " + ", ".join(f'"{column}"' for column in columns)
    return "UPDATE"


def _sqlite_name(table: str, operation: str) -> str:
    return f"{FUNCTION}_{table}_{operation.lower()}"


def install(connection) -> None:
    tables = watched_tables()
    if connection.vendor == "postgresql":
        statements = [_POSTGRES_FUNCTION] + [
            f"CREATE OR REPLACE TRIGGER {FUNCTION} "
            f"AFTER INSERT OR {_update_columns(table)} OR DELETE OR TRUNCATE "
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}({token})'
            for table, token in tables.items()
        ]
    elif connection.vendor == "sqlite":
        statements = []
        for table, token in tables.items():
            for operation in _SQLITE_OPERATIONS:
                name = _sqlite_name(table, operation)
                event = _update_columns(table) if operation == "UPDATE" else operation
                # Dropped first: SQLite cannot replace a trigger whose body changed.
                statements.append(f'DROP TRIGGER IF EXISTS "{name}"')
                statements.append(
                    f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" BEGIN '  # noqa: S608
                    f"INSERT INTO {TOKEN_TABLE} (id, token) VALUES ({token}, random()) "
                    "ON CONFLICT (id) DO UPDATE SET token = excluded.token; END"
                )
    else:
        raise NotImplementedError(f"no directory triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def installed_on(connection) -> dict[str, int]:
    """The watched tables that carry a trigger, with the token it changes (for tests)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, action_statement FROM information_schema.triggers "
                "WHERE trigger_name = %s",
                [FUNCTION],
            )
            found = {}
            for table, action in cursor.fetchall():
                found[table] = int(action.rsplit("(", 1)[1].rstrip(")").strip("'"))
            return found
        cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = {(table, name): sql for table, name, sql in cursor.fetchall()}
    found = {}
    for table in watched_tables():
        bodies = [triggers.get((table, _sqlite_name(table, op))) for op in _SQLITE_OPERATIONS]
        if all(bodies):
            found[table] = int(bodies[0].split("VALUES (", 1)[1].split(",", 1)[0])
    return found


def install_after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    if TOKEN_TABLE in tables:
        install(connection)
