"""The console's own pages: the landing page and the overview of each scope."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from marketplace.models import Deployment, Service

from . import menus
from .access import (
    Scope,
    get_component_for_user,
    get_organization_for_user,
    get_project_for_user,
)
from .htmx import page_or_fragment
from .models import Organization
from .navigation import known_section

PAGE_SIZE = 25


def render_in_scope(
    request: HttpRequest,
    template: str,
    scope: Scope,
    context: dict | None = None,
    *,
    section: str = "overview",
) -> HttpResponse:
    """Render a page of the console shell: the top bar's scope menus and the
    left navigation need the scope and the section the page belongs to."""
    organization = scope.organization
    scope_menus = {
        "organization": menus.organization_menu(request.user, section, organization.handle),
        "project": menus.project_menu(
            organization, section, scope.project.handle if scope.project else ""
        ),
    }
    if scope.project is not None:
        scope_menus["component"] = menus.component_menu(
            scope.project, section, scope.component.handle if scope.component else ""
        )
    return render(
        request,
        template,
        {"scope": scope, "section": section, "menus": scope_menus, **(context or {})},
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
        {"page": page, "environments": scope.organization.environments.all()},
    )


@require_GET
def project_home(request: HttpRequest, org: str, project: str) -> HttpResponse:
    scope = get_project_for_user(request, org, project)
    components = scope.project.components.order_by("name")
    page = Paginator(components, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_in_scope(request, "console/project_home.html", scope, {"page": page})


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
        {"published": published, "environments": environments},
    )


def _render_menu(
    request: HttpRequest, menu: menus.Menu, scope: Scope | None, title: str
) -> HttpResponse:
    """A menu's items for HTMX; without JavaScript, a whole page of them."""
    template = page_or_fragment(request, "console/menu.html", "menu-items")
    context = {"menu": menu, "title": title}
    if scope is None or template.endswith("#menu-items"):
        return render(request, template, context)
    return render_in_scope(request, template, scope, context, section=menu.section)


@require_GET
def organization_menu(request: HttpRequest) -> HttpResponse:
    menu = menus.organization_menu(
        request.user,
        known_section(request.GET.get("section")),
        request.GET.get("current", ""),
        menus.clean_query(request.GET.get("q")),
    )
    return _render_menu(request, menu, None, "Choose an organization")


@require_GET
def project_menu(request: HttpRequest, org: str) -> HttpResponse:
    scope = get_organization_for_user(request, org)
    menu = menus.project_menu(
        scope.organization,
        known_section(request.GET.get("section")),
        request.GET.get("current", ""),
        menus.clean_query(request.GET.get("q")),
    )
    return _render_menu(request, menu, scope, "Choose a project")


@require_GET
def component_menu(request: HttpRequest, org: str, project: str) -> HttpResponse:
    scope = get_project_for_user(request, org, project)
    menu = menus.component_menu(
        scope.project,
        known_section(request.GET.get("section")),
        request.GET.get("current", ""),
        menus.clean_query(request.GET.get("q")),
    )
    return _render_menu(request, menu, scope, "Choose a component")
