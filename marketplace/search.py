"""Full-text search over services, on an index rather than a table scan.

SQLite: an FTS5 table holding each service's name and body (summary and
overview), kept in step by triggers on ``marketplace_service`` so that every
write path (console, admin, bulk loads) is indexed. PostgreSQL: GIN indexes
on ``to_tsvector('simple', ...)`` of the same columns.

Matching is by word prefix on both: "pay" finds "Payments API". Labels
(tags) are matched as substrings of the tag names, which live in a small
table of their own.
"""

from __future__ import annotations

import re

from django.db import connection as default_connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Value
from django.db.models.expressions import RawSQL

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
_WORD = re.compile(r"\w+", re.UNICODE)

SEARCH_FIELDS = ("all", "name", "label", "content")

# Kept here (not only in the migration) so that a later migration that
# rebuilds marketplace_service on SQLite -- which drops its triggers -- can
# install them again, and tests/marketplace/test_search.py checks they exist.
SQLITE_INSTALL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS marketplace_service_fts "
    "USING fts5(name, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS marketplace_service_fts_insert "
    "AFTER INSERT ON marketplace_service BEGIN "
    "INSERT INTO marketplace_service_fts (rowid, name, body) "
    "VALUES (new.id, new.name, new.summary || ' ' || new.overview); END",
    "CREATE TRIGGER IF NOT EXISTS marketplace_service_fts_update "
    "AFTER UPDATE OF name, summary, overview ON marketplace_service BEGIN "
    "DELETE FROM marketplace_service_fts WHERE rowid = old.id; "
    "INSERT INTO marketplace_service_fts (rowid, name, body) "
    "VALUES (new.id, new.name, new.summary || ' ' || new.overview); END",
    "CREATE TRIGGER IF NOT EXISTS marketplace_service_fts_delete "
    "AFTER DELETE ON marketplace_service BEGIN "
    "DELETE FROM marketplace_service_fts WHERE rowid = old.id; END",
    "DELETE FROM marketplace_service_fts",
    "INSERT INTO marketplace_service_fts (rowid, name, body) "
    "SELECT id, name, summary || ' ' || overview FROM marketplace_service",
]
SQLITE_TRIGGERS = (
    "marketplace_service_fts_insert",
    "marketplace_service_fts_update",
    "marketplace_service_fts_delete",
)

_PG_NAME = "to_tsvector('simple', {table}.name)"
_PG_BODY = "to_tsvector('simple', {table}.summary || ' ' || {table}.overview)"
POSTGRES_INSTALL = [
    "CREATE INDEX IF NOT EXISTS marketplace_service_name_fts ON marketplace_service "
    "USING gin (" + _PG_NAME.format(table="marketplace_service") + ")",
    "CREATE INDEX IF NOT EXISTS marketplace_service_body_fts ON marketplace_service "
    "USING gin (" + _PG_BODY.format(table="marketplace_service") + ")",
]


def install(schema_editor) -> None:
    statements = {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


def terms(text: str) -> list[str]:
    """The words of a search, lower-cased, bounded in number and length."""
    return [word[:MAX_TERM_LENGTH].lower() for word in _WORD.findall(text or "")][:MAX_TERMS]


class _TextMatches(Func):
    """PostgreSQL: ``to_tsvector('simple', col || ' ' || col) @@ to_tsquery(...)``,
    the very expressions the GIN indexes are built on, so the planner uses
    them. Columns are compiled by Django, so table aliases stay right."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        *columns, query = self.get_source_expressions()
        sql_parts, params = [], []
        for column in columns:
            column_sql, column_params = compiler.compile(column)
            sql_parts.append(column_sql)
            params.extend(column_params)
        query_sql, query_params = compiler.compile(query)
        vector = " || ' ' || ".join(sql_parts)
        return (
            f"to_tsvector('simple', {vector}) @@ to_tsquery('simple', {query_sql})",
            params + query_params,
        )


def _fts_condition(column: str, words: list[str]) -> Q:
    """Services whose ``column`` ("name" or "body", the summary and overview)
    has a word starting with each of ``words``."""
    if default_connection.vendor == "postgresql":
        columns = [F("name")] if column == "name" else [F("summary"), F("overview")]
        query = " & ".join(f"{word}:*" for word in words)
        return Q(_TextMatches(*columns, Value(query)))
    if default_connection.vendor == "sqlite":
        query = " AND ".join(f'{column} : "{word}"*' for word in words)
        return Q(
            pk__in=RawSQL(
                "SELECT rowid FROM marketplace_service_fts WHERE marketplace_service_fts MATCH %s",
                [query],
            )
        )
    lookups = Q()
    for word in words:
        if column == "name":
            lookups &= Q(name__icontains=word)
        else:
            lookups &= Q(summary__icontains=word) | Q(overview__icontains=word)
    return lookups


def _label_condition(text: str) -> Exists:
    from .models import Service

    return Exists(
        Service.tags.through.objects.filter(
            service_id=OuterRef("pk"), tag__name__icontains=text.strip()
        )
    )


def search_condition(text: str, field: str = "all") -> Q | None:
    """A filter for services matching ``text`` in ``field`` (one of
    SEARCH_FIELDS), or None when the text holds no searchable word."""
    words = terms(text)
    if not words:
        return None
    if field == "name":
        return _fts_condition("name", words)
    if field == "content":
        return _fts_condition("body", words)
    if field == "label":
        return Q(_label_condition(text[:100]))
    return (
        _fts_condition("name", words)
        | _fts_condition("body", words)
        | Q(_label_condition(text[:100]))
    )
