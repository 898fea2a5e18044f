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

from .models import CatalogVersion

_BUMP = (
    "INSERT INTO marketplace_catalogversion (organization_id, version) {select}"
    " ON CONFLICT (organization_id) DO UPDATE SET version = marketplace_catalogversion.version + 1"
)
_BUMP_EXISTING = (
    "UPDATE marketplace_catalogversion SET version = version + 1 WHERE organization_id = {org}"
)
_ORG_OF_SERVICE = "(SELECT organization_id FROM marketplace_service WHERE id = {row}.service_id)"
_SERVICE_ORG_ROW = "SELECT organization_id, 1 FROM marketplace_service WHERE id = {row}.service_id"


def _bump(organization: str) -> str:
    # WHERE true: SQLite needs it to read ON CONFLICT as the upsert clause.
    return _BUMP.format(select=f"SELECT {organization}, 1 WHERE true")


SQLITE_TRIGGERS = {
    "marketplace_catalog_service_insert": (
        "AFTER INSERT ON marketplace_service",
        _bump("NEW.organization_id"),
    ),
    "marketplace_catalog_service_update": (
        "AFTER UPDATE ON marketplace_service",
        _bump("NEW.organization_id") + "; " + _bump("OLD.organization_id"),
    ),
    "marketplace_catalog_service_delete": (
        "AFTER DELETE ON marketplace_service",
        _BUMP_EXISTING.format(org="OLD.organization_id"),
    ),
    "marketplace_catalog_label_insert": (
        "AFTER INSERT ON marketplace_service_tags",
        _BUMP.format(
            select=f"SELECT {_ORG_OF_SERVICE.format(row='NEW')}, 1"
            " WHERE EXISTS (SELECT 1 FROM marketplace_service WHERE id = NEW.service_id)"
        ),
    ),
    "marketplace_catalog_label_delete": (
        "AFTER DELETE ON marketplace_service_tags",
        _BUMP_EXISTING.format(org=_ORG_OF_SERVICE.format(row="OLD")),
    ),
    "marketplace_catalog_tag_rename": (
        "AFTER UPDATE OF name ON marketplace_tag",
        _bump("NEW.organization_id"),
    ),
}

_PG_FUNCTION = f"""
    BEGIN
      IF TG_TABLE_NAME = 'marketplace_service_tags' THEN
        IF TG_OP = 'INSERT' THEN
          {_BUMP.format(select=_SERVICE_ORG_ROW.format(row="NEW"))};
        ELSE
          {_BUMP_EXISTING.format(org=_ORG_OF_SERVICE.format(row="OLD"))};
        END IF;
      ELSIF TG_OP = 'DELETE' THEN
        {_BUMP_EXISTING.format(org="OLD.organization_id")};
      ELSE
        {_bump("NEW.organization_id")};
        IF TG_OP = 'UPDATE' AND OLD.organization_id <> NEW.organization_id THEN
          {_bump("OLD.organization_id")};
        END IF;
      END IF;
      RETURN NULL;
    END"""
POSTGRES_TRIGGERS = {
    "marketplace_catalog_service": "AFTER INSERT OR UPDATE OR DELETE ON marketplace_service",
    "marketplace_catalog_label": "AFTER INSERT OR DELETE ON marketplace_service_tags",
    "marketplace_catalog_tag_rename": "AFTER UPDATE OF name ON marketplace_tag",
}


def install(schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for name, (when, body) in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            schema_editor.execute(f"CREATE TRIGGER {name} {when} BEGIN {body}; END")
        return
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION marketplace_catalog_bump() RETURNS trigger"
        f" LANGUAGE plpgsql AS $$ {_PG_FUNCTION} $$"
    )
    for name, when in POSTGRES_TRIGGERS.items():
        table = when.split(" ON ")[1]
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION marketplace_catalog_bump()"
        )


def uninstall(schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    for name, when in POSTGRES_TRIGGERS.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {when.split(' ON ')[1]}")
    schema_editor.execute("DROP FUNCTION IF EXISTS marketplace_catalog_bump()")


def trigger_names(vendor: str) -> list[str]:
    return list(SQLITE_TRIGGERS if vendor == "sqlite" else POSTGRES_TRIGGERS)


def of_organization() -> Subquery:
    """The version of the organization of the row annotated (a membership):
    read with the membership itself, so pages pay no query for it."""
    return Subquery(
        CatalogVersion.objects.filter(organization_id=OuterRef("organization_id")).values(
            "version"
        )[:1]
    )
