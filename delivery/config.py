"""What a runtime token receives: the values of every connection its
component (or project) sees, in its environment, under the names the
component's component.yaml gives them, and what cannot be delivered, why."""

from __future__ import annotations

from dataclasses import dataclass, field

from connections.models import Connection
from connections.resolution import resolve_in_environment
from connections.status import connection_statuses
from console.crypto import SecretValue

from .models import ComponentManifest, RuntimeToken


@dataclass(frozen=True)
class DeliveredConnection:
    connection: Connection
    resource_ref: str
    # key -> the variable that carries it
    keys: dict[str, str]
    # The keys whose values are secrets (recorded with each pull).
    secrets: list[str]


@dataclass(frozen=True)
class Pending:
    connection: str
    reason: str


@dataclass
class Configuration:
    token: RuntimeToken
    variables: dict[str, str] = field(default_factory=dict)
    connections: list[DeliveredConnection] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)

    @property
    def environment(self) -> str:
        return self.token.environment.name

    @property
    def consumer(self) -> str:
        """Who receives the values, in words: a component or a project."""
        if self.token.component is not None:
            return f"component {self.token.component.name}"
        return f"project {self.token.project.name}"


def _visible(token: RuntimeToken) -> list[Connection]:
    connections = Connection.objects.filter(project_id=token.project_id)
    if token.component_id is None:
        connections = connections.filter(component__isnull=True)
    else:
        connections = connections.visible_to(token.project, token.component)
    return list(
        connections.select_related("service__provider_component__project").order_by("name", "pk")
    )


def _declared(token: RuntimeToken) -> dict | None:
    """The saved component.yaml's declarations, or None (deliver every
    visible connection). Read with the token (select_related)."""
    if token.component is None:
        return None
    try:
        manifest = token.component.manifest
    except ComponentManifest.DoesNotExist:
        return None
    return manifest.declared if isinstance(manifest.declared, dict) else None


def _chosen(
    visible: list[Connection], declared: dict | None, pending: list[Pending]
) -> tuple[list[Connection], dict[tuple[int, str], str]]:
    """The connections to deliver and the custom names of their keys. With a
    component.yaml, only those it declares (as Choreo injects only declared
    references); a declaration that no longer matches is pending."""
    if declared is None:
        return visible, {}
    by_name = {connection.name.casefold(): connection for connection in visible}
    chosen: list[Connection] = []
    for reference in declared.get("references", []):
        name = str(reference.get("name", ""))
        connection = by_name.get(name.casefold())
        if connection is None:
            pending.append(
                Pending(
                    name,
                    "component.yaml declares it, but no connection of that name is "
                    "visible to this component.",
                )
            )
            continue
        resource_ref = connection.service.resource_reference
        if reference.get("resourceRef") != resource_ref:
            pending.append(
                Pending(
                    connection.name,
                    f"component.yaml names resourceRef {reference.get('resourceRef')}, but the "
                    f"connection's service is now {resource_ref}. Update component.yaml.",
                )
            )
            continue
        if connection not in chosen:
            chosen.append(connection)
    custom = {}
    for entry in declared.get("env", []):
        connection = by_name.get(str(entry.get("connection", "")).casefold())
        if connection is not None:
            custom[(connection.pk, str(entry.get("key")))] = str(entry.get("name"))
    return chosen, custom


def configuration_for(token: RuntimeToken) -> Configuration:
    """A constant number of queries whatever the number of connections: the
    connections, then connection_statuses' and resolve_in_environment's reads."""
    configuration = Configuration(token)
    connections, custom = _chosen(_visible(token), _declared(token), configuration.pending)
    statuses = connection_statuses(connections, environment=token.environment)
    resolved = resolve_in_environment(connections, token.environment)
    taken: dict[str, str] = {}
    for connection in connections:
        # What stops it in this environment (the status's notices do not).
        status = statuses[connection.pk].of(token.environment)
        if not status.ready:
            configuration.pending.append(Pending(connection.name, status.reason))
            continue
        entry = resolved[connection.pk]
        if entry.problem:
            configuration.pending.append(Pending(connection.name, entry.problem))
            continue
        missing = [value.key for value in entry.values if value.value is None]
        if missing:
            configuration.pending.append(
                Pending(
                    connection.name,
                    f"The endpoint mapped to {token.environment.name} gives no value for "
                    f"{', '.join(missing)}.",
                )
            )
            continue
        keys = {
            value.key: custom.get((connection.pk, value.key), value.variable)
            for value in entry.values
        }
        clash = [variable for variable in keys.values() if variable in taken]
        if clash:
            configuration.pending.append(
                Pending(
                    connection.name,
                    f"{clash[0]} is already given by the connection {taken[clash[0]]}.",
                )
            )
            continue
        for value in entry.values:
            plain = value.value.reveal() if isinstance(value.value, SecretValue) else value.value
            configuration.variables[keys[value.key]] = plain
            taken[keys[value.key]] = connection.name
        configuration.connections.append(
            DeliveredConnection(
                connection,
                connection.service.resource_reference,
                keys,
                [value.key for value in entry.values if value.secret],
            )
        )
    return configuration
