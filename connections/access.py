"""Every getter of the connections' objects for a request: an unknown
connection, or one the scope cannot see, is a 404 (docs/architecture.md)."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest

from console.access import Scope, get_scope_for_user

from .models import Connection


def get_connection_for_user(scope: Scope, connection_id: UUID) -> Connection:
    """A connection the scope can see, or 404: at component level that is
    the component's own and its project's connections."""
    connection = (
        Connection.objects.visible_to(scope.project, scope.component)
        .select_related(
            "service__provider_component__project", "component", "created_by", "project"
        )
        .filter(public_id=connection_id)
        .first()
    )
    if connection is None:
        raise Http404("No such connection here.")
    # Its organization is the scope's (it is one of the scope's project's):
    # the object already read, rather than a query for the same row.
    connection.organization = scope.organization
    return connection


def get_scope_and_connection_for_user(
    request: HttpRequest,
    org: str,
    project: str,
    connection_id: UUID,
    component: str | None = None,
) -> tuple[Scope, Connection]:
    """The scope a connection page's URL names and the connection in it,
    or 404: what every page of one connection starts from."""
    scope = get_scope_for_user(request, org, project, component)
    return scope, get_connection_for_user(scope, connection_id)
