"""Whether a connection works in each environment of its organization, and
why not: **Ready**, or **Pending** with the reasons that stop it there, and
the notices worth knowing while it works.

Computed from the data every time it is asked, never kept as a flag that
could drift from what it describes, and for many connections at once in a
constant number of queries: the environments, the bindings (each with
whether its service is deployed there and whether its endpoint is still
allowed there), and the services each consumer scope sees (the
connections' own and their newer majors).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, IntegerField, OuterRef, Value
from django.db.models.functions import Lower
from django.utils import formats, timezone

from console.models import Component, Environment, Project
from marketplace.models import Deployment, Endpoint, Service, ServiceKind, Visibility

from .models import Connection, ConnectionBinding

# Each consumer scope (a project, or a component of it) adds a part to one
# UNION query; SQLite refuses more than 500 parts, and a page shows the
# connections of one or two scopes.
SCOPES_PER_QUERY = 100


def not_set_up(environment: Environment) -> str:
    return (
        f"This connection was created before {environment.name} existed. "
        "Open Edit and save to set it up there."
    )


def not_deployed(environment: Environment) -> str:
    return f"The service is not deployed in {environment.name}."


def no_endpoint(environment: Environment) -> str:
    return f"No endpoint is mapped to {environment.name}."


def endpoint_not_allowed(endpoint_name: str, environment: Environment) -> str:
    return (
        f"The endpoint {endpoint_name} is no longer allowed in {environment.name}: map another one."
    )


def not_visible(service: Service) -> str:
    if service.is_internal and service.visibility == Visibility.PROJECT:
        return (
            "The service is no longer visible from this project: its provider narrowed "
            "its network visibility to Project."
        )
    return "The service is no longer visible from this project."


UNLISTED = "The service was removed from the marketplace; this connection keeps working."


def in_grace(until: datetime) -> str:
    shown = formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")
    return f"Credentials were rotated: the replaced ones are still accepted until {shown}."


def newer_major(major: int) -> str:
    return f"A newer major version of the service exists: v{major}."


def deprecated(service: Service) -> str:
    sunset = formats.date_format(service.sunset_on) if service.sunset_on else "a date to be set"
    return f"This version of the service is deprecated: sunset on {sunset}."


@dataclass(frozen=True)
class EnvironmentStatus:
    environment: Environment
    # What stops the connection from working there; empty when it is Ready.
    problems: tuple[str, ...] = ()
    # Worth knowing, though the connection works.
    notices: tuple[str, ...] = ()
    # Whether the connection's Edit can make it work there: set it up, or
    # map an endpoint that serves the environment.
    fixed_by_edit: bool = False

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        return "Ready" if self.ready else "Pending"

    @property
    def reason(self) -> str:
        """Why it is pending, in sentences (empty when Ready)."""
        return " ".join(self.problems)

    @property
    def explanation(self) -> str:
        """Everything said about this environment, for a tooltip or a screen reader."""
        return " ".join(self.problems + self.notices)


@dataclass(frozen=True)
class NewerMajor:
    """The newest listed major of a connection's service that its scope sees."""

    service_id: int
    major: int


@dataclass(frozen=True)
class ConnectionStatus:
    # In promotion order.
    environments: tuple[EnvironmentStatus, ...]
    # What the connection page offers a side-by-side connection to.
    newer: NewerMajor | None = None
    # Whether the connection's own scope still sees its service (the
    # connection page links to the service's page only then).
    service_visible: bool = True

    @property
    def ready(self) -> bool:
        return all(status.ready for status in self.environments)

    def of(self, environment: Environment) -> EnvironmentStatus:
        return next(s for s in self.environments if s.environment.pk == environment.pk)


@dataclass(frozen=True)
class _Binding:
    endpoint_id: int | None
    endpoint_name: str | None
    previous_valid_until: datetime | None
    endpoint_allowed: bool
    deployed: bool


