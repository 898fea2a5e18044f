"""What a marketplace card says of the scope's connections to its service:
"Connected", how many, and the page that lists them.

Which connections count: at component level those the component sees (its
own and its project's), at project level the project's and its components',
at organization level any of the organization's.

Read as annotations of the page's own query (correlated subqueries, one
index probe per card and figure), so cards cost no query of their own
however many there are. The marketplace imports nothing of the connections
app (docs/architecture.md): it reaches their model through the reverse
relation ``Service.connections``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from console.access import Scope

from .models import Service

COUNT = "connected_count"
# One of them: the connection itself when there is only one.
ONE = "connected_one"
# At project level, the components holding some of them, first and last by
# handle: the same handle twice means a single component's list shows all.
FIRST_COMPONENT = "connected_first_component"
LAST_COMPONENT = "connected_last_component"
# The Connections list's search takes at most 100 characters
# (connections/filters.py); a longer name's start still finds it.
SEARCH_MAX_LENGTH = 100


def _connections_in(scope: Scope) -> QuerySet:
    connections = Service.connections.rel.related_model.objects.filter(service_id=OuterRef("pk"))
    if scope.component is not None:
        return connections.visible_to(scope.project, scope.component)
    if scope.project is not None:
        return connections.filter(project_id=scope.project.pk)
    return connections.filter(organization_id=scope.organization.pk)


def connected_annotations(scope: Scope) -> dict:
    """The annotations a card's badge and link are made from."""
    # order_by(): the connections' default ordering would join the GROUP BY.
    connections = _connections_in(scope).order_by()
    count = connections.values("service_id").annotate(count=Count("pk")).values("count")
    annotations = {COUNT: Coalesce(Subquery(count), Value(0), output_field=IntegerField())}
    if scope.project is None:
        return annotations  # the Used by tab lists them: no connection is named
    annotations[ONE] = Subquery(connections.order_by("pk").values("public_id")[:1])
    if scope.component is None:
        in_components = connections.filter(component__isnull=False)
        annotations[FIRST_COMPONENT] = Subquery(
            in_components.order_by("component__handle").values("component__handle")[:1]
        )
        annotations[LAST_COMPONENT] = Subquery(
            in_components.order_by("-component__handle").values("component__handle")[:1]
        )
    return annotations


def _listing_all(scope: Scope, service: Service) -> dict[str, str] | None:
    """The URL handles of the one Connections list that shows them all, or None."""
    if scope.project is None:
        return None
    if scope.component is not None:
        return scope.url_kwargs
    first, last = getattr(service, FIRST_COMPONENT), getattr(service, LAST_COMPONENT)
    if first is None:
        return scope.url_kwargs
    if first == last:
        # A component's list shows its project's connections too.
        return {**scope.url_kwargs, "component": first}
    return None


def connected_url(scope: Scope, service: Service) -> str:
    """Where a card's "Connected" badge leads: the connection's page when
    there is one, else the list that shows them all, searched for the
    service; the service's Used by tab where no Connections list shows them
    all (at organization level, or in several components of a project)."""
    place = _listing_all(scope, service)
    if place is None:
        used_by = reverse(
            "marketplace:service", kwargs={**scope.url_kwargs, "service_id": service.pk}
        )
        return f"{used_by}?{urlencode({'tab': 'used-by'})}"
    if getattr(service, COUNT) == 1:
        return reverse(
            "connections:detail", kwargs={**place, "connection_id": getattr(service, ONE)}
        )
    listed = reverse("connections:list", kwargs=place)
    return f"{listed}?{urlencode({'q': service.name[:SEARCH_MAX_LENGTH]})}"
