"""Who a provider's change to a service affects (settings.SERVICE_CHANGE_IMPACT):
the service's connections that lose it, or lose it in some environments, or
whose keys change, each with its scope and the environments concerned.

Read as the data stands: the marketplace asks after the write, in its
transaction (marketplace/changes.py). A constant number of queries whatever
the number of connections: the connections, one per change kind that needs
more, and one query per SCOPES_PER_QUERY consumer scopes for who still sees
the service.

The same list for the console's deletes that would reach consumers
(settings.ENVIRONMENT_DELETE_IMPACT, COMPONENT_DELETE_IMPACT): the console
refuses them while such connections exist, and its page names them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import IntegerField, QuerySet, Value
from django.db.models.functions import Lower

from console.models import Component, Environment, Project
from console.usage import consumers_of, resolving_bindings
from marketplace.changes import AffectedConnection, ChangeKind, Impact, ServiceChange
from marketplace.models import Service

from .models import Connection, ConnectionBinding
from .status import SCOPES_PER_QUERY


def _scopes_seeing(service: Service, scopes: list[tuple[int, int | None]]) -> set:
    """The consumer scopes, (project id, component id), from which ``service``
    is visible: the marketplace's rule, Service.objects.visible_from, unlisted
    included (removing from the marketplace hides nothing from a connection)."""
    seeing = set()
    for start in range(0, len(scopes), SCOPES_PER_QUERY):
        chunk = scopes[start : start + SCOPES_PER_QUERY]
        # visible_from reads only the scope's ids: unsaved instances carry them.
        parts = [
            Service.objects.visible_from(
                Project(pk=project_id, organization_id=service.organization_id),
                Component(pk=component_id) if component_id is not None else None,
                include_unlisted=True,
            )
            .filter(pk=service.pk)
            .annotate(scope=Value(index, output_field=IntegerField()))
            .order_by()
            .values_list("scope", flat=True)
            for index, (project_id, component_id) in enumerate(chunk)
        ]
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        seeing.update(chunk[index] for index in query)
    return seeing


def _losing_sight(service: Service, connections: list[Connection]) -> set[int]:
    scopes = sorted(
        {(c.project_id, c.component_id) for c in connections},
        key=lambda scope: (scope[0], scope[1] or 0),
    )
    seeing = _scopes_seeing(service, scopes)
    return {c.pk for c in connections if (c.project_id, c.component_id) not in seeing}


def _mapped_to_endpoint(change: ServiceChange) -> dict[int, set[Environment]]:
    """Connection id -> the environments (of ``change``, or all) in which it
    is mapped to the change's endpoint."""
    bindings = ConnectionBinding.objects.filter(endpoint_id=change.endpoint_id)
    if change.environments:
        bindings = bindings.filter(environment__in=change.environments)
    mapped: dict[int, set[Environment]] = {}
    for binding in bindings.select_related("environment"):
        mapped.setdefault(binding.connection_id, set()).add(binding.environment)
    return mapped


def _by_scope(connections: QuerySet) -> list[Connection]:
    """By project, component and name, each with its project and component."""
    return list(
        connections.select_related("project", "component").order_by(
            Lower("project__name"),
            "project_id",
            # A project's own connections first, on every database.
            Lower("component__name").asc(nulls_first=True),
            Lower("name"),
            "pk",
        )
    )


def impact_of(service: Service, changes: Sequence[ServiceChange]) -> Impact:
    """The connections ``changes`` to ``service`` affect, by project,
    component and name; each with where it is affected (nothing named:
    everywhere)."""
    connections = _by_scope(service.connections.all())
    every = {c.pk for c in connections}
    # Connection id -> the environments concerned, or None for all of them.
    environments: dict[int, set[Environment] | None] = {}

    def affect(ids, where: set[Environment] | None) -> None:
        for pk in ids:
            known = environments.get(pk, set())
            environments[pk] = None if where is None or known is None else known | where

    for change in changes:
        match change.kind:
            case ChangeKind.VISIBILITY_NARROWED:
                affect(_losing_sight(service, connections), None)
            case ChangeKind.UNDEPLOYED:
                affect(every, set(change.environments) or None)
            case ChangeKind.ENDPOINT_ENVIRONMENTS | ChangeKind.ENDPOINT_DELETED:
                for pk, where in _mapped_to_endpoint(change).items():
                    affect([pk], where)
            case _:
                # Keys change, or the card leaves the marketplace: everyone, everywhere.
                affect(every, None)
    return Impact(
        changes=tuple(changes),
        affected=tuple(
            AffectedConnection(
                connection,
                tuple(sorted(environments[connection.pk] or (), key=lambda e: e.order)),
            )
            for connection in connections
            if connection.pk in environments
        ),
    )


def environment_delete_impact(environment: Environment) -> Impact:
    """settings.ENVIRONMENT_DELETE_IMPACT: the connections that resolve in
    ``environment`` (the console's rule, console.usage.resolving_bindings),
    which its delete would leave with nothing there."""
    resolving = resolving_bindings(environment).values("connection_id")
    change = ServiceChange(
        ChangeKind.ENVIRONMENT_DELETED,
        f"deleting the environment {environment.name}",
        environments=(environment,),
    )
    return Impact(
        changes=(change,),
        affected=tuple(
            AffectedConnection(connection, (environment,))
            for connection in _by_scope(Connection.objects.filter(pk__in=resolving))
        ),
    )


def component_delete_impact(component: Component) -> Impact:
    """settings.COMPONENT_DELETE_IMPACT: the connections to the services
    ``component`` publishes (console.usage.consumers_of), which its delete
    would leave without a service in every environment."""
    connections = _by_scope(consumers_of(component))
    if not connections:
        return Impact(changes=())
    # Names only: a service row carries its whole documentation.
    services = Service.objects.filter(pk__in={c.service_id for c in connections}).order_by(
        Lower("name"), "major"
    )
    names = ", ".join(f"{name} v{major}" for name, major in services.values_list("name", "major"))
    change = ServiceChange(
        ChangeKind.COMPONENT_DELETED,
        f"deleting the component {component.name}, which publishes {names}",
    )
    return Impact(
        changes=(change,),
        affected=tuple(AffectedConnection(connection) for connection in connections),
    )
