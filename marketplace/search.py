"""Full-text search over services, on an index rather than a table scan.

SQLite: an FTS5 table holding each service's name and body (summary and
overview), kept in step by triggers on ``marketplace_service`` so that every
write path (console, admin, bulk loads) is indexed. PostgreSQL: GIN indexes
on ``to_tsvector('simple', ...)`` of the same columns.

Matching is by word prefix on both: "pay" finds "Payments API". Labels
(tags) are matched as substrings of the tag names, which live in a small
table of their own.

A search is read one of two ways. ``search_condition`` finds every match
off the indexes, then the rows: right when few services match. A prefix of
one or two characters (the first keystrokes) matches most of a catalog;
``row_condition`` tests each row instead, so that a page of cards read in
card order stops after a few dozen rows, whatever the number of matches.
On SQLite the FTS5 table keeps an index of every one- and two-character
prefix for that: without it, each test would merge every word starting with
the prefix.
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
# The longest word a row is tested against at the cost of one index lookup
# (FTS5's prefix index, below).
SHORT_PREFIX = 2
_WORD = re.compile(r"\w+", re.UNICODE)

SEARCH_FIELDS = ("all", "name", "label", "content")

# Installed like the other triggers (marketplace/triggers.py), from here
# rather than only from the migration: a later migration that rebuilds
# marketplace_service on SQLite drops them and installs them again, and
# tests/marketplace/test_search.py checks they exist.
_SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS marketplace_service_fts "
    "USING fts5(name, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2')"
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


def _fts_query(field: str, words: list[str]) -> str | None:
    """The FTS5 query of ``words`` in ``field``: every word in one column."""
    columns = {"name": ["name"], "content": ["body"], "all": ["name", "body"]}.get(field, [])
    if not columns:
        return None
    if len(words) == 1 and field == "all":
        # The same matches with no column named, read off one index instead of two.
        return f'"{words[0]}"*'
    return " OR ".join(
        "(" + " AND ".join(f'{column} : "{word}"*' for word in words) + ")" for column in columns
    )


def _sqlite_matches(field: str, words: list[str]) -> tuple[list[str], list]:
    selects, params = [], []
    if (query := _fts_query(field, words)) is not None:
        # One MATCH for every column searched: FTS5 answers it from its index.
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


def _label_text(text: str) -> str:
    return "".join(ch for ch in text[:100] if ch.isprintable()).strip()


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
    matches = RawSQL(*_matching_ids(field, words, _label_text(text)))
    if default_connection.vendor == "postgresql":
        return Q(_AnyOf(F("pk"), matches))
    if many:
        card_id = Func(F("pk"), template="+%(expressions)s", output_field=BigIntegerField())
        return Q(In(card_id, matches))
    return Q(pk__in=matches)


def is_short(text: str) -> bool:
    """Whether every word of a search is a prefix that ``row_condition``
    tests a row against at the cost of an index lookup."""
    words = terms(text)
    return bool(words) and all(len(word) <= SHORT_PREFIX for word in words)


class _RowMatches(Func):
    """The search tested on one row of marketplace_service (a correlated
    condition): its text by the full-text index looked up by the row's id
    on SQLite, by the row's own text on PostgreSQL; its labels by the row's
    few labels, looked up by its id."""

    output_field = BooleanField()

    def __init__(self, field: str, words: list[str], label: str, *, scan: bool = False) -> None:
        super().__init__(F("pk"))
        # "field" is an expression's own attribute (its output field).
        self.search_in, self.words, self.label = field, words, label
        self.scan = scan

    def as_sql(self, compiler, connection, **extra):
        (pk,) = self.get_source_expressions()
        row_id, _ = compiler.compile(pk)
        tests, params = [], []
        if connection.vendor == "postgresql":
            query = " & ".join(f"{word}:*" for word in self.words)
            vectors = {"name": [_PG_NAME], "content": [_PG_BODY], "all": [_PG_NAME, _PG_BODY]}
            for vector in vectors.get(self.search_in, []):
                table = row_id.rsplit(".", 1)[0]
                tests.append(f"{vector.format(table=table)} @@ to_tsquery('simple', %s)")
                params.append(query)
            like = "ILIKE"
        else:
            if (query := _fts_query(self.search_in, self.words)) is not None:
                matches = "SELECT rowid FROM marketplace_service_fts WHERE marketplace_service_fts"
                # Scanning every row, the text's matches are read once, as a list.
                test = (
                    f"{row_id} IN ({matches} MATCH %s)"
                    if self.scan
                    else (f"EXISTS ({matches} MATCH %s AND rowid = {row_id})")
                )
                tests.append(test)
                params.append(query)
            like = "LIKE"
        if self.search_in in ("label", "all"):
            # "+": from the row's own labels (one index lookup), not from
            # every service of each matching label.
            tests.append(
                "EXISTS (SELECT 1 FROM marketplace_service_tags"
                f" WHERE marketplace_service_tags.service_id = {row_id}"
                " AND +marketplace_service_tags.tag_id IN"
                f" (SELECT id FROM marketplace_tag WHERE name {like} %s ESCAPE '\\'))"
            )
            params.append(f"%{_escape_like(self.label)}%")
        return "(" + " OR ".join(tests or ["FALSE"]) + ")", params


def row_condition(text: str, field: str = "all") -> Q | None:
    """The same filter as ``search_condition``, tested row by row: for a
    page read in card order when most services match (``is_short``)."""
    words = terms(text)
    if not words:
        return None
    if field not in SEARCH_FIELDS:
        field = "all"
    return Q(_RowMatches(field, words, _label_text(text)))


def scan_condition(text: str, field: str = "all") -> Q | None:
    """The same filter as ``search_condition``, for a count that reads every
    service of a scope (the facet counts of a one- or two-letter prefix,
    which most services match): on SQLite the text's matches are read once
    and each label is looked up by the row's id, rather than gathering
    every service of every matching label first."""
    words = terms(text)
    if not words or default_connection.vendor != "sqlite":
        return search_condition(text, field)
    if field not in SEARCH_FIELDS:
        field = "all"
    return Q(_RowMatches(field, words, _label_text(text), scan=True))


def label_text(text: str) -> str:
    """What a search's labels are matched against (as substrings)."""
    return _label_text(text)


def many_matches(text: str, field: str, organization_id: int, many: int) -> bool:
    """Whether a search matches more than ``many`` services, told without
    counting them all: the full-text matches of every organization (a few
    more than ``many`` read at most), and the services carrying the
    organization's matching labels. For ``search_condition(many=...)``
    when the facet counts, which know, come later."""
    words = terms(text)
    if not words:
        return False
    if field not in SEARCH_FIELDS:
        field = "all"
    parts, params = [], []
    if default_connection.vendor == "postgresql":
        selects, text_params = _postgres_matches(field, words)
        like = "ILIKE"
    else:
        selects, text_params = _sqlite_matches(field, words)
        like = "LIKE"
    for select in selects:
        parts.append(f"SELECT count(*) FROM ({select} LIMIT %s) AS text_matches")
        params += [*text_params, many + 1]
    if field in ("label", "all"):
        parts.append(
            "SELECT count(*) FROM (SELECT 1 FROM marketplace_service_tags WHERE tag_id IN"
            f" (SELECT id FROM marketplace_tag WHERE organization_id = %s AND name {like} %s"
            " ESCAPE '\\') LIMIT %s) AS label_matches"
        )
        params += [organization_id, f"%{_escape_like(_label_text(text))}%", many + 1]
    if not parts:
        return False
    with default_connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(f"({part})" for part in parts), params)
        return cursor.fetchone()[0] > many
