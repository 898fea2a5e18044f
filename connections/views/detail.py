"""The connection page."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from console.access import Scope, get_scope_for_user
from console.views import render_in_scope

from ..models import Connection
from ..resolution import resolve


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
    return connection


@require_GET
def connection_detail(
    request: HttpRequest,
    org: str,
    project: str,
    connection_id: UUID,
    component: str | None = None,
) -> HttpResponse:
    scope = get_scope_for_user(request, org, project, component)
    connection = get_connection_for_user(scope, connection_id)
    return render_in_scope(
        request,
        "connections/detail.html",
        scope,
        {"connection": connection, "environments": resolve(connection)},
        section="connections",
    )
