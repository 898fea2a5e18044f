"""A connection's history moves into the organization's activity log (issue
#15): one model of history, console.ActivityEvent. Every ConnectionEvent is
copied as an event of kind "connection", in the shape the code now records
(a rename's and a description's before and after, a mapping's environments,
in ``changes``; a pull's token in ``detail``), then ConnectionEvent goes.

Backwards, the connection events go back into ConnectionEvent in the shape
it had; the activity log's other events have nowhere to go and are lost.
"""

import uuid

from django.db import migrations

CONNECTION = "connection"
BATCH = 2000
# What a change's ``detail`` held and ``changes`` now holds, by action.
FROM_TO = {"renamed": "name", "description-changed": "description"}


def _token_actor(token_name: str) -> str:
    # connections.services.events.token_actor_name, as it is at this migration.
    return f"runtime token “{token_name}”"


def _forward_shape(action: str, detail: dict, actor_name: str) -> tuple[dict, dict, str]:
    """(changes, detail, actor_name) of an old event in the new shape."""
    detail = dict(detail) if isinstance(detail, dict) else {}
    changes: dict = {}
    if action in FROM_TO:
        changes[FROM_TO[action]] = [detail.pop("from", None), detail.pop("to", None)]
    elif action == "mapping-changed":
        for change in detail.pop("changes", None) or []:
            if isinstance(change, dict):
                changes[str(change.get("environment"))] = [change.get("from"), change.get("to")]
    elif action == "values-pulled":
        detail = {"token": actor_name, **detail}
        actor_name = _token_actor(actor_name)
    return changes, detail, actor_name


def _backward_shape(action: str, changes: dict, detail: dict) -> tuple[dict, str | None]:
    """(detail, actor_name or None to keep it) of a new event in the old shape."""
    detail = dict(detail) if isinstance(detail, dict) else {}
    changes = changes if isinstance(changes, dict) else {}
    if action in FROM_TO:
        before, after = changes.get(FROM_TO[action]) or [None, None]
        return {"from": before, "to": after, **detail}, None
    if action == "mapping-changed":
        old = [
            {"environment": environment, "from": pair[0], "to": pair[1]}
            for environment, pair in changes.items()
        ]
        return {"changes": old, **detail}, None
    if action == "values-pulled":
        return detail, str(detail.pop("token", ""))
    return detail, None


def copy_into_activity_log(apps, schema_editor):
    ConnectionEvent = apps.get_model("connections", "ConnectionEvent")
    Connection = apps.get_model("connections", "Connection")
    ActivityEvent = apps.get_model("console", "ActivityEvent")
    projects = {
        public_id: (project_id, name)
        for public_id, project_id, name in Connection.objects.values_list(
            "public_id", "project_id", "project__name"
        )
    }
    last = 0
    while True:
        batch = list(ConnectionEvent.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        copies = []
        for old in batch:
            changes, detail, actor_name = _forward_shape(old.action, old.detail, old.actor_name)
            # A deleted connection's project is not known any more.
            project_id, project_name = projects.get(old.connection_public_id, (None, ""))
            copies.append(
                ActivityEvent(
                    organization_id=old.organization_id,
                    project_id=project_id,
                    project_name=project_name,
                    actor_id=old.actor_id,
                    actor_name=actor_name,
                    object_kind=CONNECTION,
                    object_id=str(old.connection_public_id),
                    object_name=old.connection_name,
                    action=old.action,
                    changes=changes,
                    detail=detail,
                    created_at=old.created_at,
                )
            )
        ActivityEvent.objects.bulk_create(copies)
        last = batch[-1].pk


def copy_back(apps, schema_editor):
    ConnectionEvent = apps.get_model("connections", "ConnectionEvent")
    Connection = apps.get_model("connections", "Connection")
    ActivityEvent = apps.get_model("console", "ActivityEvent")
    actions = {value for value, _ in ConnectionEvent._meta.get_field("action").choices}
    # auto_now_add would stamp every copy with the time of the migration.
    ConnectionEvent._meta.get_field("created_at").auto_now_add = False
    connections = dict(Connection.objects.values_list("public_id", "pk"))
    last = 0
    while True:
        batch = list(
            ActivityEvent.objects.filter(object_kind=CONNECTION, pk__gt=last).order_by("pk")[:BATCH]
        )
        if not batch:
            return
        copies = []
        for new in batch:
            if new.action not in actions:
                continue
            detail, actor_name = _backward_shape(new.action, new.changes, new.detail)
            public_id = uuid.UUID(new.object_id)
            copies.append(
                ConnectionEvent(
                    organization_id=new.organization_id,
                    connection_id=connections.get(public_id),
                    connection_public_id=public_id,
                    connection_name=new.object_name[:50],
                    actor_id=new.actor_id,
                    actor_name=new.actor_name if actor_name is None else actor_name,
                    action=new.action,
                    detail=detail,
                    created_at=new.created_at,
                )
            )
        ConnectionEvent.objects.bulk_create(copies)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0007_provider_changed_event"),
        ("console", "0004_activity_event"),
    ]

    operations = [
        migrations.RunPython(copy_into_activity_log, copy_back),
        migrations.DeleteModel(name="ConnectionEvent"),
    ]
