"""The history of a connection."""

from __future__ import annotations

from marketplace.changes import Impact
from marketplace.models import Service

from ..models import (
    Connection,
    ConnectionEvent,
    EventAction,
)


def _actor_fields(actor) -> dict:
    if actor is not None and actor.is_authenticated:
        return {"actor": actor, "actor_name": actor.get_username()}
    return {"actor": None, "actor_name": ""}


def record_event(
    *, connection: Connection, actor, action: EventAction, detail: dict | None = None
) -> ConnectionEvent:
    return ConnectionEvent.objects.create(
        organization_id=connection.organization_id,
        connection=connection,
        connection_public_id=connection.public_id,
        connection_name=connection.name,
        action=action,
        **_actor_fields(actor),
        detail=detail or {},
    )


def record_values_pulled(
    *,
    connections: list[tuple[Connection, list[str]]],
    token_name: str,
    environment: str,
    address: str | None,
) -> None:
    """One line in the history of each connection whose secrets a runtime
    token's pull carried (delivery), written in one statement."""
    ConnectionEvent.objects.bulk_create(
        ConnectionEvent(
            organization_id=connection.organization_id,
            connection=connection,
            connection_public_id=connection.public_id,
            connection_name=connection.name,
            actor_name=token_name,
            action=EventAction.VALUES_PULLED,
            detail={"environment": environment, "address": address or "", "secrets": keys},
        )
        for connection, keys in connections
    )


def record_service_change(*, service: Service, impact: Impact, actor) -> None:
    """settings.SERVICE_CHANGED_HOOKS: one line in the history of every
    connection a provider's change affected, in the change's transaction,
    written in one statement."""
    who = _actor_fields(actor)
    ConnectionEvent.objects.bulk_create(
        ConnectionEvent(
            organization_id=affected.connection.organization_id,
            connection=affected.connection,
            connection_public_id=affected.connection.public_id,
            connection_name=affected.connection.name,
            action=EventAction.PROVIDER_CHANGED,
            detail={
                "change": impact.description,
                "service": f"{service.name} v{service.major}",
                "environments": [environment.name for environment in affected.environments],
            },
            **who,
        )
        for affected in impact.affected
    )
