"""Every getter of the connections' objects for a request: an unknown
connection, or one the scope cannot see, is a 404 (docs/architecture.md)."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404

from console.access import Scope

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
    return connection
