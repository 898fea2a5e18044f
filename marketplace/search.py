"""Full-text search over services, on an index rather than a table scan.

SQLite: an FTS5 table holding each service's name and body (summary and
overview), kept in step by triggers on ``marketplace_service`` so that every
write path (console, admin, bulk loads) is indexed. PostgreSQL: GIN indexes
on ``to_tsvector('simple', ...)`` of the same columns, and on each service's
array of label ids (``label_ids``, kept by triggers on its labels).

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


# PostgreSQL: each service's labels, as the array of their ids on its own
# row (``label_ids``), kept by triggers on its labels in the transaction of
# the write and indexed like its words. A search's label matches are then a
# bitmap of rows too, so that counting every match of a first keystroke
# reads each matching row once (facets.py, ``_Counts.one_pass``) and a row
# tests its labels without a lookup. Not a model field: only the search
# reads it, and SQLite answers the same from its FTS5 table and the labels.
_PG_LABELS_OF_ROW = (
    "COALESCE((SELECT array_agg(t.tag_id ORDER BY t.tag_id) FROM marketplace_service_tags t"
    " WHERE t.service_id = marketplace_service.id), '{}')"
)


def _pg_relabel(services: str) -> str:
    return (
        f"UPDATE marketplace_service SET label_ids = {_PG_LABELS_OF_ROW}"
        f" WHERE id IN ({services}) AND label_ids IS DISTINCT FROM {_PG_LABELS_OF_ROW}"
    )


POSTGRES_TRIGGERS: triggers.Triggers = {
    "marketplace_service_labels_insert": (
        "AFTER INSERT ON marketplace_service_tags REFERENCING NEW TABLE AS new_rows",
        [_pg_relabel("SELECT service_id FROM new_rows")],
    ),
    "marketplace_service_labels_update": (
        "AFTER UPDATE ON marketplace_service_tags"
        " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        [_pg_relabel("SELECT service_id FROM new_rows UNION SELECT service_id FROM old_rows")],
    ),
    "marketplace_service_labels_delete": (
        "AFTER DELETE ON marketplace_service_tags REFERENCING OLD TABLE AS old_rows",
        [_pg_relabel("SELECT service_id FROM old_rows")],
    ),
}
POSTGRES_LABELS_INDEX = "marketplace_service_label_ids"


def install(schema_editor) -> None:
    """The FTS5 table, its triggers and its rows on SQLite; the GIN indexes,
    and the labels' array with its triggers, on PostgreSQL. Safe to run
    again."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(_SQLITE_TABLE)
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
        install_labels(schema_editor)
    triggers.install(schema_editor, sqlite=SQLITE_TRIGGERS, postgresql={})


def install_labels(schema_editor) -> None:
    """PostgreSQL: the labels' array on every service, filled, indexed and
    kept by its triggers. Safe to run again."""
    schema_editor.execute(
        "ALTER TABLE marketplace_service"
        " ADD COLUMN IF NOT EXISTS label_ids bigint[] NOT NULL DEFAULT '{}'"
    )
    schema_editor.execute(_pg_relabel("SELECT service_id FROM marketplace_service_tags"))
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {POSTGRES_LABELS_INDEX}"
        " ON marketplace_service USING gin (label_ids)"
    )
    triggers.install(schema_editor, sqlite={}, postgresql=POSTGRES_TRIGGERS)


def uninstall_labels(schema_editor) -> None:
    """What ``install_labels`` made."""
    triggers.uninstall(schema_editor, sqlite={}, postgresql=POSTGRES_TRIGGERS)
    schema_editor.execute(f"DROP INDEX IF EXISTS {POSTGRES_LABELS_INDEX}")
    schema_editor.execute("ALTER TABLE marketplace_service DROP COLUMN IF EXISTS label_ids")


def uninstall(schema_editor) -> None:
    """What ``install`` made (its migration's reverse)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        triggers.uninstall(schema_editor, sqlite=SQLITE_TRIGGERS, postgresql={})
        schema_editor.execute("DROP TABLE IF EXISTS marketplace_service_fts")
    elif vendor == "postgresql":
        uninstall_labels(schema_editor)
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
    few labels, looked up by its id on SQLite, by its array of label ids on
    PostgreSQL. On PostgreSQL every test is on the row's own columns, which
    the planner may also read off their GIN indexes as a bitmap of rows."""

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
        if self.search_in in ("label", "all") and connection.vendor == "postgresql":
            # The row's own array of label ids: tested in place, or read
            # off its GIN index as a bitmap beside the words'.
            tests.append(
                f"{row_id.rsplit('.', 1)[0]}.label_ids && ARRAY"
                f"(SELECT id FROM marketplace_tag WHERE name {like} %s ESCAPE '\\')"
            )
            params.append(f"%{_escape_like(self.label)}%")
        elif self.search_in in ("label", "all"):
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
    """The same filter as ``search_condition``, for a count over the
    matches. On SQLite, for a one- or two-letter prefix that most services
    match (read every service of a scope once): the text's matches are read
    once and each label is looked up by the row's id, rather than gathering
    every service of every matching label first. On PostgreSQL, for any
    search: the words and the labels are tested on the row's own columns,
    which the planner reads off their GIN indexes as one bitmap of rows."""
    words = terms(text)
    if not words:
        return None
    if field not in SEARCH_FIELDS:
        field = "all"
    return Q(_RowMatches(field, words, _label_text(text), scan=True))


class _CarriesAnyLabel(Func):
    """PostgreSQL: whether the row carries any of these labels, from its
    own array of label ids (``label_ids``, kept by POSTGRES_TRIGGERS)."""

    output_field = BooleanField()

    def __init__(self, tag_ids: list[int]) -> None:
        super().__init__(F("pk"))
        self.tag_ids = [int(tag_id) for tag_id in tag_ids]

    def as_sql(self, compiler, connection, **extra):
        (pk,) = self.get_source_expressions()
        row_id, _ = compiler.compile(pk)
        return f"{row_id.rsplit('.', 1)[0]}.label_ids && %s::bigint[]", [self.tag_ids]


def carries_any_label(tag_ids: list[int]) -> Q:
    """PostgreSQL only: a filter for services carrying any of ``tag_ids``,
    tested on their own rows (for a count's FILTER clause, facets.py)."""
    return Q(_CarriesAnyLabel(tag_ids))


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
