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
from django.db.models import BigIntegerField, BooleanField, F, Func, Q
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In

from . import triggers

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
_WORD = re.compile(r"\w+", re.UNICODE)

SEARCH_FIELDS = ("all", "name", "label", "content")

# Installed like the other triggers (marketplace/triggers.py), from here
# rather than only from the migration: a later migration that rebuilds
# marketplace_service on SQLite drops them and installs them again, and
# tests/marketplace/test_search.py checks they exist.
_SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS marketplace_service_fts "
    "USING fts5(name, body, tokenize = 'unicode61 remove_diacritics 2')"
)
_SQLITE_INDEX_ROW = (
    "INSERT INTO marketplace_service_fts (rowid, name, body) "
    "VALUES (new.id, new.name, new.summary || ' ' || new.overview)"
)
_SQLITE_FORGET_ROW = "DELETE FROM marketplace_service_fts WHERE rowid = old.id"
SQLITE_TRIGGERS: triggers.Triggers = {
    "marketplace_service_fts_insert": (
        "AFTER INSERT ON marketplace_service",
        [_SQLITE_INDEX_ROW],
    ),
    "marketplace_service_fts_update": (
        "AFTER UPDATE OF name, summary, overview ON marketplace_service",
        [_SQLITE_FORGET_ROW, _SQLITE_INDEX_ROW],
    ),
    "marketplace_service_fts_delete": (
        "AFTER DELETE ON marketplace_service",
        [_SQLITE_FORGET_ROW],
    ),
}

_PG_NAME = "to_tsvector('simple', {table}.name)"
_PG_BODY = "to_tsvector('simple', {table}.summary || ' ' || {table}.overview)"
POSTGRES_INDEXES = {
    "marketplace_service_name_fts": _PG_NAME.format(table="marketplace_service"),
    "marketplace_service_body_fts": _PG_BODY.format(table="marketplace_service"),
}


def install(schema_editor) -> None:
    """The FTS5 table, its triggers and its rows on SQLite; the GIN indexes
    on PostgreSQL. Safe to run again."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(_SQLITE_TABLE)
        triggers.install(schema_editor, sqlite=SQLITE_TRIGGERS, postgresql={})
        schema_editor.execute("DELETE FROM marketplace_service_fts")
        schema_editor.execute(
            "INSERT INTO marketplace_service_fts (rowid, name, body) "
            "SELECT id, name, summary || ' ' || overview FROM marketplace_service"
        )
    elif vendor == "postgresql":
        for name, expression in POSTGRES_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON marketplace_service USING gin ({expression})"
            )


def uninstall(schema_editor) -> None:
    """What ``install`` made (its migration's reverse)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        triggers.uninstall(schema_editor, sqlite=SQLITE_TRIGGERS, postgresql={})
        schema_editor.execute("DROP TABLE IF EXISTS marketplace_service_fts")
    elif vendor == "postgresql":
        for name in POSTGRES_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def terms(text: str) -> list[str]:
    """The words of a search, lower-cased, bounded in number and length."""
    return [word[:MAX_TERM_LENGTH].lower() for word in _WORD.findall(text or "")][:MAX_TERMS]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _sqlite_matches(field: str, words: list[str]) -> tuple[list[str], list]:
    selects, params = [], []
    columns = {"name": ["name"], "content": ["body"], "all": ["name", "body"]}.get(field, [])
    if columns:
        # One MATCH for every column searched: FTS5 answers it from its index.
        query = " OR ".join(
            "(" + " AND ".join(f'{column} : "{word}"*' for word in words) + ")"
            for column in columns
        )
        selects.append(
            "SELECT rowid FROM marketplace_service_fts WHERE marketplace_service_fts MATCH %s"
        )
        params.append(query)
    return selects, params


def _postgres_matches(field: str, words: list[str]) -> tuple[list[str], list]:
    query = " & ".join(f"{word}:*" for word in words)
    vectors = {
        "name": [_PG_NAME],
        "content": [_PG_BODY],
        "all": [_PG_NAME, _PG_BODY],
    }.get(field, [])
    if not vectors:
        return [], []
    # The very expressions the GIN indexes are built on, so the planner uses them.
    condition = " OR ".join(
        f"{vector.format(table='marketplace_service')} @@ to_tsquery('simple', %s)"
        for vector in vectors
    )
    return [f"SELECT id FROM marketplace_service WHERE {condition}"], [query] * len(vectors)


def _matching_ids(field: str, words: list[str], label: str) -> tuple[str, list]:
    """One subquery of the ids of every service (of any organization: the
    caller scopes) matching the search: text matches and label matches in a
    UNION, so each side is read off its index rather than tested row by row."""
    if default_connection.vendor == "postgresql":
        selects, params = _postgres_matches(field, words)
        like = "ILIKE"
    else:
        selects, params = _sqlite_matches(field, words)
        like = "LIKE"  # case-insensitive for ASCII, as Django's icontains on SQLite
    if field in ("label", "all"):
        selects.append(
            # From the few matching labels to their services, on the tag_id index.
            "SELECT service_id FROM marketplace_service_tags WHERE tag_id IN"
            f" (SELECT id FROM marketplace_tag WHERE name {like} %s ESCAPE '\\')"
        )
        params.append(f"%{_escape_like(label)}%")
    return " UNION ".join(selects), params


class _AnyOf(Func):
    """PostgreSQL: ``column = ANY(ARRAY(subquery))``. The matches are
    computed once, as an array, and the rows fetched by their ids off an
    index; an IN would join the matches with every visible service."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} = ANY(ARRAY{subquery_sql})", column_params + subquery_params


def search_condition(text: str, field: str = "all", *, many: bool = False) -> Q | None:
    """A filter for services matching ``text`` in ``field`` (one of
    SEARCH_FIELDS), or None when the text holds no searchable word.

    ``many`` says the search is known to match many services (the facet
    counts tell). On SQLite the page of cards is then read in card order off
    its index, keeping the first matches, rather than fetching every match to
    sort them: the unary plus keeps the planner from driving the query from
    the matches instead (which it chooses once ANALYZE has run).
    """
    words = terms(text)
    if not words:
        return None
    if field not in SEARCH_FIELDS:
        field = "all"
    label = "".join(ch for ch in text[:100] if ch.isprintable()).strip()
    matches = RawSQL(*_matching_ids(field, words, label))
    if default_connection.vendor == "postgresql":
        return Q(_AnyOf(F("pk"), matches))
    if many:
        card_id = Func(F("pk"), template="+%(expressions)s", output_field=BigIntegerField())
        return Q(In(card_id, matches))
    return Q(pk__in=matches)
