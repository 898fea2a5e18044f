"""Dependencies > Connections: the list at project and component level."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from console.access import get_scope_for_user
from console.shell import render_page_or_fragment
from console.url_state import list_url_state

from ..filters import ConnectionFilter
from ..models import Connection
from ..status import connection_statuses

PAGE_SIZE = 20


@require_GET
def connection_list(
    request: HttpRequest, org: str, project: str, component: str | None = None
) -> HttpResponse:
    scope = get_scope_for_user(request, org, project, component)
    if scope.component is None:
        # The filter keeps the project's own unless its components' are asked for.
        connections = Connection.objects.in_project(scope.project)
    else:
        connections = Connection.objects.visible_to(scope.project, scope.component)
    filterset = ConnectionFilter(
        request.GET,
        queryset=connections.select_related("service", "component", "created_by"),
        at_component=scope.component is not None,
    )

    def context() -> dict:
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        # The Status column: the page's rows at once, whatever their number.
        statuses = connection_statuses(page.object_list)
        for connection in page.object_list:
            connection.status = statuses[connection.pk]
        data = filterset.form.cleaned_data
        return {
            "filter": filterset,
            "page": page,
            "is_filtered": any(data.get(key) for key in ("q", "type", "scope")),
            "with_components": bool(data.get("components")),
        }

    return render_page_or_fragment(
        request,
        "connections/list.html",
        scope,
        context,
        fragment="connections/list.html#results",
        section="connections",
        url_state=list_url_state(request, filterset),
    )