def _service_key(kind: str, organization_id: int, provider_id, handle: str, name: str) -> tuple:
    """What stays the same across a service's major versions: the provider
    component's endpoint for an internal service, the name for a
    third-party one."""
    if kind == ServiceKind.INTERNAL:
        return (kind, provider_id, handle)
    return (kind, organization_id, name.lower())


def _key_of(service: Service) -> tuple:
    return _service_key(
        service.kind,
        service.organization_id,
        service.provider_component_id,
        service.endpoint_handle,
        service.name,
    )


def _environments(
    connections: Sequence[Connection], environment: Environment | None
) -> dict[int, list[Environment]]:
    if environment is not None:
        return {environment.organization_id: [environment]}
    by_organization: dict[int, list[Environment]] = defaultdict(list)
    for row in Environment.objects.filter(
        organization_id__in={c.organization_id for c in connections}
    ).order_by("order"):
        by_organization[row.organization_id].append(row)
    return by_organization


def _bindings(
    connections: Sequence[Connection], environment: Environment | None
) -> dict[tuple[int, int], _Binding]:
    """(connection id, environment id) -> the binding, with whether its
    endpoint is still allowed there and whether the service is deployed
    there, both read in the same query."""
    rows = ConnectionBinding.objects.filter(connection_id__in=[c.pk for c in connections])
    if environment is not None:
        rows = rows.filter(environment_id=environment.pk)
    rows = rows.annotate(
        endpoint_allowed=Exists(
            Endpoint.environments.through.objects.filter(
                endpoint_id=OuterRef("endpoint_id"), environment_id=OuterRef("environment_id")
            )
        ),
        deployed=Exists(
            Deployment.objects.filter(
                service_id=OuterRef("connection__service_id"),
                environment_id=OuterRef("environment_id"),
            )
        ),
    ).values_list(
        "connection_id",
        "environment_id",
        "endpoint_id",
        "endpoint__name",
        "previous_valid_until",
        "endpoint_allowed",
        "deployed",
    )
    return {
        (connection_id, environment_id): _Binding(*rest)
        for connection_id, environment_id, *rest in rows.order_by()
    }


def _scope_of(connection: Connection) -> tuple[int, int, int | None]:
    return (connection.organization_id, connection.project_id, connection.component_id)


def _seen_by_scope(
    connections: Sequence[Connection],
) -> dict[tuple, dict[tuple, list[tuple[int, int, bool]]]]:
    """For each consumer scope, the services it sees among the connections'
    own and every other major of them, by service key: (id, major, listed).

    The read rule is the marketplace's (Service.objects.visible_from,
    unlisted included: an unlisted service still works for those who see
    it), one part of one query for each scope.
    """
    services = {c.service_id: c.service for c in connections}
    internal = [s for s in services.values() if s.kind == ServiceKind.INTERNAL]
    # The candidates first, each kind by its own index (id, provider
    # component, the third-party names' unique index), in one UNION; the
    # visibility rule then reads only those rows. As one OR filter, SQLite
    # scanned every service of the organization: most of a second per page
    # at size L (make bench).
    ids = Service.objects.order_by().values_list("pk", flat=True)
    by_id = ids.filter(pk__in=list(services))
    by_provider = ids.filter(
        kind=ServiceKind.INTERNAL,
        provider_component_id__in={s.provider_component_id for s in internal},
    )
    # By name alone: the scope's part keeps its organization's. Read with
    # the organization as well, SQLite at size L took the (organization,
    # kind) index and scanned every third-party service of it, for each
    # scope.
    by_name = (
        ids.annotate(lower_name=Lower("name"))
        .filter(
            kind=ServiceKind.THIRD_PARTY,
            lower_name__in={s.name.lower() for s in services.values() if not s.is_internal},
        )
        .values_list("pk", flat=True)
    )
    # A subquery of each scope's part, not a query of its own: one query
    # fewer for every page that shows statuses.
    candidate_ids = by_id.union(by_provider, by_name)
    scopes = sorted({_scope_of(c) for c in connections}, key=lambda s: (s[1], s[2] or 0))
    seen: dict[tuple, dict[tuple, list[tuple[int, int, bool]]]] = {
        scope: defaultdict(list) for scope in scopes
    }
    for start in range(0, len(scopes), SCOPES_PER_QUERY):
        chunk = scopes[start : start + SCOPES_PER_QUERY]
        # visible_from reads only the scope's ids: unsaved instances carry
        # them without reading the project and component rows.
        parts = [
            Service.objects.visible_from(
                Project(pk=project_id, organization_id=organization_id),
                Component(pk=component_id) if component_id is not None else None,
                include_unlisted=True,
            )
            .annotate(scope=Value(index, output_field=IntegerField()))
            .filter(pk__in=candidate_ids)
            .order_by()
            .values_list(
                "scope",
                "pk",
                "kind",
                "organization_id",
                "provider_component_id",
                "endpoint_handle",
                "name",
                "major",
                "listed",
            )
            for index, (organization_id, project_id, component_id) in enumerate(chunk)
        ]
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for index, pk, kind, organization_id, provider_id, handle, name, major, listed in query:
            key = _service_key(kind, organization_id, provider_id, handle, name)
            seen[chunk[index]][key].append((pk, major, listed))
    return seen


