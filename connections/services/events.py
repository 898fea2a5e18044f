"""The history of a connection."""

from __future__ import annotations

from ..models import (
    Connection,
    ConnectionEvent,
    EventAction,
)


def record_event(
    *, connection: Connection, actor, action: EventAction, detail: dict | None = None
) -> ConnectionEvent:
    return ConnectionEvent.objects.create(
        organization_id=connection.organization_id,
        connection=connection,
        connection_public_id=connection.public_id,
        connection_name=connection.name,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        action=action,
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
