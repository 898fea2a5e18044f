"""What the activity log keeps of the marketplace's writes (console.activity):
a service's, an endpoint's and a parameter's fields as people read them,
before and after, and where each links while it exists. Never a secret
parameter's value: only that it changed."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from django.urls import reverse

from console.access import Scope
from console.activity import clipped, integer_ids, record
from console.models import Action, ActivityEvent, ObjectKind

from .models import (
    DefinitionFormat,
    Endpoint,
    Security,
    Service,
    ServiceKind,
    ServiceParameter,
    ServiceType,
    Visibility,
)

HIDDEN = "hidden"
CHANGED = "changed"


def _definition(service: Service) -> str:
    """An API definition in a few words: its format, length and a digest,
    enough to see that it changed without a copy of every version."""
    if not service.api_definition:
        return ""
    label = DefinitionFormat(service.definition_format).label if service.definition_format else ""
    lines = service.api_definition.count("\n") + 1
    digest = hashlib.sha256(service.api_definition.encode()).hexdigest()[:8]
    return f"{label or 'definition'}, {lines} line{'s' if lines != 1 else ''} ({digest})"


def service_state(service: Service) -> dict[str, object]:
    """The fields of a service card the log compares (two queries: its tags
    and, for an internal service, its deployments)."""
    state: dict[str, object] = {
        "name": service.name,
        "version": service.version,
        "type": ServiceType(service.service_type).label,
        "security": Security(service.security).label,
        "summary": service.summary,
        "overview": clipped(service.overview),
        "API definition": _definition(service),
        "tags": sorted(service.tags.values_list("name", flat=True), key=str.lower),
    }
    if service.kind == ServiceKind.INTERNAL:
        state["network visibility"] = Visibility(service.visibility).label
        deployments = list(
            service.deployments.select_related("environment").order_by("environment__order")
        )
        state["deployed in"] = [deployment.environment.name for deployment in deployments]
        for deployment in deployments:
            state[f"URL in {deployment.environment.name}"] = deployment.url
    else:
        state["registered for"] = service.project.name if service.project_id else "organization"
    return state


def endpoint_state(endpoint: Endpoint) -> dict[str, object]:
    """An endpoint's name, URL, environments and parameter values: an
    ordinary one as it is, a secret one as "hidden"."""
    state: dict[str, object] = {
        "name": endpoint.name,
        "URL": endpoint.url,
        "environments": [each.name for each in endpoint.environments.order_by("order")],
    }
    for value in endpoint.parameter_values.select_related("parameter").order_by("parameter__name"):
        parameter = value.parameter
        state[f"parameter {parameter.name}"] = (
            HIDDEN if parameter.is_secret else (value.value.reveal() if value.value else "")
        )
    return state


def secret_values(endpoint: Endpoint) -> dict[str, str]:
    """The plaintext of the endpoint's secret parameters, only to tell
    whether an edit changed them; never recorded."""
    return {
        value.parameter.name: value.value.reveal() if value.value else ""
        for value in endpoint.parameter_values.select_related("parameter")
        if value.parameter.is_secret
    }


def secret_changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, list]:
    return {
        f"parameter {name}": [HIDDEN, CHANGED]
        for name, value in after.items()
        if name in before and before[name] != value
    }


def record_service(
    service: Service,
    *,
    actor,
    action: Action,
    changes: Mapping[str, Sequence] | None = None,
    detail: Mapping | None = None,
) -> None:
    record(
        organization=service.organization_id,
        project=service.project,
        actor=actor,
        kind=ObjectKind.SERVICE,
        object_id=service.pk,
        object_name=str(service),
        action=action,
        changes=changes,
        detail=detail,
    )


def record_part(
    service: Service,
    *,
    kind: ObjectKind,
    part: Endpoint | ServiceParameter,
    actor,
    action: Action,
    changes: Mapping[str, Sequence] | None = None,
    detail: Mapping | None = None,
) -> None:
    """An endpoint's or a parameter's event; ``of`` names its service."""
    record(
        organization=service.organization_id,
        project=service.project,
        actor=actor,
        kind=kind,
        object_id=part.pk,
        object_name=part.name,
        action=action,
        changes=changes,
        detail={"of": str(service), **(detail or {})},
    )


def links(scope: Scope, events: Sequence[ActivityEvent]) -> dict[tuple[str, str], str]:
    """settings.ACTIVITY_LINKS: a service, an endpoint or a parameter links
    to its service's page at the log's level, while it exists."""
    ids = integer_ids(events, ObjectKind.SERVICE)
    endpoints = dict(
        Endpoint.objects.filter(
            service__organization_id=scope.organization.pk,
            pk__in=integer_ids(events, ObjectKind.ENDPOINT),
        ).values_list("pk", "service_id")
    )
    parameters = dict(
        ServiceParameter.objects.filter(
            service__organization_id=scope.organization.pk,
            pk__in=integer_ids(events, ObjectKind.PARAMETER),
        ).values_list("pk", "service_id")
    )
    wanted = set(ids) | set(endpoints.values()) | set(parameters.values())
    if not wanted:
        return {}
    existing = set(
        Service.objects.filter(organization_id=scope.organization.pk, pk__in=wanted).values_list(
            "pk", flat=True
        )
    )

    def page(service_id: int) -> str:
        return reverse("marketplace:service", kwargs={**scope.url_kwargs, "service_id": service_id})

    found: dict[tuple[str, str], str] = {}
    for pk in ids:
        if pk in existing:
            found[ObjectKind.SERVICE, str(pk)] = page(pk)
    for kind, owners in ((ObjectKind.ENDPOINT, endpoints), (ObjectKind.PARAMETER, parameters)):
        for pk, service_id in owners.items():
            if service_id in existing:
                found[kind, str(pk)] = page(service_id)
    return found
