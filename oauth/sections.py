"""What the authorization server shows on other apps' pages, through their
extension points in settings (docs/architecture.md): the component page's
"Verify callers" section (COMPONENT_PAGE_SECTIONS) and the facts a
service's publishing team needs on its How to use tab
(SERVICE_HOW_TO_USE_SECTIONS)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from console.access import Scope
from marketplace.models import Service, ServiceKind

from .provider_samples import caller_facts


def component_callers(request: HttpRequest, scope: Scope) -> str:
    """A link to "Verify callers" for each internal service the component
    publishes; nothing at all when it publishes none."""
    published = list(
        Service.objects.filter(kind=ServiceKind.INTERNAL, provider_component_id=scope.component.pk)
        .only("pk", "name", "major", "security", "kind", "endpoint_handle")
        .order_by("endpoint_handle", "-major")
    )
    if not published:
        return ""
    return render_to_string(
        "oauth/component_callers.html",
        {"scope": scope, "published": published},
        request=request,
    )


def _publishes(scope: Scope, service: Service) -> bool:
    """Whether the scope is inside the project that publishes the service:
    its team, who verify the callers (and see the link to do so)."""
    return (
        service.is_internal
        and scope.project is not None
        and service.provider_component is not None
        and service.provider_component.project_id == scope.project.pk
    )


def service_how_to_use(request: HttpRequest, scope: Scope, service: Service) -> str:
    """For the publishing team only: the issuer, audience and JWKS URL to
    verify callers with, and the link to the Verify callers page."""
    if not _publishes(scope, service):
        return ""
    component = service.provider_component
    url = reverse(
        "oauth:verify-callers",
        kwargs={
            "org": scope.organization.handle,
            "project": scope.project.handle,
            "component": component.handle,
            "service_id": service.pk,
        },
    )
    return render_to_string(
        "oauth/service_how_to_use.html",
        {"scope": scope, "service": service, "facts": caller_facts(service), "url": url},
        request=request,
    )
