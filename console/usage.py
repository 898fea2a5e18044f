"""What uses a project, a component or an environment: what stops its
delete, and what the delete takes with it (docs/domain.md, Deleting).

Connections, services and runtime tokens belong to higher apps: they are
read here through the reverse relations of the console's models, never by
importing those apps (docs/architecture.md). Who a refused delete would
leave without a service is listed as every provider's change lists its
consumers (includes/impact.html), by the functions settings name:
``ENVIRONMENT_DELETE_IMPACT`` and ``COMPONENT_DELETE_IMPACT``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Component, Environment, Project

# How many of each kind a confirmation page names; the rest are counted.
SHOWN = 20


@dataclass(frozen=True)
class Listing:
    """The first ``SHOWN`` rows of a query and how many there are in all."""

    rows: list
    total: int

    @classmethod
    def of(cls, queryset: QuerySet) -> Listing:
        rows = list(queryset[: SHOWN + 1])
        if len(rows) <= SHOWN:
            return cls(rows, len(rows))
        return cls(rows[:SHOWN], queryset.count())

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    def __bool__(self) -> bool:
        return self.total > 0


def _live_tokens(tokens: QuerySet) -> QuerySet:
    # A revoked or expired token reads nothing: it does not hold a delete
    # back, and nobody could ever remove it to let the delete through.
    now = timezone.now()
    return tokens.filter(revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


@dataclass(frozen=True)
class ProjectUsage:
    """What a project holds; it may be deleted only when it holds nothing."""

    components: Listing
    connections: Listing
    services: Listing
    runtime_tokens: Listing

    @property
    def is_empty(self) -> bool:
        return not (self.components or self.connections or self.services or self.runtime_tokens)


def project_usage(project: Project) -> ProjectUsage:
    return ProjectUsage(
        components=Listing.of(project.components.order_by(Lower("name"), "pk")),
        connections=Listing.of(
            project.connections.select_related("project", "component").order_by(Lower("name"), "pk")
        ),
        services=Listing.of(project.services.order_by(Lower("name"), "major", "pk")),
        runtime_tokens=Listing.of(
            _live_tokens(project.runtime_tokens.all()).order_by(Lower("name"), "pk")
        ),
    )


def project_is_empty(project: Project) -> bool:
    """The check of ``project_usage(...).is_empty``, in four EXISTS queries."""
    return not (
        project.components.exists()
        or project.connections.exists()
        or project.services.exists()
        or _live_tokens(project.runtime_tokens.all()).exists()
    )


@dataclass(frozen=True)
class ComponentUsage:
    """What a component publishes, who consumes it, and what goes with it."""

    published: list
    connections: Listing
    runtime_tokens: Listing
    # The connections to what it publishes, a marketplace.changes.Impact
    # (settings.COMPONENT_DELETE_IMPACT): while there are any, it stays.
    consumers: object

    @property
    def is_consumed(self) -> bool:
        return bool(self.consumers.affected)


def consumers_of(component: Component) -> QuerySet:
    """The connections to the services ``component`` publishes: all of its
    organization's (a service is never visible to another one)."""
    organization = component.project.organization
    return organization.connections.filter(service__provider_component_id=component.pk)


def resolving_bindings(environment: Environment) -> QuerySet:
    """The bindings of the connections that resolve in ``environment``:
    mapped to an endpoint there, or to an internal service deployed there."""
    resolving = Q(endpoint__isnull=False) | Q(
        connection__service__deployments__environment=environment
    )
    return environment.connection_bindings.filter(resolving)


def environment_delete_impact(environment: Environment) -> object:
    """settings.ENVIRONMENT_DELETE_IMPACT: the connections that resolve in
    ``environment``, which its delete would leave with nothing there."""
    return import_string(settings.ENVIRONMENT_DELETE_IMPACT)(environment)


def component_usage(component: Component) -> ComponentUsage:
    return ComponentUsage(
        published=list(component.published_services.order_by(Lower("name"), "major", "pk")),
        connections=Listing.of(component.connections.order_by(Lower("name"), "pk")),
        runtime_tokens=Listing.of(
            _live_tokens(component.runtime_tokens.all()).order_by(Lower("name"), "pk")
        ),
        consumers=import_string(settings.COMPONENT_DELETE_IMPACT)(component),
    )
