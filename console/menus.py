"""The Organization, Project and Component menus of the top bar.

An organization may have thousands of projects: a menu shows the first few
dozen by name and finds the rest on the server, so opening it costs one
small, indexed query whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from .access import can_create_organization
from .models import Organization, Project
from .navigation import section_url

MENU_SIZE = 30
QUERY_MAX_LENGTH = 100


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url: str
    current: bool = False
    hint: str = ""


@dataclass
class Menu:
    kind: str  # organization, project or component
    search_url: str
    section: str
    current: str = ""
    query: str = ""
    entries: list[MenuEntry] = field(default_factory=list)
    has_more: bool = False
    # The component menu offers to go back to the project level.
    clear_entry: MenuEntry | None = None
    # The organization menu offers to create one, to those who may.
    create_entry: MenuEntry | None = None


def clean_query(raw: str | None) -> str:
    # Control characters mean nothing in a name search, and PostgreSQL
    # refuses NUL in a text parameter outright.
    printable = "".join(ch for ch in (raw or "") if ch.isprintable())
    return printable.strip()[:QUERY_MAX_LENGTH]


def _first_page(queryset, query: str) -> tuple[list, bool]:
    if query:
        queryset = queryset.filter(name__icontains=query)
    rows = list(queryset.order_by("name")[: MENU_SIZE + 1])
    return rows[:MENU_SIZE], len(rows) > MENU_SIZE


def organization_menu(user, section: str, current: str = "", query: str = "") -> Menu:
    rows, has_more = _first_page(Organization.objects.for_user(user).only("name", "handle"), query)
    return Menu(
        kind="organization",
        search_url=reverse("console:organization-menu"),
        section=section,
        current=current,
        query=query,
        has_more=has_more,
        entries=[
            MenuEntry(o.name, section_url(section, o.handle), o.handle == current) for o in rows
        ],
        create_entry=(
            MenuEntry("Create organization", reverse("console:organization-create"))
            if can_create_organization(user)
            else None
        ),
    )


def project_menu(
    organization: Organization, section: str, current: str = "", query: str = ""
) -> Menu:
    rows, has_more = _first_page(
        organization.projects.only("name", "handle", "organization_id"), query
    )
    org = organization.handle
    return Menu(
        kind="project",
        search_url=reverse("console:project-menu", args=[org]),
        section=section,
        current=current,
        query=query,
        has_more=has_more,
        entries=[
            MenuEntry(p.name, section_url(section, org, p.handle), p.handle == current)
            for p in rows
        ],
    )


def component_menu(project: Project, section: str, current: str = "", query: str = "") -> Menu:
    rows, has_more = _first_page(
        project.components.only("name", "handle", "type", "project_id"), query
    )
    org, handle = project.organization.handle, project.handle
    return Menu(
        kind="component",
        search_url=reverse("console:component-menu", args=[org, handle]),
        section=section,
        current=current,
        query=query,
        has_more=has_more,
        entries=[
            MenuEntry(
                c.name,
                section_url(section, org, handle, c.handle),
                c.handle == current,
                c.get_type_display(),
            )
            for c in rows
        ],
        clear_entry=MenuEntry(
            "No component: project level", section_url(section, org, handle), not current
        ),
    )
