"""Database triggers that tell every process's search index what changed.

See ``models/index_state.py`` for what they write: the ids of changed services, a new
token when something every service refers to changes, and a token for the feedback
tables. They are (re)installed after every ``migrate`` and ``flush`` (``post_migrate``),
not only in a migration: on SQLite, Django alters a table by rebuilding it, which drops
its triggers, so a later migration could otherwise switch them off without anyone
noticing. Installing is idempotent. ``tests/test_search_index.py`` checks that every
watched table has them.

On PostgreSQL a writer takes a transaction-level advisory lock before it appends to the
change log, so log ids commit in order (see ``ServiceChange``). SQLite has one writer at
a time anyway.

Other triggers stamp ``Service.public_updated_at``, which the public API's validators and
the HSDS ``last_modified`` read, when something public changes: a public column of the
service or its organisation, a public location, a channel, opening hours, a term or
coverage. A confidential location's rows, an operator note and the review bookkeeping
leave it, so polling the public API cannot tell that a shelter moved. The stamp only
moves forward, and a save that writes back an older value is undone.

What services refer to is shown with them too: a vocabulary term's code and labels, a
language's name, a municipality's or county's number and name. An update that changes
one of those columns (``PUBLIC_REFERENCE_FIELDS``) stamps every service that refers to
the row: through its many-to-many tables, and for a municipality or county also through
the public locations that show it. Staff-only columns (a topic's guidance, a service
type's review interval, a municipality's point and other names) stamp nothing, nor does
a write of the same values, so a reload of the reference data costs nothing. Deleting a
term deletes its rows in the many-to-many tables first, whose own triggers stamp.

A last pair writes a ``ServiceDeparture`` when a service stops being public (published
and active): an update that unpublishes or closes it, or the delete of a public one. The
HSDS feed and the public list send those as inactive records, so a partner syncing with
``modified_after`` learns of every closure. A service that was never public leaves no
trace. The row keeps the newest departure; its time only moves forward.
"""

from typing import NamedTuple, cast

from django.apps import apps
from django.db import models

PREFIX = "services_directory"
TOUCH = f"{PREFIX}_touch"
LOG = f"{PREFIX}_log"
PUBLIC = f"{PREFIX}_public"
PUBLIC_COLUMN = "public_updated_at"
TOKEN_TABLE = "services_directory_directorychange"  # noqa: S105 (a table name)
LOG_TABLE = "services_directory_servicechange"
DEPARTURE_TABLE = "services_directory_servicedeparture"
DEPARTED = f"{PREFIX}_departed"
SERVICE_TABLE = "services_directory_service"
ORGANIZATION_TABLE = "services_directory_organization"
# Any constant: the advisory lock that orders appends to the change log.
LOG_LOCK = 0x5D1D_C4A6

_SQLITE_OPERATIONS = ("INSERT", "UPDATE", "DELETE")
PG_STAMP = "(random() * 9e18)::bigint"


def _state():
    from services_directory.models import index_state

    return index_state


def token_tables() -> dict[str, int]:
    """Each table whose writes stamp a token, with that token."""
    state = _state()
    app = apps.get_app_config("services_directory")
    tables = {app.get_model(name)._meta.db_table: state.DIRECTORY for name in state.REBUILD_MODELS}
    for name in state.FEEDBACK_MODELS:
        tables[app.get_model(name)._meta.db_table] = state.FEEDBACK
    for label in state.GUIDE_MODELS:
        model = apps.get_model(label)
        tables[model._meta.db_table] = state.GUIDE
        for field in model._meta.local_many_to_many:
            through = cast(type[models.Model], field.remote_field.through)
            tables[through._meta.db_table] = state.GUIDE
    return tables


def log_tables() -> dict[str, str]:
    """Each table whose rows belong to one service, with the column naming it."""
    state = _state()
    app = apps.get_app_config("services_directory")
    tables = {
        app.get_model(name)._meta.db_table: column
        for name, column in state.SERVICE_ROW_MODELS.items()
    }
    service = app.get_model("Service")
    for name in state.SERVICE_M2M:
        field = cast(models.ManyToManyField, service._meta.get_field(name))
        through = cast(type[models.Model], field.remote_field.through)
        tables[through._meta.db_table] = "service_id"
    return tables


