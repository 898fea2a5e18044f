"""What the activity log keeps of delivery's writes (console.activity) and
where they link while they exist: a runtime token to its component's or
project's page, a component.yaml to its page."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from console.access import Scope
from console.activity import integer_ids, uuid_ids
from console.models import ActivityEvent, ObjectKind

from .models import ComponentManifest, RuntimeToken


def declared_state(declared: dict) -> dict[str, object]:
    """What a component.yaml declares, as people read it."""
    references = declared.get("references") if isinstance(declared, dict) else None
    variables = declared.get("env") if isinstance(declared, dict) else None
    return {
        "connections": [
            f"{reference.get('name')} ({reference.get('resourceRef')})"
            for reference in references or []
            if isinstance(reference, dict)
        ],
        "custom variables": [
            f"{variable.get('name')} = {variable.get('connection')}.{variable.get('key')}"
            for variable in variables or []
            if isinstance(variable, dict)
        ],
    }


def links(scope: Scope, events: Sequence[ActivityEvent]) -> dict[tuple[str, str], str]:
    """settings.ACTIVITY_LINKS: a runtime token links to the page that lists
    it (its component's, or its project's), a component.yaml to its page."""
    found: dict[tuple[str, str], str] = {}
    org = scope.organization.handle
    if token_ids := uuid_ids(events, ObjectKind.RUNTIME_TOKEN):
        tokens = RuntimeToken.objects.filter(
            organization_id=scope.organization.pk, public_id__in=token_ids
        ).values_list("public_id", "project__handle", "component__handle")
        for public_id, project, component in tokens:
            found[ObjectKind.RUNTIME_TOKEN, str(public_id)] = (
                reverse("console:component", args=[org, project, component])
                if component
                else reverse("console:project", args=[org, project])
            )
    if component_ids := integer_ids(events, ObjectKind.COMPONENT_YAML):
        manifests = ComponentManifest.objects.filter(
            component__project__organization_id=scope.organization.pk,
            component_id__in=component_ids,
        ).values_list("component_id", "component__project__handle", "component__handle")
        for component_id, project, component in manifests:
            found[ObjectKind.COMPONENT_YAML, str(component_id)] = reverse(
                "delivery:component-yaml", args=[org, project, component]
            )
    return found
