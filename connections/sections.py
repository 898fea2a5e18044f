"""What connections show on the console's pages, through their extension
points in settings: the Connections section of a component's page
(COMPONENT_PAGE_SECTIONS), each connection with its status per environment."""

from __future__ import annotations

from django.db.models.functions import Lower
from django.http import HttpRequest
from django.template.loader import render_to_string

from console.access import Scope

from .models import Connection
from .status import connection_statuses

# A section, not a list page: the first connections by name, and a link to
# the Connections list for the rest.
CONNECTIONS_SHOWN = 20


def component_connections(request: HttpRequest, scope: Scope) -> str:
    """The connections the component can use (its own and its project's)."""
    connections = list(
        Connection.objects.visible_to(scope.project, scope.component)
        .select_related("service")
        .order_by(Lower("name"), "pk")[: CONNECTIONS_SHOWN + 1]
    )
    shown = connections[:CONNECTIONS_SHOWN]
    statuses = connection_statuses(shown)
    for connection in shown:
        connection.status = statuses[connection.pk]
    return render_to_string(
        "connections/component_connections.html",
        {
            "scope": scope,
            "connections": shown,
            "environments": [each.environment for each in statuses[shown[0].pk].environments]
            if shown
            else [],
            "more": len(connections) > CONNECTIONS_SHOWN,
        },
        request=request,
    )
