"""A connection's history in words: one sentence per recorded event (its
events in the activity log, console.models.ActivityEvent)."""

from __future__ import annotations

from django.db.models import QuerySet

from console.models import Action, ActivityEvent, ObjectKind

from .models import Connection


def history_of(connection: Connection) -> QuerySet[ActivityEvent]:
    """A connection's events, newest first; they outlive it."""
    return ActivityEvent.objects.of_object(
        connection.organization_id, ObjectKind.CONNECTION, connection.public_id
    )


def _quoted(value: object) -> str:
    return f"“{value}”" if value else "no endpoint"


def _change(event: ActivityEvent, field: str) -> tuple[object, object]:
    pair = event.changes.get(field) if isinstance(event.changes, dict) else None
    return tuple(pair) if isinstance(pair, list) and len(pair) == 2 else (None, None)


def describe_event(event: ActivityEvent) -> str:
    """One line of history in words: "dave renamed the connection from …"."""
    who = event.actor_name or "Someone"
    detail = event.detail if isinstance(event.detail, dict) else {}
    changes = event.changes if isinstance(event.changes, dict) else {}
    where = " in the Django admin" if detail.get("via") == "admin" else ""
    match event.action:
        case Action.CREATED:
            service = detail.get("service")
            return f"{who} created the connection" + (f" to {service}" if service else "")
        case Action.RENAMED:
            before, after = _change(event, "name")
            return f"{who} renamed the connection from {_quoted(before)} to {_quoted(after)}{where}"
        case Action.DESCRIPTION_CHANGED:
            return f"{who} changed the description{where}"
        case Action.MAPPING_CHANGED:
            # {environment: [endpoint before, endpoint after]}
            parts = [
                f"{environment} from {_quoted(pair[0])} to {_quoted(pair[1])}"
                for environment, pair in changes.items()
                if isinstance(pair, list) and len(pair) == 2
            ]
            return f"{who} changed the endpoint mapping: " + "; ".join(parts)
        case Action.SECRET_REVEALED:
            # "previous": the value a rotation replaced (connection_secret_reveal).
            old = "the old " if detail.get("previous") else ""
            return f"{who} revealed {old}{detail.get('key')} in {detail.get('environment')}"
        case Action.CREDENTIALS_ROTATED:
            keys = detail.get("keys") if isinstance(detail.get("keys"), list) else []
            grace = detail.get("grace")
            kept = (
                "the old values stopped working at once"
                if grace in (None, "none")
                else f"the old values work for {grace} more"
            )
            return (
                f"{who} rotated {' and '.join(str(key) for key in keys) or 'the credentials'} "
                f"in {detail.get('environment')}; {kept}"
            )
        case Action.VALUES_PULLED:
            secrets = detail.get("secrets") if isinstance(detail.get("secrets"), list) else []
            address = detail.get("address")
            return (
                f"The runtime token “{detail.get('token')}” pulled "
                f"{' and '.join(str(key) for key in secrets) or 'the values'} for "
                f"{detail.get('environment')}" + (f" from {address}" if address else "")
            )
        case Action.PROVIDER_CHANGED:
            environments = detail.get("environments")
            where = (
                f" (in {', '.join(str(name) for name in environments)})"
                if isinstance(environments, list) and environments
                else ""
            )
            return (
                f"{who} changed {detail.get('service') or 'the service'}: "
                f"{detail.get('change') or 'a change that reaches this connection'}{where}"
            )
        case Action.DELETED:
            return f"{who} deleted the connection{where}"
    return f"{who}: {event.get_action_display()}"
