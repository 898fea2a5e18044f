"""Dependencies > Connections: the list at project and component level, and
the connection page."""

from __future__ import annotations

from uuid import UUID

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access import Scope, get_scope_for_user
from console.htmx import wants_fragment
from console.views import render_in_scope

from .filters import ConnectionFilter
from .models import Connection
from .resolution import resolve

PAGE_SIZE = 20


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
def connection_list(
    request: HttpRequest, org: str, project: str, component: str | None = None
) -> HttpResponse:
    scope = get_scope_for_user(request, org, project, component)
    connections = Connection.objects.visible_to(scope.project, scope.component).select_related(
        "service", "component", "created_by"
    )
    filterset = ConnectionFilter(
        request.GET, queryset=connections, at_component=scope.component is not None
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "is_filtered": any(filterset.form.cleaned_data.get(key) for key in ("q", "type", "scope")),
    }
    if wants_fragment(request):
        context["scope"] = scope
        return render(request, "connections/list.html#results", context)
    return render_in_scope(request, "connections/list.html", scope, context, section="connections")


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
