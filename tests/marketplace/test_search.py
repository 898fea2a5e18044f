"""The full-text index behind the marketplace search (marketplace/search.py):
installed by its migration and by any later one that rebuilds the table."""

from __future__ import annotations

from django.db import connection

from marketplace import search


def _installed() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'table')")
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'marketplace_service'"
                " UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                " UNION SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'marketplace_service'"
            )
        return {row[0] for row in cursor.fetchall()}


def _expected() -> set[str]:
    if connection.vendor == "sqlite":
        return {*search.SQLITE_TRIGGERS, "marketplace_service_fts"}
    return {
        *search.POSTGRES_INDEXES,
        search.POSTGRES_LABELS_INDEX,
        *search.POSTGRES_TRIGGERS,
        "label_ids",
    }


def test_the_full_text_index_is_installed(db) -> None:
    # A migration that rebuilds marketplace_service on SQLite drops its triggers.
    assert _expected() <= _installed()


def test_it_uninstalls_and_reinstalls_the_full_text_index(transactional_db) -> None:
    with connection.schema_editor() as editor:
        search.uninstall(editor)
    removed = _installed()
    with connection.schema_editor() as editor:
        search.install(editor)

    assert not (_expected() & removed)
    assert _expected() <= _installed()
