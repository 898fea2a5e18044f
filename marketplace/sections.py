"""What the marketplace shows on other apps' pages.

The console's component page lists its sections in
settings.COMPONENT_PAGE_SECTIONS (functions of request and scope returning
HTML), so that the console imports nothing above it (docs/architecture.md).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from django.template.loader import render_to_string

from console.access import Scope

from .models import Deployment, Service


def component_endpoints(request: HttpRequest, scope: Scope) -> str:
    """The Endpoints section of the component's page: what it publishes,
    with its URL in each environment."""
    environments = list(scope.organization.environments.all())
    published = list(
        Service.objects.filter(provider_component=scope.component)
        .order_by("endpoint_handle", "-major")
        .prefetch_related(
            Prefetch(
                "deployments",
                queryset=Deployment.objects.only("url", "service_id", "environment_id"),
            )
        )
    )
    for service in published:
        url_by_environment = {d.environment_id: d.url for d in service.deployments.all()}
        # One cell per environment in promotion order; None reads "Not deployed".
        service.environment_urls = [(env, url_by_environment.get(env.pk)) for env in environments]
    return render_to_string(
        "marketplace/publishing/component_endpoints.html",
        {"scope": scope, "published": published, "environments": environments},
        request=request,
    )
