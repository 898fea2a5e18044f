"""The console's own pages: the landing page and the overview of each scope."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from marketplace.models import Deployment, Service

from .access import Scope, get_component_for_user, get_organization_for_user, get_project_for_user
from .models import Organization

PAGE_SIZE = 25


def render_in_scope(
    request: HttpRequest, template: str, scope: Scope, context: dict | None = None
) -> HttpResponse:
    """Render a page of the console shell: the scope selector and the left
    navigation need the scope and the user's organizations."""
    return render(
        request,
        template,
        {
            "scope": scope,
            "user_organizations": Organization.objects.for_user(request.user).only(
                "name", "handle"
            ),
            **(context or {}),
        },
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    organizations = list(Organization.objects.for_user(request.user))
    if len(organizations) == 1:
        return redirect("console:organization", organizations[0].handle)
    return render(request, "console/home.html", {"organizations": organizations})


@require_GET
def organization_home(request: HttpRequest, org: str) -> HttpResponse:
    scope = get_organization_for_user(request, org)
    projects = scope.organization.projects.annotate(component_count=Count("components")).order_by(
        "name"
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_in_scope(
        request,
        "console/organization_home.html",
        scope,
        {
            "nav": "overview",
            "page": page,
            "environments": scope.organization.environments.all(),
        },
    )


@require_GET
def project_home(request: HttpRequest, org: str, project: str) -> HttpResponse:
    scope = get_project_for_user(request, org, project)
    components = scope.project.components.order_by("name")
    page = Paginator(components, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_in_scope(
        request, "console/project_home.html", scope, {"nav": "overview", "page": page}
    )


@require_GET
def component_home(request: HttpRequest, org: str, project: str, component: str) -> HttpResponse:
    scope = get_component_for_user(request, org, project, component)
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
        service.environment_urls = [url_by_environment.get(env.pk) for env in environments]
    return render_in_scope(
        request,
        "console/component_home.html",
        scope,
        {
            "nav": "overview",
            "published": published,
            "environments": environments,
        },
    )
