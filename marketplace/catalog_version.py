"""A number that changes whenever anything a marketplace search depends on
changes in an organization: a service (any column), its labels, a label's
name. What is derived from a search (its facet counts) can then be cached
under the number and is never served stale.

Kept by database triggers, like the facet counts, so that every write path
bumps it: the console, the admin, ``QuerySet.update``, bulk loads. Deleting
paths only UPDATE the row, so deleting an organization never inserts one.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from console.access import Scope

from . import triggers
from .models import CatalogVersion

_BUMP = (
    "INSERT INTO marketplace_catalogversion (organization_id, version) {select}"
    " ON CONFLICT (organization_id) DO UPDATE SET version = marketplace_catalogversion.version + 1"
)
_BUMP_EXISTING = (
    "UPDATE marketplace_catalogversion SET version = version + 1 WHERE organization_id = {org}"
)
_ORG_OF_SERVICE = "(SELECT organization_id FROM marketplace_service WHERE id = {row}.service_id)"


def _bump(organization: str) -> str:
    # WHERE true: SQLite needs it to read ON CONFLICT as the upsert clause.
    return _BUMP.format(select=f"SELECT {organization}, 1 WHERE true")


SQLITE_TRIGGERS = {
    "marketplace_catalog_service_insert": (
        "AFTER INSERT ON marketplace_service",
        [_bump("NEW.organization_id")],
    ),
    "marketplace_catalog_service_update": (
        "AFTER UPDATE ON marketplace_service",
        [_bump("NEW.organization_id"), _bump("OLD.organization_id")],
    ),
    "marketplace_catalog_service_delete": (
        "AFTER DELETE ON marketplace_service",
        [_BUMP_EXISTING.format(org="OLD.organization_id")],
    ),
    "marketplace_catalog_label_insert": (
        "AFTER INSERT ON marketplace_service_tags",
        [
            _BUMP.format(
                select=f"SELECT {_ORG_OF_SERVICE.format(row='NEW')}, 1"
                " WHERE EXISTS (SELECT 1 FROM marketplace_service WHERE id = NEW.service_id)"
            )
        ],
    ),
    "marketplace_catalog_label_delete": (
        "AFTER DELETE ON marketplace_service_tags",
        [_BUMP_EXISTING.format(org=_ORG_OF_SERVICE.format(row="OLD"))],
    ),
    "marketplace_catalog_tag_rename": (
        "AFTER UPDATE OF name ON marketplace_tag",
        [_bump("NEW.organization_id")],
    ),
}

# PostgreSQL: once per statement (see facet_count_triggers.py for why not per row).
_PG_BUMP = _BUMP.format(select="SELECT DISTINCT organization_id, 1 FROM ({orgs}) o ORDER BY 1")
_PG_BUMP_EXISTING = (
    "UPDATE marketplace_catalogversion SET version = version + 1 WHERE organization_id IN ({orgs})"
)
_PG_ORGS_OF_LABELS = (
    "SELECT s.organization_id FROM {rows} l JOIN marketplace_service s ON s.id = l.service_id"
)
POSTGRES_TRIGGERS = {
    "marketplace_catalog_service_insert": (
        "AFTER INSERT ON marketplace_service REFERENCING NEW TABLE AS new_rows",
        [_PG_BUMP.format(orgs="SELECT organization_id FROM new_rows")],
    ),
    "marketplace_catalog_service_update": (
        "AFTER UPDATE ON marketplace_service"
        " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        [
            _PG_BUMP.format(
                orgs="SELECT organization_id FROM new_rows"
                " UNION SELECT organization_id FROM old_rows"
            )
        ],
    ),
    "marketplace_catalog_service_delete": (
        "AFTER DELETE ON marketplace_service REFERENCING OLD TABLE AS old_rows",
        [_PG_BUMP_EXISTING.format(orgs="SELECT organization_id FROM old_rows")],
    ),
    "marketplace_catalog_label_insert": (
        "AFTER INSERT ON marketplace_service_tags REFERENCING NEW TABLE AS new_rows",
        [_PG_BUMP.format(orgs=_PG_ORGS_OF_LABELS.format(rows="new_rows"))],
    ),
    "marketplace_catalog_label_delete": (
        "AFTER DELETE ON marketplace_service_tags REFERENCING OLD TABLE AS old_rows",
        [_PG_BUMP_EXISTING.format(orgs=_PG_ORGS_OF_LABELS.format(rows="old_rows"))],
    ),
    "marketplace_catalog_tag_rename": (
        "AFTER UPDATE ON marketplace_tag REFERENCING NEW TABLE AS new_rows",
        [_PG_BUMP.format(orgs="SELECT organization_id FROM new_rows")],
    ),
}


def install(schema_editor) -> None:
    triggers.install(schema_editor, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)


def uninstall(schema_editor) -> None:
    triggers.uninstall(schema_editor, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)


def trigger_names(vendor: str) -> list[str]:
    return triggers.names(vendor, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)


# The membership's attribute the version is read onto (marketplace/access.py).
ANNOTATION = "catalog_version"


def of_organization() -> Subquery:
    """The version of the organization of the row annotated (a membership):
    read with the membership itself, so pages pay no query for it."""
    return Subquery(
        CatalogVersion.objects.filter(organization_id=OuterRef("organization_id")).values(
            "version"
        )[:1]
    )


def of_scope(scope: Scope) -> int | None:
    """The version read with the scope's membership (get_catalog_scope_for_user);
    None before the organization's first service, or for a scope read
    without it: then nothing is cached."""
    return getattr(scope.membership, ANNOTATION, None)