def connection_statuses(
    connections: Iterable[Connection], *, environment: Environment | None = None
) -> dict[int, ConnectionStatus]:
    """The status of each connection (by id) in every environment of its
    organization, or in ``environment`` only. Select each connection's
    ``service`` with it; the queries are the same whatever the number of
    connections (see the module's docstring)."""
    connections = list(connections)
    if not connections:
        return {}
    environments = _environments(connections, environment)
    bindings = _bindings(connections, environment)
    seen = _seen_by_scope(connections)
    now = timezone.now()

    statuses = {}
    for connection in connections:
        service = connection.service
        majors = seen[_scope_of(connection)][_key_of(service)]
        visible = any(pk == service.pk for pk, _, _ in majors)
        newer = max(
            (
                NewerMajor(pk, major)
                for pk, major, listed in majors
                if listed and major > service.major
            ),
            key=lambda each: each.major,
            default=None,
        )
        shared_problems = () if visible else (not_visible(service),)
        shared_notices = (
            ((UNLISTED,) if not service.listed else ())
            + ((deprecated(service),) if service.is_deprecated else ())
            + ((newer_major(newer.major),) if newer is not None else ())
        )
        statuses[connection.pk] = ConnectionStatus(
            tuple(
                _in_environment(
                    service,
                    each,
                    bindings.get((connection.pk, each.pk)),
                    shared_problems,
                    shared_notices,
                    now,
                )
                for each in environments.get(connection.organization_id, [])
            ),
            newer,
            service_visible=visible,
        )
    return statuses


def connection_status(connection: Connection) -> ConnectionStatus:
    """One connection's status in every environment (its page)."""
    return connection_statuses([connection])[connection.pk]


def _in_environment(
    service: Service,
    environment: Environment,
    binding: _Binding | None,
    shared_problems: tuple[str, ...],
    shared_notices: tuple[str, ...],
    now: datetime,
) -> EnvironmentStatus:
    if binding is None:
        return EnvironmentStatus(
            environment,
            (*shared_problems, not_set_up(environment)),
            shared_notices,
            fixed_by_edit=True,
        )
    problems = shared_problems
    fixed_by_edit = False
    if service.is_internal:
        if not binding.deployed:
            problems += (not_deployed(environment),)
    elif binding.endpoint_id is None:
        problems += (no_endpoint(environment),)
        fixed_by_edit = True
    elif not binding.endpoint_allowed:
        problems += (endpoint_not_allowed(binding.endpoint_name, environment),)
        fixed_by_edit = True
    notices = shared_notices
    if binding.previous_valid_until is not None and now < binding.previous_valid_until:
        notices += (in_grace(binding.previous_valid_until),)
    return EnvironmentStatus(environment, problems, notices, fixed_by_edit)