def watched_tables() -> dict[str, str]:
    """Every table with triggers, and what they write: "token <n>", "log" or "names"."""
    tables = {table: f"token {token}" for table, token in token_tables().items()}
    tables.update(dict.fromkeys(log_tables(), "log"))
    tables[ORGANIZATION_TABLE] = "names"
    return tables


def _watched_columns(table: str) -> list[str] | None:
    """The columns whose updates count (None: all of them). The review bookkeeping of a
    service changes nothing a search shows, so "Verified today" costs no reload."""
    if table == ORGANIZATION_TABLE:
        # The index reads only an organisation's name (for the name search); its cards
        # read the rest fresh.
        return ["name"]
    for model in apps.get_app_config("services_directory").get_models():
        if model._meta.db_table == table and model.__name__ in _state().UNWATCHED_FIELDS:
            skipped = {
                cast(models.Field, model._meta.get_field(name)).column
                for name in _state().UNWATCHED_FIELDS[model.__name__]
            }
            return [
                f.column
                for f in model._meta.concrete_fields
                if f.column and f.column not in skipped
            ]
    return None


def _update_event(table: str) -> str:
    columns = _watched_columns(table)
    if columns is None:
        return "UPDATE"
    return "UPDATE OF " + ", ".join(f'"{column}"' for column in columns)


class PublicSource(NamedTuple):
    """A table whose changes can change what the public outputs show."""

    table: str
    columns: list[str]  # compared before and after an update
    texts: frozenset[str]  # the text columns among them, where NULL and "" say the same
    # The service table's column that names the services to stamp, and the column of
    # this table's row that holds their id.
    target: str
    key: str
    operations: tuple[str, ...] = _SQLITE_OPERATIONS
    confidential: str | None = None  # a row with this column true is not public


def public_sources() -> list[PublicSource]:
    """Every table whose writes stamp public_updated_at, with the columns that count."""
    from services_directory.models import directory

    app = apps.get_app_config("services_directory")

    def columns(model, skipped=()) -> list[str]:
        return [
            f.column
            for f in model._meta.concrete_fields
            if f.column and not f.primary_key and f.name not in skipped
        ]

    def texts(model) -> frozenset[str]:
        # modeltranslation leaves an untranslated text NULL and the admin saves it as "".
        return frozenset(
            f.column
            for f in model._meta.concrete_fields
            if f.column and isinstance(f, models.CharField | models.TextField)
        )

    service = app.get_model("Service")
    sources = [
        PublicSource(
            SERVICE_TABLE,
            columns(service, directory.NOT_PUBLIC_FIELDS),
            texts(service),
            "id",
            "id",
            operations=("UPDATE",),
        ),
        # Every column of an organisation is exported with its services.
        PublicSource(
            ORGANIZATION_TABLE,
            columns(app.get_model("Organization")),
            texts(app.get_model("Organization")),
            "organization_id",
            "id",
            operations=("UPDATE",),
        ),
        PublicSource(
            app.get_model("Location")._meta.db_table,
            columns(app.get_model("Location")),
            texts(app.get_model("Location")),
            "id",
            "service_id",
            confidential="is_confidential",
        ),
    ]
    for name in ("ContactChannel", "OpeningHours"):
        model = app.get_model(name)
        table = model._meta.db_table
        sources.append(PublicSource(table, columns(model), texts(model), "id", "service_id"))
    for name in _state().SERVICE_M2M:
        field = cast(models.ManyToManyField, service._meta.get_field(name))
        through = cast(type[models.Model], field.remote_field.through)
        table = through._meta.db_table
        sources.append(PublicSource(table, columns(through), frozenset(), "id", "service_id"))
    return sources


# What the public outputs read of the rows services refer to, as field names (a translated
# field counts in every language). A term's position orders the codes in the public list;
# an inactive term leaves the public taxonomy, so its id no longer resolves there. Left
# out, so that editing them stamps nothing: a topic's guidance and a service type's review
# interval (staff only), a language's English name (the desk's), and a municipality's
# other names, point, population and flags and whether a place is active (they steer the
# search for a caller's place; no service shows them).
_TERM_FIELDS = ("code", "label", "position", "is_active")
PUBLIC_REFERENCE_FIELDS = {
    "ServiceType": _TERM_FIELDS,
    "Topic": _TERM_FIELDS,
    "TargetGroup": _TERM_FIELDS,
    "AccessibilityFeature": _TERM_FIELDS,
    "Language": ("code", "name_nb"),
    "County": ("number", "name"),
    # A public location shows the county its municipality lies in.
    "Municipality": ("number", "name", "county"),
}


