"""Where a connection's row of the activity log links while the connection
exists (settings.ACTIVITY_LINKS): its page, at its own level."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from console.access import Scope
from console.activity import uuid_ids
from console.models import ActivityEvent, ObjectKind

from .models import Connection


def links(scope: Scope, events: Sequence[ActivityEvent]) -> dict[tuple[str, str], str]:
    public_ids = uuid_ids(events, ObjectKind.CONNECTION)
    if not public_ids:
        return {}
    found = {}
    org = scope.organization.handle
    for public_id, project, component in Connection.objects.filter(
        organization_id=scope.organization.pk, public_id__in=public_ids
    ).values_list("public_id", "project__handle", "component__handle"):
        kwargs = {"org": org, "project": project, "connection_id": public_id}
        if component:
            kwargs["component"] = component
        found[ObjectKind.CONNECTION, str(public_id)] = reverse("connections:detail", kwargs=kwargs)
    return found
