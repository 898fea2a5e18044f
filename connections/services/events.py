"""The history of a connection: its events in the organization's activity
log (console.activity), of kind "connection", named by its public id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from console.activity import event, record_many
from console.models import Action, ActivityEvent, ObjectKind, Project
from marketplace.changes import Impact
from marketplace.models import Service

from ..models import Connection


def connection_event(
    *,
    connection: Connection,
    actor,
    action: Action,
    changes: Mapping[str, Sequence] | None = None,
    detail: dict | None = None,
    actor_name: str | None = None,
    project: Project | None = None,
) -> ActivityEvent:
    """``project``: the connection's, when the caller has it read already."""
    return event(
        organization=connection.organization_id,
        project=project or connection.project,
        actor=actor,
        actor_name=actor_name,
        kind=ObjectKind.CONNECTION,
        object_id=connection.public_id,
        object_name=connection.name,
        action=action,
        changes=changes,
        detail=detail,
    )


def record_event(
    *,
    connection: Connection,
    actor,
    action: Action,
    changes: Mapping[str, Sequence] | None = None,
    detail: dict | None = None,
) -> ActivityEvent:
    recorded = connection_event(
        connection=connection, actor=actor, action=action, changes=changes, detail=detail
    )
    recorded.save(force_insert=True)
    return recorded


def token_actor_name(token_name: str) -> str:
    """How the log names a runtime token that acted (a pull)."""
    return f"runtime token “{token_name}”"


def record_values_pulled(
    *,
    project: Project,
    connections: list[tuple[Connection, list[str]]],
    token_name: str,
    environment: str,
    address: str | None,
) -> None:
    """One line in the history of each connection whose secrets a runtime
    token's pull carried (delivery), written in one statement; they are
    all of ``project``, the token's."""
    record_many(
        connection_event(
            connection=connection,
            project=project,
            actor=None,
            actor_name=token_actor_name(token_name),
            action=Action.VALUES_PULLED,
            detail={
                "token": token_name,
                "environment": environment,
                "address": address or "",
                "secrets": keys,
            },
        )
        for connection, keys in connections
    )


def record_service_change(*, service: Service, impact: Impact, actor) -> None:
    """settings.SERVICE_CHANGED_HOOKS: one line in the history of every
    connection a provider's change affected, in the change's transaction,
    written in one statement."""
    record_many(
        connection_event(
            connection=affected.connection,
            actor=actor,
            action=Action.PROVIDER_CHANGED,
            detail={
                "change": impact.description,
                "service": f"{service.name} v{service.major}",
                "environments": [environment.name for environment in affected.environments],
            },
        )
        for affected in impact.affected
    )