class ReferenceSource(NamedTuple):
    """A table of rows that services refer to, whose updates can change what the public
    outputs show of those services."""

    table: str
    function: str  # the PostgreSQL function that stamps them
    columns: list[str]  # compared before and after an update
    texts: frozenset[str]  # as PublicSource's
    services: list[str]  # queries of the ids of the services that refer to the OLD row


def _column(model: type[models.Model], name: str) -> str:
    return cast(str, cast(models.Field, model._meta.get_field(name)).column)


def reference_sources() -> list[ReferenceSource]:
    """Every table of rows services refer to, with the columns that count and the ways
    services refer to a row."""
    app = apps.get_app_config("services_directory")
    service = app.get_model("Service")
    location = app.get_model("Location")
    municipality = app.get_model("Municipality")
    county = app.get_model("County")
    referring: dict[type[models.Model], list[str]] = {}
    for name in _state().SERVICE_M2M:
        field = cast(models.ManyToManyField, service._meta.get_field(name))
        through = cast(type[models.Model], field.remote_field.through)
        target = cast(type[models.Model], field.related_model)
        referring.setdefault(target, []).append(
            f'SELECT "{field.m2m_column_name()}" FROM "{through._meta.db_table}" '
            f'WHERE "{field.m2m_reverse_name()}" = OLD."{target._meta.pk.column}"'
        )
    # Only a public location shows its municipality and county.
    located = (
        f'SELECT "{_column(location, "service")}" FROM "{location._meta.db_table}" '
        f'WHERE NOT "{_column(location, "is_confidential")}" '
        f'AND "{_column(location, "municipality")}"'
    )
    referring[municipality].append(f'{located} = OLD."{municipality._meta.pk.column}"')
    referring[county].append(
        f'{located} IN (SELECT "{municipality._meta.pk.column}" '
        f'FROM "{municipality._meta.db_table}" '
        f'WHERE "{_column(municipality, "county")}" = OLD."{county._meta.pk.column}")'
    )
    sources = []
    for model, queries in referring.items():
        names = PUBLIC_REFERENCE_FIELDS[model.__name__]  # a new vocabulary must be listed
        for name in names:
            model._meta.get_field(name)  # fails at install if a listed field is renamed away
        # Each public column, and whether it is text; a translated field's too.
        public = {
            column: isinstance(f, models.CharField | models.TextField)
            for f in model._meta.concrete_fields
            if (column := f.column)
            and (
                f.name in names
                or getattr(getattr(f, "translated_field", None), "name", "") in names
            )
        }
        sources.append(
            ReferenceSource(
                model._meta.db_table,
                f"{PUBLIC}_{model._meta.model_name}",
                list(public),
                frozenset(column for column, text in public.items() if text),
                queries,
            )
        )
    return sources


def public_tables() -> dict[str, frozenset[str]]:
    """Every table whose writes stamp public_updated_at, with the operations that do."""
    tables = {source.table: frozenset(source.operations) for source in public_sources()}
    tables.update((source.table, frozenset({"UPDATE"})) for source in reference_sources())
    return tables


def _changed(columns: list[str], texts: frozenset[str], distinct: str) -> str:
    """Whether an update changed any of ``columns`` (``distinct``: the dialect's "is
    distinct from"), reading NULL and "" alike in ``texts``."""

    def value(row: str, column: str) -> str:
        if column in texts:
            return f"""COALESCE({row}."{column}", '')"""
        return f'{row}."{column}"'

    return (
        "(" + " OR ".join(f"{value('OLD', c)} {distinct} {value('NEW', c)}" for c in columns) + ")"
    )


def _public_condition(source: PublicSource, operation: str, distinct: str) -> str:
    """When a row's write changes something public (``distinct``: the dialect's "is
    distinct from")."""
    parts = []
    if operation == "UPDATE":
        parts.append(_changed(source.columns, source.texts, distinct))
    if source.confidential:
        flag = source.confidential
        rows = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["OLD", "NEW"]}[operation]
        # Public before or after: turning a public address confidential removes it.
        parts.append("(" + " OR ".join(f'NOT {row}."{flag}"' for row in rows) + ")")
    return " AND ".join(parts) or "1 = 1"


