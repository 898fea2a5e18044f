"""The console's own pages: the landing page and the overview of each scope."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from .. import menus
from ..access import (
    Scope,
    can_create_organization,
    get_component_for_user,
    get_organization_for_user,
    get_project_for_user,
)
from ..htmx import page_or_fragment
from ..models import Organization
from ..navigation import known_section
from ..shell import redirect_to_canonical, render_in_scope, render_page_or_fragment
from ..url_state import url_state

PAGE_SIZE = 25
# What a menu's page (without JavaScript) keeps in its address.
MENU_ADDRESS = {"section": "", "current": "", "q": ""}


def component_page_sections() -> list[Callable[[HttpRequest, Scope], str]]:
    """settings.COMPONENT_PAGE_SECTIONS: functions of (request, scope) that
    return a section of the component's page as HTML, in the order shown."""
    return [import_string(path) for path in settings.COMPONENT_PAGE_SECTIONS]


def project_page_sections() -> list[Callable[[HttpRequest, Scope], str]]:
    """settings.PROJECT_PAGE_SECTIONS: the same for a project's page."""
    return [import_string(path) for path in settings.PROJECT_PAGE_SECTIONS]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    organizations = list(Organization.objects.for_user(request.user))
    if len(organizations) == 1:
        return redirect("console:organization", organizations[0].handle)
    return render(
        request,
        "console/home.html",
        {
            "organizations": organizations,
            "can_create_organization": can_create_organization(request.user),
        },
    )


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
    sections = [section(request, scope) for section in project_page_sections()]
    return render_in_scope(
        request, "console/project_home.html", scope, {"page": page, "sections": sections}
    )


@require_GET
def component_home(request: HttpRequest, org: str, project: str, component: str) -> HttpResponse:
    scope = get_component_for_user(request, org, project, component)
    # What higher apps show of the component (the marketplace: its published
    # endpoints) is theirs to read and render; settings name them, so the
    # console imports none of them (docs/architecture.md).
    sections = [section(request, scope) for section in component_page_sections()]
    return render_in_scope(request, "console/component_home.html", scope, {"sections": sections})


def _render_menu(
    request: HttpRequest, menu: menus.Menu, scope: Scope | None, title: str
) -> HttpResponse:
    """A menu's items for HTMX; without JavaScript, a whole page of them, at
    its canonical address (the search form writes an empty ``q=``)."""
    if (moved := redirect_to_canonical(request, url_state(request, MENU_ADDRESS))) is not None:
        return moved
    context = {"menu": menu, "title": title}
    if scope is None:
        # Before any organization is chosen there is no shell to render in.
        template = page_or_fragment(request, "console/menu.html", "menu-items")
        return render(request, template, context)
    return render_page_or_fragment(
        request,
        "console/menu.html",
        scope,
        context,
        fragment="console/menu.html#menu-items",
        section=menu.section,
    )


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
