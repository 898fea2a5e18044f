"""A database made before this release migrates with no loss (issue #12):
the demo data is taken back to the schema of the last release and forward
again, on SQLite and on PostgreSQL, and every row reads the same after.

App labels and migrations stay as they are when code moves between
packages; this is what would catch a move that renamed one.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The newest migration of each app in the release before issue #11.
LAST_RELEASE = [
    ("console", "0001_initial"),
    ("marketplace", "0004_catalog_version"),
    ("connections", "0003_used_by_index"),
]
# Derived columns added since, recomputed when the migration runs.
ADDED_SINCE = {"overview_html", "definition_summary"}
APPS = ("console", "marketplace", "connections")
# Kept by triggers, which a migration may reinstall: the counts must be the
# same, not their row ids; the catalog version only has to change forward.
# The activity log's connection events go back into the last release's
# ConnectionEvent and come again as new rows (issue #15).
DERIVED_ROWS = {
    "marketplace.FacetCount": {"id"},
    "marketplace.CatalogVersion": {"version"},
    "console.ActivityEvent": {"id"},
}


def _rows() -> dict[str, list[tuple]]:
    rows = {}
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            left_out = ADDED_SINCE | DERIVED_ROWS.get(model._meta.label, set())
            fields = [
                field.attname
                for field in model._meta.concrete_fields
                if field.attname not in left_out
            ]
            kept = model.objects.all()
            if model._meta.label == "marketplace.FacetCount":
                # A recount leaves out the empty cells the triggers leave behind.
                kept = kept.exclude(n=0)
            if model._meta.label == "console.ActivityEvent":
                # The last release kept the history of connections only.
                kept = kept.filter(object_kind="connection")
            rows[model._meta.label] = sorted(kept.values_list(*fields), key=repr)
    return rows


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_it_migrates_the_last_releases_data_with_no_loss():
    call_command("seed_demo", verbosity=0)
    before = _rows()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()

    _migrate(LAST_RELEASE)
    _migrate(latest)

    assert _rows() == before
    assert sum(len(rows) for rows in before.values()) > 100
    Service = apps.get_model("marketplace", "Service")
    documented = Service.objects.exclude(overview="")
    assert documented.exists()
    assert not documented.filter(overview_html="").exists()
    assert (
        not Service.objects.exclude(api_definition="")
        .filter(definition_format="openapi", definition_summary={})
        .exists()
    )


# Before the activity log (issue #15): ConnectionEvent held a connection's history.
BEFORE_ACTIVITY_LOG = [
    ("connections", "0007_provider_changed_event"),
    ("console", "0003_password_change_required"),
]
EVENT_FIELDS = (
    "created_at",
    "organization_id",
    "project_id",
    "project_name",
    "actor_id",
    "actor_name",
    "object_kind",
    "object_id",
    "object_name",
    "action",
    "changes",
    "detail",
)


def _connection_history() -> list[tuple]:
    ActivityEvent = apps.get_model("console", "ActivityEvent")
    return list(
        ActivityEvent.objects.filter(object_kind="connection")
        .order_by("created_at", "pk")
        .values_list(*EVENT_FIELDS)
    )


@pytest.mark.django_db(transaction=True)
def test_it_moves_connection_events_into_the_activity_log_and_back():
    from connections.services import connection_create, connection_update
    from connections.services.events import record_values_pulled
    from console.services.projects import project_create
    from tests import factories

    organization = factories.make_organization()
    dave = factories.make_user("dave")
    project = project_create(organization=organization, name="Payments", actor=dave)
    stripe = factories.make_third_party_service(organization)
    factories.add_endpoint(stripe, "Sandbox", "https://sandbox.test", ["development"])
    live = factories.add_endpoint(stripe, "Live", "https://live.test", ["production"])
    pay = connection_create(project=project, service=stripe, name="Pay", created_by=dave)
    production = organization.environments.get(handle="production")
    connection_update(
        connection=pay,
        name="Payments",
        description="Cards",
        endpoints={production.pk: None},
        actor=dave,
    )
    connection_update(
        connection=pay,
        name="Payments",
        description="Cards",
        endpoints={production.pk: live},
        actor=dave,
    )
    record_values_pulled(
        project=project,
        connections=[(pay, ["ChoreoAPIKey"])],
        token_name="ci",
        environment="Production",
        address="10.0.0.7",
    )
    before = _connection_history()
    assert {row[9] for row in before} == {
        "created",
        "renamed",
        "description-changed",
        "mapping-changed",
        "values-pulled",
    }

    _migrate(BEFORE_ACTIVITY_LOG)

    old_apps = MigrationExecutor(connection).loader.project_state(BEFORE_ACTIVITY_LOG).apps
    ConnectionEvent = old_apps.get_model("connections", "ConnectionEvent")
    old = {event.action: event for event in ConnectionEvent.objects.all()}
    # Back in the last release's shape.
    assert old["renamed"].detail == {"from": "Pay", "to": "Payments"}
    mappings = ConnectionEvent.objects.filter(action="mapping-changed").order_by("pk")
    assert [event.detail for event in mappings] == [
        {"changes": [{"environment": "Production", "from": "Live", "to": None}]},
        {"changes": [{"environment": "Production", "from": None, "to": "Live"}]},
    ]
    assert old["values-pulled"].actor_name == "ci"
    assert old["values-pulled"].detail == {
        "environment": "Production",
        "address": "10.0.0.7",
        "secrets": ["ChoreoAPIKey"],
    }
    # A connection deleted before the activity log: its project is not known.
    gone = ConnectionEvent.objects.create(
        organization_id=organization.pk,
        connection=None,
        connection_public_id="6f1c2a52-3b7e-4b8e-9d8e-1f2a3b4c5d6e",
        connection_name="Gone",
        actor_name="vera",
        action="deleted",
        detail={"service": "Stripe API v1", "scope": "Project"},
    )

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    after = _connection_history()
    # The project's own "created" went: the last release could not hold it.
    assert after == [*before, _gone_row(gone, organization.pk)]
    ActivityEvent = apps.get_model("console", "ActivityEvent")
    assert not ActivityEvent.objects.exclude(object_kind="connection").exists()


def _gone_row(gone, organization_id: int) -> tuple:
    return (
        gone.created_at,
        organization_id,
        None,
        "",
        None,
        "vera",
        "connection",
        "6f1c2a52-3b7e-4b8e-9d8e-1f2a3b4c5d6e",
        "Gone",
        "deleted",
        {},
        {"service": "Stripe API v1", "scope": "Project"},
    )


@pytest.mark.django_db(transaction=True)
def test_it_names_people_in_events_recorded_with_their_usernames():
    """Events recorded before people's names were (issue #17) carry the
    username; after the migration they read as the newer ones do."""
    from console.models import ActivityEvent
    from console.services.projects import project_create
    from tests import factories

    organization = factories.make_organization()
    dave = factories.make_user("dave")
    dave.first_name, dave.last_name = "Dave", "Lopez"
    dave.save()
    nameless = factories.make_user("nameless")
    project_create(organization=organization, name="Payments", actor=dave)
    project_create(organization=organization, name="Orders", actor=nameless)
    ActivityEvent.objects.filter(actor=dave).update(actor_name="dave")
    ActivityEvent.objects.create(
        organization=organization,
        actor=None,
        actor_name="gone",
        object_kind="project",
        object_id="1",
        object_name="Old",
        action="created",
    )

    _migrate([("console", "0005_activity_label_kind")])
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    names = dict(
        ActivityEvent.objects.exclude(actor_name="").values_list("object_name", "actor_name")
    )
    assert names == {"Payments": "Dave Lopez", "Orders": "nameless", "Old": "gone"}
