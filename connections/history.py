"""A connection's history in words: one sentence per recorded event."""

from __future__ import annotations

from .models import ConnectionEvent, EventAction


def _quoted(value: object) -> str:
    return f"“{value}”" if value else "no endpoint"


def describe_event(event: ConnectionEvent) -> str:
    """One line of history in words: "dave renamed the connection from …"."""
    who = event.actor_name or "Someone"
    detail = event.detail if isinstance(event.detail, dict) else {}
    where = " in the Django admin" if detail.get("via") == "admin" else ""
    match event.action:
        case EventAction.CREATED:
            service = detail.get("service")
            return f"{who} created the connection" + (f" to {service}" if service else "")
        case EventAction.RENAMED:
            return (
                f"{who} renamed the connection from {_quoted(detail.get('from'))} "
                f"to {_quoted(detail.get('to'))}{where}"
            )
        case EventAction.DESCRIPTION_CHANGED:
            return f"{who} changed the description{where}"
        case EventAction.MAPPING_CHANGED:
            changes = detail.get("changes") if isinstance(detail.get("changes"), list) else []
            parts = [
                f"{change.get('environment')} from {_quoted(change.get('from'))} "
                f"to {_quoted(change.get('to'))}"
                for change in changes
                if isinstance(change, dict)
            ]
            return f"{who} changed the endpoint mapping: " + "; ".join(parts)
        case EventAction.SECRET_REVEALED:
            # "previous": the value a rotation replaced (connection_secret_reveal).
            old = "the old " if detail.get("previous") else ""
            return f"{who} revealed {old}{detail.get('key')} in {detail.get('environment')}"
        case EventAction.CREDENTIALS_ROTATED:
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
        case EventAction.VALUES_PULLED:
            secrets = detail.get("secrets") if isinstance(detail.get("secrets"), list) else []
            address = detail.get("address")
            return (
                f"The runtime token “{event.actor_name}” pulled "
                f"{' and '.join(str(key) for key in secrets) or 'the values'} for "
                f"{detail.get('environment')}" + (f" from {address}" if address else "")
            )
        case EventAction.PROVIDER_CHANGED:
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
        case EventAction.DELETED:
            return f"{who} deleted the connection{where}"
    return f"{who}: {event.get_action_display()}"
