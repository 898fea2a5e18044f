"""Every getter of the marketplace's objects for a request: the scope (with
the catalog version, or for Admins and writers only) and the services,
endpoints and parameters it may reach. An unknown or foreign id is a 404, a
write without the role a 403 (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404, HttpRequest

from console.access import Scope, get_component_for_user, get_scope_for_user

from . import catalog_version
from .models import Endpoint, Service, ServiceKind, ServiceParameter, ServiceQuerySet


def get_catalog_scope_for_user(
    request: HttpRequest, org: str, project: str | None = None, component: str | None = None
) -> Scope:
    """The scope, with its organization's catalog version read in the same
    query as the membership: the facet counts are cached under it
    (marketplace/facets.py), and reading it alone would cost a query."""
    return get_scope_for_user(
        request,
        org,
        project,
        component,
        annotations={catalog_version.ANNOTATION: catalog_version.of_organization()},
    )


def get_admin_scope(request: HttpRequest, org: str, project: str | None) -> Scope:
    """The scope, for Admins only: 404 for outsiders, 403 for other roles."""
    scope = get_scope_for_user(request, org, project)
    scope.require_admin()
    return scope


def get_writer_scope(request: HttpRequest, org: str, project: str, component: str) -> Scope:
    """The component, for Admins and Developers: 404 for outsiders, 403 for Viewers."""
    scope = get_component_for_user(request, org, project, component)
    scope.require_write()
    return scope


def services_visible_from(scope: Scope, *, include_unlisted: bool = False) -> ServiceQuerySet:
    """What the marketplace shows at this scope's level (docs/domain.md, Scopes)."""
    if scope.project is None:
        return Service.objects.visible_from_organization(
            scope.organization, include_unlisted=include_unlisted
        )
    return Service.objects.visible_from(
        scope.project, scope.component, include_unlisted=include_unlisted
    )


def get_service_for_user(
    scope: Scope,
    service_id: int,
    *,
    listed_only: bool = False,
    defer: Iterable[str] = (),
    annotations: dict | None = None,
) -> Service:
    """A service this scope may see, or 404. Its page stays reachable after
    it is removed from the marketplace; connecting to it does not."""
    service = (
        services_visible_from(scope, include_unlisted=not listed_only)
        .select_related("provider_component__project", "project")
        .defer(*defer)
        .annotate(**(annotations or {}))
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise Http404("No such service here.")
    return service


def get_published_service(scope: Scope, service_id: int) -> Service:
    """An internal service the scope's component publishes, or 404."""
    service = (
        Service.objects.filter(
            kind=ServiceKind.INTERNAL, provider_component_id=scope.component.pk, pk=service_id
        )
        .prefetch_related("deployments", "tags")
        .first()
    )
    if service is None:
        raise Http404("No such endpoint of this component.")
    service.provider_component = scope.component
    service.organization = scope.organization
    return service


def get_third_party_service(scope: Scope, service_id: int) -> Service:
    """A third-party service registered at this scope (or, at project level,
    for the whole organization), or 404."""
    service = (
        Service.objects.third_party_services_at(scope.organization, scope.project)
        .select_related("project")
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise Http404("No such third-party service here.")
    service.organization = scope.organization
    return service


def get_endpoint(service: Service, endpoint_id: int) -> Endpoint:
    endpoint = service.endpoints.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404("No such endpoint of this service.")
    endpoint.service = service
    return endpoint


def get_parameter(service: Service, parameter_id: int) -> ServiceParameter:
    parameter = service.parameters.filter(pk=parameter_id).first()
    if parameter is None:
        raise Http404("No such parameter of this service.")
    parameter.service = service
    return parameter
