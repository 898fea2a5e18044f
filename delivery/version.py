"""A number that changes whenever anything a runtime token receives may have
changed in an organization, so that a poller's conditional pull is answered
304 from the token and this number, without resolving every connection.

What a token receives is read from the rows of ``TRACED`` (a test holds
that ``delivery.config.configuration_for`` reads no other table). Database
triggers on each of them bump the organization's ``DeliveryVersion`` in the
transaction of the write, whatever makes it: the console, the admin,
``QuerySet.update``, bulk loads, a migration. The number is read with the
token (one query), and the ETag of each answer is remembered under the
token, the format and the number (``remembered_etag``): a write anywhere in
the organization moves the number, and the next pull resolves again.

Inserts upsert the version row; updates and deletes only UPDATE it, so that
deleting an organization (whose cascade updates and deletes these rows)
never inserts one for it. An organization without a row has no number:
nothing is remembered, every pull resolves.

It also keeps a token's last use from its pulls (``delivery_configpull``),
so that recording a pull is two inserts in one transaction.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import OuterRef, Subquery

from marketplace import triggers

from .models import DeliveryVersion

# The table a trigger watches -> how a row of it names its organization
# ({row}: NEW or OLD on SQLite, a transition table's alias on PostgreSQL).
_ORG_OF_ENVIRONMENT = (
    "(SELECT organization_id FROM console_environment WHERE id = {row}.environment_id)"
)
_ORG_OF_SERVICE = "(SELECT organization_id FROM marketplace_service WHERE id = {row}.service_id)"
TRACED = {
    "connections_connection": "{row}.organization_id",
    "connections_connectionbinding": _ORG_OF_ENVIRONMENT,
    "console_organization": "{row}.id",
    "console_environment": "{row}.organization_id",
    "console_project": "{row}.organization_id",
    "console_component": (
        "(SELECT organization_id FROM console_project WHERE id = {row}.project_id)"
    ),
    "marketplace_service": "{row}.organization_id",
    "marketplace_deployment": _ORG_OF_ENVIRONMENT,
    "marketplace_endpoint": _ORG_OF_SERVICE,
    "marketplace_endpoint_environments": _ORG_OF_ENVIRONMENT,
    "marketplace_serviceparameter": _ORG_OF_SERVICE,
    "marketplace_endpointparametervalue": (
        "(SELECT s.organization_id FROM marketplace_endpoint e"
        " JOIN marketplace_service s ON s.id = e.service_id WHERE e.id = {row}.endpoint_id)"
    ),
    "delivery_componentmanifest": (
        "(SELECT p.organization_id FROM console_component c"
        " JOIN console_project p ON p.id = c.project_id WHERE c.id = {row}.component_id)"
    ),
}

_UPSERT = (
    "INSERT INTO delivery_deliveryversion (organization_id, version) {select}"
    " ON CONFLICT (organization_id) DO UPDATE SET version = delivery_deliveryversion.version + 1"
)
_UPDATE = (
    "UPDATE delivery_deliveryversion SET version = version + 1 WHERE organization_id IN ({orgs})"
)


def _sqlite_triggers() -> triggers.Triggers:
    found = {}
    for table, organization in TRACED.items():
        new, old = organization.format(row="NEW"), organization.format(row="OLD")
        # WHERE: SQLite needs one to read ON CONFLICT as the upsert clause,
        # and a row whose parent is already gone names no organization.
        found[f"delivery_version_{table}_insert"] = (
            f"AFTER INSERT ON {table}",
            [_UPSERT.format(select=f"SELECT {new}, 1 WHERE {new} IS NOT NULL")],
        )
        found[f"delivery_version_{table}_update"] = (
            f"AFTER UPDATE ON {table}",
            [_UPDATE.format(orgs=f"{new}, {old}")],
        )
        found[f"delivery_version_{table}_delete"] = (
            f"AFTER DELETE ON {table}",
            [_UPDATE.format(orgs=old)],
        )
    return found


def _postgres_triggers() -> triggers.Triggers:
    # Once per statement, over its transition tables, like the facet counts.
    found = {}
    for table, organization in TRACED.items():
        of = organization.format(row="r")
        found[f"delivery_version_{table}_insert"] = (
            f"AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows",
            [
                _UPSERT.format(
                    select=f"SELECT DISTINCT o, 1 FROM (SELECT {of} AS o FROM new_rows r) x"
                    " WHERE o IS NOT NULL ORDER BY 1"
                )
            ],
        )
        found[f"delivery_version_{table}_update"] = (
            f"AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            [_UPDATE.format(orgs=f"SELECT {of} FROM new_rows r UNION SELECT {of} FROM old_rows r")],
        )
        found[f"delivery_version_{table}_delete"] = (
            f"AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows",
            [_UPDATE.format(orgs=f"SELECT {of} FROM old_rows r")],
        )
    return found


# A pull is a token's use: its time and address, kept on the token.
_LAST_USE = (
    "UPDATE delivery_runtimetoken SET last_used_at = {row}.pulled_at,"
    " last_used_address = {row}.address WHERE id = {row}.token_id"
)
SQLITE_TRIGGERS = {
    **_sqlite_triggers(),
    "delivery_pull_marks_token_used": (
        "AFTER INSERT ON delivery_configpull",
        [_LAST_USE.format(row="NEW")],
    ),
}
POSTGRES_TRIGGERS = {
    **_postgres_triggers(),
    "delivery_pull_marks_token_used": (
        "AFTER INSERT ON delivery_configpull REFERENCING NEW TABLE AS new_rows",
        [
            "UPDATE delivery_runtimetoken t SET last_used_at = r.pulled_at,"
            " last_used_address = r.address FROM new_rows r WHERE t.id = r.token_id"
        ],
    ),
}


def install(schema_editor) -> None:
    triggers.install(schema_editor, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)


def uninstall(schema_editor) -> None:
    triggers.uninstall(schema_editor, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)


def trigger_names(vendor: str) -> list[str]:
    return triggers.names(vendor, sqlite=SQLITE_TRIGGERS, postgresql=POSTGRES_TRIGGERS)


def before_migrate(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """pre_migrate (delivery/apps.py): off, from the tables that exist."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    on_existing = {
        name: trigger
        for name, trigger in (
            SQLITE_TRIGGERS if connection.vendor == "sqlite" else POSTGRES_TRIGGERS
        ).items()
        if triggers.table_of(trigger) in tables
    }
    with connection.schema_editor() as schema_editor:
        triggers.uninstall(schema_editor, sqlite=on_existing, postgresql=on_existing)