# --- PostgreSQL ------------------------------------------------------------------------
# Only constant names and numbers are formatted into these statements.


def _postgres_statements() -> list[str]:
    state = _state()
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION {TOUCH}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {TOKEN_TABLE} (id, token)
            VALUES (TG_ARGV[0]::bigint, (random() * 9e18)::bigint)
            ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
            RETURN NULL;
        END
        $$""",
        # A row's service, before and after: both changed if a row moved between two.
        f"""
        CREATE OR REPLACE FUNCTION {LOG}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            before bigint;
            after bigint;
        BEGIN
            PERFORM pg_advisory_xact_lock({LOG_LOCK});
            IF TG_OP <> 'INSERT' THEN
                before := (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
                INSERT INTO {LOG_TABLE} (service_id, stamp) VALUES (before, {PG_STAMP});
            END IF;
            IF TG_OP <> 'DELETE' THEN
                after := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
                IF after IS DISTINCT FROM before THEN
                    INSERT INTO {LOG_TABLE} (service_id, stamp) VALUES (after, {PG_STAMP});
                END IF;
            END IF;
            RETURN NULL;
        END
        $$""",
        f"""
        CREATE OR REPLACE FUNCTION {LOG}_names() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock({LOG_LOCK});
            INSERT INTO {LOG_TABLE} (service_id, stamp)
            SELECT id, {PG_STAMP} FROM {SERVICE_TABLE} WHERE organization_id = NEW.id;
            RETURN NULL;
        END
        $$""",
        f"""
        CREATE OR REPLACE FUNCTION {LOG}_prune() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {LOG_TABLE} WHERE id <= NEW.id - {state.KEEP_CHANGES};
            RETURN NULL;
        END
        $$""",
        f"CREATE OR REPLACE TRIGGER {LOG}_prune AFTER INSERT ON {LOG_TABLE} FOR EACH ROW "
        f"WHEN (NEW.id % {state.PRUNE_EVERY} = 0) EXECUTE FUNCTION {LOG}_prune()",
    ]
    for table, token in token_tables().items():
        statements.append(
            f"CREATE OR REPLACE TRIGGER {TOUCH} "
            f"AFTER INSERT OR {_update_event(table)} OR DELETE OR TRUNCATE "
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {TOUCH}({token})'
        )
    for table, column in log_tables().items():
        statements += [
            f"CREATE OR REPLACE TRIGGER {LOG} AFTER INSERT OR {_update_event(table)} OR DELETE "
            f"ON \"{table}\" FOR EACH ROW EXECUTE FUNCTION {LOG}('{column}')",
            # TRUNCATE has no rows to name: everything is rebuilt.
            f"CREATE OR REPLACE TRIGGER {TOUCH} AFTER TRUNCATE "
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {TOUCH}({state.DIRECTORY})',
        ]
    statements += _postgres_public_statements()
    statements += _postgres_departure_statements()
    statements += [
        # Organisations once stamped the rebuild token (before the change log).
        f'DROP TRIGGER IF EXISTS {TOUCH} ON "{ORGANIZATION_TABLE}"',
        f"CREATE OR REPLACE TRIGGER {LOG} AFTER {_update_event(ORGANIZATION_TABLE)} "
        f'ON "{ORGANIZATION_TABLE}" FOR EACH ROW EXECUTE FUNCTION {LOG}_names()',
    ]
    return statements


# Strictly later than the stamp it replaces, so that an ETag always moves.
PG_LATER = f"GREATEST(clock_timestamp(), {PUBLIC_COLUMN} + interval '1 microsecond')"


def _postgres_public_statements() -> list[str]:
    # Run by format() with the column to match: quoted as a string literal in it.
    stamp = f"UPDATE {SERVICE_TABLE} SET {PUBLIC_COLUMN} = {PG_LATER} WHERE %I = $1"
    stamp = stamp.replace("'", "''")
    statements = [
        # TG_ARGV: the service table's column to match, and this row's column with the id.
        f"""
        CREATE OR REPLACE FUNCTION {PUBLIC}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            before bigint;
            after bigint;
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                before := (to_jsonb(OLD) ->> TG_ARGV[1])::bigint;
                EXECUTE format('{stamp}', TG_ARGV[0]) USING before;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                after := (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
                IF after IS DISTINCT FROM before THEN
                    EXECUTE format('{stamp}', TG_ARGV[0]) USING after;
                END IF;
            END IF;
            RETURN NULL;
        END
        $$""",
        # A save of a service read before a stamp writes the older value back: undone.
        f"""
        CREATE OR REPLACE FUNCTION {PUBLIC}_keep() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {SERVICE_TABLE}
            SET {PUBLIC_COLUMN} = GREATEST({PUBLIC_COLUMN}, OLD.{PUBLIC_COLUMN})
            WHERE id = NEW.id;
            RETURN NULL;
        END
        $$""",
        f"CREATE OR REPLACE TRIGGER {PUBLIC}_keep AFTER UPDATE ON {SERVICE_TABLE} FOR EACH ROW "
        f"WHEN (NEW.{PUBLIC_COLUMN} < OLD.{PUBLIC_COLUMN}) EXECUTE FUNCTION {PUBLIC}_keep()",
    ]
    for source in public_sources():
        for operation in source.operations:
            condition = _public_condition(source, operation, "IS DISTINCT FROM")
            statements.append(
                f"CREATE OR REPLACE TRIGGER {PUBLIC}_{operation.lower()} AFTER {operation} "
                f'ON "{source.table}" FOR EACH ROW WHEN ({condition}) '
                f"EXECUTE FUNCTION {PUBLIC}('{source.target}', '{source.key}')"
            )
    # A rename stamps the services that refer to the row, whatever the column that names
    # them: one function per table, with its queries written in.
    for reference in reference_sources():
        services = " UNION ".join(reference.services)
        condition = _changed(reference.columns, reference.texts, "IS DISTINCT FROM")
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {reference.function}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE {SERVICE_TABLE} SET {PUBLIC_COLUMN} = {PG_LATER}
                WHERE id IN ({services});
                RETURN NULL;
            END
            $$""",
            f"CREATE OR REPLACE TRIGGER {PUBLIC}_update AFTER UPDATE "
            f'ON "{reference.table}" FOR EACH ROW WHEN {condition} '
            f"EXECUTE FUNCTION {reference.function}()",
        ]
    return statements


def _public_row(row: str) -> str:
    """Whether ``row`` (OLD or NEW) of the service table is public, as
    ``ServiceQuerySet.public()`` says: published and active."""
    return f"({row}.is_published AND {row}.status = 'active')"


def _postgres_departure_statements() -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION {DEPARTED}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {DEPARTURE_TABLE} (service_uuid, service_pk, departed_at)
            VALUES (OLD.uuid, OLD.id, clock_timestamp())
            ON CONFLICT (service_uuid) DO UPDATE SET
                service_pk = EXCLUDED.service_pk,
                departed_at = GREATEST(
                    EXCLUDED.departed_at,
                    {DEPARTURE_TABLE}.departed_at + interval '1 microsecond'
                );
            RETURN NULL;
        END
        $$""",
        f"CREATE OR REPLACE TRIGGER {DEPARTED}_update AFTER UPDATE ON {SERVICE_TABLE} "
        f"FOR EACH ROW WHEN ({_public_row('OLD')} AND NOT {_public_row('NEW')}) "
        f"EXECUTE FUNCTION {DEPARTED}()",
        f"CREATE OR REPLACE TRIGGER {DEPARTED}_delete AFTER DELETE ON {SERVICE_TABLE} "
        f"FOR EACH ROW WHEN {_public_row('OLD')} EXECUTE FUNCTION {DEPARTED}()",
    ]


# --- SQLite ----------------------------------------------------------------------------


def _sqlite_name(table: str, operation: str) -> str:
    return f"{TOUCH}_{table}_{operation.lower()}"


def _sqlite_trigger(table: str, operation: str, body: str) -> list[str]:
    name = _sqlite_name(table, operation)
    event = _update_event(table) if operation == "UPDATE" else operation
    # Dropped first: SQLite cannot replace a trigger whose body changed.
    return [
        f'DROP TRIGGER IF EXISTS "{name}"',
        f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" BEGIN {body} END',
    ]


def _sqlite_statements() -> list[str]:
    state = _state()
    statements = []
    for table, token in token_tables().items():
        body = (
            f"INSERT INTO {TOKEN_TABLE} (id, token) VALUES ({token}, random()) "
            "ON CONFLICT (id) DO UPDATE SET token = excluded.token;"
        )
        for operation in _SQLITE_OPERATIONS:
            statements += _sqlite_trigger(table, operation, body)
    for table, column in log_tables().items():
        append = f"INSERT INTO {LOG_TABLE} (service_id, stamp)"
        bodies = {
            "INSERT": f"{append} VALUES (NEW.{column}, random());",
            "UPDATE": f"{append} SELECT OLD.{column}, random() "
            f"UNION SELECT NEW.{column}, random() WHERE NEW.{column} IS NOT OLD.{column};",
            "DELETE": f"{append} VALUES (OLD.{column}, random());",
        }
        for operation, body in bodies.items():
            statements += _sqlite_trigger(table, operation, body)
    # Organisations once stamped the rebuild token on every write (before the change log).
    statements += [
        f'DROP TRIGGER IF EXISTS "{_sqlite_name(ORGANIZATION_TABLE, operation)}"'
        for operation in ("INSERT", "DELETE")
    ]
    statements += _sqlite_trigger(
        ORGANIZATION_TABLE,
        "UPDATE",
        f"INSERT INTO {LOG_TABLE} (service_id, stamp) "
        f"SELECT id, random() FROM {SERVICE_TABLE} WHERE organization_id = NEW.id;",
    )
    statements += _sqlite_public_statements()
    statements += _sqlite_departure_statements()
    prune = f"{LOG}_prune"
    statements += [
        f'DROP TRIGGER IF EXISTS "{prune}"',
        f'CREATE TRIGGER "{prune}" AFTER INSERT ON {LOG_TABLE} '
        f"WHEN NEW.id % {state.PRUNE_EVERY} = 0 BEGIN "
        f"DELETE FROM {LOG_TABLE} WHERE id <= NEW.id - {state.KEEP_CHANGES}; END",
    ]
    return statements


# Django keeps SQLite times as text, "2026-12-07 04:10:00.123456": later text, later time.
SQLITE_TIME = "'%Y-%m-%d %H:%M:%f'"
SQLITE_LATER = (
    f"max(strftime({SQLITE_TIME}, 'now'), "
    f"strftime({SQLITE_TIME}, {PUBLIC_COLUMN}, '+0.001 seconds'))"
)


def _sqlite_public_statements() -> list[str]:
    statements = []
    stamp = f"UPDATE {SERVICE_TABLE} SET {PUBLIC_COLUMN} = {SQLITE_LATER} WHERE"
    for source in public_sources():
        target, key = source.target, source.key
        for operation in source.operations:
            name = f"{PUBLIC}_{source.table}_{operation.lower()}"
            condition = _public_condition(source, operation, "IS NOT")
            row = "OLD" if operation == "DELETE" else "NEW"
            body = f'{stamp} {target} = {row}."{key}";'
            if operation == "UPDATE":  # a row moved to another service: both change
                body += f' {stamp} {target} = OLD."{key}" AND OLD."{key}" IS NOT NEW."{key}";'
            statements += [
                f'DROP TRIGGER IF EXISTS "{name}"',
                f'CREATE TRIGGER "{name}" AFTER {operation} ON "{source.table}" '
                f"FOR EACH ROW WHEN {condition} BEGIN {body} END",
            ]
    for reference in reference_sources():
        name = f"{PUBLIC}_{reference.table}_update"
        condition = _changed(reference.columns, reference.texts, "IS NOT")
        services = " UNION ".join(reference.services)
        statements += [
            f'DROP TRIGGER IF EXISTS "{name}"',
            f'CREATE TRIGGER "{name}" AFTER UPDATE ON "{reference.table}" '
            f"FOR EACH ROW WHEN {condition} BEGIN "
            f"{stamp} id IN ({services}); END",
        ]
    keep = f"{PUBLIC}_{SERVICE_TABLE}_keep"
    statements += [
        f'DROP TRIGGER IF EXISTS "{keep}"',
        f'CREATE TRIGGER "{keep}" AFTER UPDATE ON "{SERVICE_TABLE}" '
        f"FOR EACH ROW WHEN NEW.{PUBLIC_COLUMN} < OLD.{PUBLIC_COLUMN} BEGIN "
        f"UPDATE {SERVICE_TABLE} SET {PUBLIC_COLUMN} = max({PUBLIC_COLUMN}, OLD.{PUBLIC_COLUMN}) "
        "WHERE id = NEW.id; END",
    ]
    return statements


def _sqlite_departure_statements() -> list[str]:
    now = f"strftime({SQLITE_TIME}, 'now')"
    later = f"strftime({SQLITE_TIME}, {DEPARTURE_TABLE}.departed_at, '+0.001 seconds')"
    body = (
        f"INSERT INTO {DEPARTURE_TABLE} (service_uuid, service_pk, departed_at) "
        f"VALUES (OLD.uuid, OLD.id, {now}) "
        "ON CONFLICT (service_uuid) DO UPDATE SET service_pk = excluded.service_pk, "
        f"departed_at = max(excluded.departed_at, {later});"
    )
    statements = []
    for operation, condition in (
        ("UPDATE", f"{_public_row('OLD')} AND NOT {_public_row('NEW')}"),
        ("DELETE", _public_row("OLD")),
    ):
        name = f"{DEPARTED}_{operation.lower()}"
        statements += [
            f'DROP TRIGGER IF EXISTS "{name}"',
            f'CREATE TRIGGER "{name}" AFTER {operation} ON "{SERVICE_TABLE}" '
            f"FOR EACH ROW WHEN {condition} BEGIN {body} END",
        ]
    return statements


def install(connection) -> None:
    if connection.vendor == "postgresql":
        statements = _postgres_statements()
    elif connection.vendor == "sqlite":
        statements = _sqlite_statements()
    else:
        raise NotImplementedError(f"no directory triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def installed_on(connection) -> dict[str, str]:
    """The watched tables that carry their triggers, described as watched_tables()
    describes them (for tests)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, trigger_name, action_statement, "
                "string_agg(event_manipulation, ',') "
                "FROM information_schema.triggers WHERE trigger_name IN (%s, %s) "
                "GROUP BY 1, 2, 3",
                [TOUCH, LOG],
            )
            found: dict[str, str] = {}
            for table, name, action, events in cursor.fetchall():
                if name == LOG:
                    found[table] = "names" if "_names()" in action else "log"
                elif events != "TRUNCATE":
                    token = int(action.rsplit("(", 1)[1].rstrip(")").strip("'"))
                    found[table] = f"token {token}"
            return found
        cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = {(table, name): sql for table, name, sql in cursor.fetchall()}
    found = {}
    for table, kind in watched_tables().items():
        operations = ("UPDATE",) if kind == "names" else _SQLITE_OPERATIONS
        bodies = [triggers.get((table, _sqlite_name(table, op))) or "" for op in operations]
        if not all(bodies):
            continue
        if LOG_TABLE in bodies[0]:
            found[table] = "names" if kind == "names" else "log"
        else:
            found[table] = "token " + bodies[0].split("VALUES (", 1)[1].split(",", 1)[0]
    return found


def public_installed_on(connection) -> dict[str, frozenset[str]]:
    """The tables that carry triggers stamping public_updated_at, with the operations
    they stamp on, as public_tables() gives them (for tests)."""
    names = {f"{PUBLIC}_{operation.lower()}": operation for operation in _SQLITE_OPERATIONS}
    found: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, trigger_name, event_manipulation "
                "FROM information_schema.triggers WHERE trigger_name IN (%s, %s, %s)",
                list(names),
            )
            for table, name, event in cursor.fetchall():
                if names[name] == event:
                    found.setdefault(table, set()).add(event)
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            for table, name in cursor.fetchall():
                for operation in _SQLITE_OPERATIONS:
                    if name == f"{PUBLIC}_{table}_{operation.lower()}":
                        found.setdefault(table, set()).add(operation)
    return {table: frozenset(operations) for table, operations in found.items()}


def install_after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    # Only once every watched table exists (the guidance library's are another app's):
    # a partial migrate installs nothing, the next full one everything.
    if {TOKEN_TABLE, LOG_TABLE, DEPARTURE_TABLE, *watched_tables()} <= tables:
        install(connection)
