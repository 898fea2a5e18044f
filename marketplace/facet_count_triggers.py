"""The database triggers that keep the marketplace's facet counts (the cells
facet_counts.py reads), their installation and a full recount.

The rows are kept by database triggers on ``marketplace_service`` and its
labels table, in the transaction of the write that changes a service: the
console's service functions, the Django admin, ``QuerySet.update`` and bulk
loads alike. Decrements only ever UPDATE existing rows, so deleting an
organization (which deletes its services and these rows in one go) never
inserts a row for it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection as default_connection

from . import triggers

# Who sees a service; ``{r}`` is NEW or OLD (a trigger's row) or a table alias.
_AUDIENCE = (
    "CASE WHEN ({r}.kind = 'third-party' AND {r}.project_id IS NULL)"
    " OR ({r}.kind = 'internal' AND {r}.visibility IN ('public', 'organization'))"
    " THEN 0 ELSE {r}.project_id END"
)
_KEY_COLUMNS = "organization_id, audience_project_id, tag_id, kind, visibility, service_type"
_TRACKED_COLUMNS = ("listed", "kind", "visibility", "service_type", "project_id", "organization_id")

# SQLite: row-level triggers. It updates a row in place, so a bulk load stays
# linear, and it has one writer at a time, so there is no lock order to keep.


def _remove(row: str, tags: str) -> str:
    """Take service ``row`` out of its cells: the all-services row and
    ``tags`` (a subquery of tag ids)."""
    return (
        "UPDATE marketplace_facetcount SET n = n - 1"
        f" WHERE organization_id = {row}.organization_id"
        f" AND audience_project_id = {_AUDIENCE.format(r=row)}"
        f" AND kind = {row}.kind AND visibility = {row}.visibility"
        f" AND service_type = {row}.service_type"
        f" AND (tag_id = 0 OR tag_id IN ({tags}))"
    )


def _add(row: str, tags: str) -> str:
    return (
        f"INSERT INTO marketplace_facetcount ({_KEY_COLUMNS}, n)"
        f" SELECT {row}.organization_id, {_AUDIENCE.format(r=row)}, t.tag_id,"
        f" {row}.kind, {row}.visibility, {row}.service_type, 1"
        f" FROM (SELECT 0 AS tag_id UNION ALL {tags}) AS t"
        f" WHERE {row}.listed"
        f" ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET n = marketplace_facetcount.n + 1"
    )


def _tags_of(row: str) -> str:
    return f"SELECT tag_id FROM marketplace_service_tags WHERE service_id = {row}.id"


def _label_rows(row: str, sign: str) -> str:
    """Count (``+``) or uncount (``-``) one label row ``row`` of the labels table."""
    service = "s"
    if sign == "+":
        return (
            f"INSERT INTO marketplace_facetcount ({_KEY_COLUMNS}, n)"
            f" SELECT s.organization_id, {_AUDIENCE.format(r=service)}, {row}.tag_id,"
            " s.kind, s.visibility, s.service_type, 1"
            f" FROM marketplace_service s WHERE s.id = {row}.service_id AND s.listed"
            f" ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET n = marketplace_facetcount.n + 1"
        )
    return (
        "UPDATE marketplace_facetcount SET n = n - 1"
        f" WHERE tag_id = {row}.tag_id"
        " AND (organization_id, audience_project_id, kind, visibility, service_type) IN ("
        f" SELECT s.organization_id, {_AUDIENCE.format(r=service)}, s.kind, s.visibility,"
        f" s.service_type FROM marketplace_service s WHERE s.id = {row}.service_id AND s.listed)"
    )


def _changed(columns: Iterable[str]) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


SQLITE_TRIGGERS = {
    "marketplace_facet_service_insert": (
        "AFTER INSERT ON marketplace_service WHEN NEW.listed",
        [_add("NEW", _tags_of("NEW"))],
    ),
    "marketplace_facet_service_update": (
        f"AFTER UPDATE OF {', '.join(_TRACKED_COLUMNS)} ON marketplace_service"
        f" WHEN {_changed(_TRACKED_COLUMNS)}",
        [f"{_remove('OLD', _tags_of('OLD'))} AND OLD.listed", _add("NEW", _tags_of("NEW"))],
    ),
    "marketplace_facet_service_delete": (
        "AFTER DELETE ON marketplace_service WHEN OLD.listed",
        [_remove("OLD", _tags_of("OLD"))],
    ),
    "marketplace_facet_label_insert": (
        "AFTER INSERT ON marketplace_service_tags",
        [_label_rows("NEW", "+")],
    ),
    "marketplace_facet_label_delete": (
        "AFTER DELETE ON marketplace_service_tags",
        [_label_rows("OLD", "-")],
    ),
}


# PostgreSQL: statement-level triggers over the rows a statement changed (its
# transition tables), one grouped write per cell. Row-level triggers would
# update the same few rows once per service, and PostgreSQL keeps every
# version of a row updated in one transaction: a bulk load of 200,000
# services would then slow down quadratically.


def _pg_cells(rows: str) -> str:
    """The cells of the listed services in ``rows`` (a table or subquery),
    counted once in the all-services row and once per label they carry."""
    return (
        f"SELECT s.organization_id, {_AUDIENCE.format(r='s')} AS audience_project_id,"
        " t.tag_id, s.kind, s.visibility, s.service_type, COUNT(*) AS n"
        f" FROM {rows} s CROSS JOIN LATERAL (SELECT 0 AS tag_id UNION ALL"
        " SELECT tag_id FROM marketplace_service_tags WHERE service_id = s.id) t"
        " WHERE s.listed GROUP BY 1, 2, 3, 4, 5, 6"
    )


def _pg_label_cells(labels: str) -> str:
    """The cells that rows of the labels table (``labels``) count in."""
    return (
        f"SELECT s.organization_id, {_AUDIENCE.format(r='s')} AS audience_project_id,"
        " l.tag_id, s.kind, s.visibility, s.service_type, COUNT(*) AS n"
        f" FROM {labels} l JOIN marketplace_service s ON s.id = l.service_id"
        " WHERE s.listed GROUP BY 1, 2, 3, 4, 5, 6"
    )


def _pg_add(cells: str) -> str:
    # ORDER BY: concurrent writers lock the rows they share in one order.
    return (
        f"INSERT INTO marketplace_facetcount ({_KEY_COLUMNS}, n)"
        f" SELECT * FROM ({cells}) c ORDER BY 1, 2, 3, 4, 5, 6"
        f" ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET n = marketplace_facetcount.n + EXCLUDED.n"
    )


def _pg_remove(cells: str) -> str:
    return (
        f"UPDATE marketplace_facetcount f SET n = f.n - c.n FROM ({cells}) c"
        " WHERE f.organization_id = c.organization_id"
        " AND f.audience_project_id = c.audience_project_id AND f.tag_id = c.tag_id"
        " AND f.kind = c.kind AND f.visibility = c.visibility"
        " AND f.service_type = c.service_type"
    )


_PG_CHANGED = (
    "(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE ("
    + ", ".join(f"o.{c}" for c in _TRACKED_COLUMNS)
    + ") IS DISTINCT FROM ("
    + ", ".join(f"n.{c}" for c in _TRACKED_COLUMNS)
    + "))"
)
# name: (event and transition tables, statements)
POSTGRES_TRIGGERS = {
    "marketplace_facet_service_insert": (
        "AFTER INSERT ON marketplace_service REFERENCING NEW TABLE AS new_rows",
        [_pg_add(_pg_cells("new_rows"))],
    ),
    "marketplace_facet_service_update": (
        "AFTER UPDATE ON marketplace_service"
        " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        [
            _pg_remove(_pg_cells(_PG_CHANGED.format(side="o"))),
            _pg_add(_pg_cells(_PG_CHANGED.format(side="n"))),
        ],
    ),
    "marketplace_facet_service_delete": (
        "AFTER DELETE ON marketplace_service REFERENCING OLD TABLE AS old_rows",
        [_pg_remove(_pg_cells("old_rows"))],
    ),
    "marketplace_facet_label_insert": (
        "AFTER INSERT ON marketplace_service_tags REFERENCING NEW TABLE AS new_rows",
        [_pg_add(_pg_label_cells("new_rows"))],
    ),
    "marketplace_facet_label_delete": (
        "AFTER DELETE ON marketplace_service_tags REFERENCING OLD TABLE AS old_rows",
        [_pg_remove(_pg_label_cells("old_rows"))],
    ),
}


def _recount_sql() -> list[str]:
    """Every row computed afresh from the services (the migration's backfill,
    and ``recount`` after a load that bypassed the triggers)."""
    return [
        "DELETE FROM marketplace_facetcount",
        f"INSERT INTO marketplace_facetcount ({_KEY_COLUMNS}, n)"
        f" SELECT s.organization_id, {_AUDIENCE.format(r='s')}, 0,"
        " s.kind, s.visibility, s.service_type, COUNT(*)"
        " FROM marketplace_service s WHERE s.listed"
        " GROUP BY 1, 2, 4, 5, 6",
        f"INSERT INTO marketplace_facetcount ({_KEY_COLUMNS}, n)"
        f" SELECT s.organization_id, {_AUDIENCE.format(r='s')}, st.tag_id,"
        " s.kind, s.visibility, s.service_type, COUNT(*)"
        " FROM marketplace_service s"
        " JOIN marketplace_service_tags st ON st.service_id = s.id"
        " WHERE s.listed GROUP BY 1, 2, 3, 4, 5, 6",
    ]


def install(schema_editor) -> None:
    """Create (or re-create) the triggers, then count everything once."""
    triggers.install(schema_editor, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)
    for statement in _recount_sql():
        schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    triggers.uninstall(schema_editor, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)


def recount() -> None:
    with default_connection.cursor() as cursor:
        for statement in _recount_sql():
            cursor.execute(statement)


def trigger_names(vendor: str) -> list[str]:
    return triggers.names(vendor, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)