def after_migrate(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate (delivery/apps.py; also after a test's flush): on again
    if any is missing, and every organization's number moved, since the
    migrations wrote without them. One query when they are all there."""
    connection = connections[using]
    if "delivery_deliveryversion" not in connection.introspection.table_names():
        return  # migrated back to before the version existed
    if set(trigger_names(connection.vendor)) <= triggers.installed(connection):
        return
    with connection.schema_editor() as schema_editor:
        install(schema_editor)
        schema_editor.execute(
            "INSERT INTO delivery_deliveryversion (organization_id, version)"
            " SELECT id, 1 FROM console_organization WHERE id NOT IN"
            " (SELECT organization_id FROM delivery_deliveryversion)"
        )
        schema_editor.execute("UPDATE delivery_deliveryversion SET version = version + 1")


# The token's attribute the number is read onto (delivery/access.py).
ANNOTATION = "delivery_version"


def of_organization() -> Subquery:
    """The number of the organization of the row annotated (a runtime
    token), read with the token: a conditional pull pays no query for it."""
    return Subquery(
        DeliveryVersion.objects.filter(organization_id=OuterRef("organization_id")).values(
            "version"
        )[:1]
    )


# Long enough that a poller's pulls find it, short enough that an entry left
# by an answer this code no longer renders (a new release) does not last.
_REMEMBERED_FOR = 24 * 60 * 60


def _key(token, output_format: str, version: int) -> str:
    # The token URL every answer holds comes from the settings, not the rows.
    public_url = hashlib.sha256(settings.JUNCTION_PUBLIC_URL.encode()).hexdigest()[:12]
    return f"delivery:etag:{token.pk}:{output_format}:{version}:{public_url}"


def remembered_etag(token, output_format: str) -> str | None:
    """The ETag of the token's last answer in this format, if nothing it
    reads has changed since; None when it must resolve again."""
    version = getattr(token, ANNOTATION, None)
    if version is None:
        return None
    return cache.get(_key(token, output_format, version))


def remember_etag(token, output_format: str, etag: str) -> None:
    """Remember an answer's ETag under the number read with the token, read
    before the answer was resolved: a write in between moves the number,
    so the entry is never found for rows newer than it."""
    version = getattr(token, ANNOTATION, None)
    if version is not None:
        cache.set(_key(token, output_format, version), etag, _REMEMBERED_FOR)
