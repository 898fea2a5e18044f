"""Installing the marketplace's database triggers (facet_count_triggers.py,
catalog_version.py and search.py), which keep derived rows in the transaction
of the write.

A trigger is given as ``{name: (when, statements)}``: ``when`` is the event,
the table and any WHEN or REFERENCING clause; ``statements`` its body. On
SQLite it is a row-level trigger; on PostgreSQL a statement-level one, with a
function of the same name.
"""

from __future__ import annotations

Triggers = dict[str, tuple[str, list[str]]]


def _table(when: str) -> str:
    return when.split(" ON ")[1].split()[0]


def table_of(trigger: tuple[str, list[str]]) -> str:
    """The table a trigger is on."""
    return _table(trigger[0])


def install(schema_editor, *, sqlite: Triggers, postgresql: Triggers) -> None:
    """Create, or re-create, the triggers for the schema editor's database."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name, (when, body) in sqlite.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            schema_editor.execute(f"CREATE TRIGGER {name} {when} BEGIN {'; '.join(body)}; END")
    elif vendor == "postgresql":
        for name, (when, body) in postgresql.items():
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $$ BEGIN {'; '.join(body)}; RETURN NULL; END $$"
            )
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {_table(when)}")
            schema_editor.execute(
                f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    else:
        raise NotImplementedError(f"No marketplace triggers for {vendor}.")


def uninstall(schema_editor, *, sqlite: Triggers, postgresql: Triggers) -> None:
    """Drop them (a migration's reverse: SQLite's table rebuilds fail while a
    trigger names a table that is gone)."""
    if schema_editor.connection.vendor == "sqlite":
        for name in sqlite:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    for name, (when, _) in postgresql.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {_table(when)}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def names(vendor: str, *, sqlite: Triggers, postgresql: Triggers) -> list[str]:
    return list(sqlite if vendor == "sqlite" else postgresql)


def installed(connection) -> set[str]:
    """The names of the triggers the database holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}
