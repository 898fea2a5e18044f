"""Sections of the console and where each lives at each scope level.

The scope menus keep you in the section you are in: choosing another project
while looking at Connections shows that project's Connections.
"""

from __future__ import annotations

from django.urls import reverse

SECTIONS: dict[str, dict[str, str]] = {
    "overview": {
        "organization": "console:organization",
        "project": "console:project",
        "component": "console:component",
    },
    "connections": {
        "project": "connections:list",
        "component": "connections:list",
    },
    # Admins only; at component level the section falls back to the overview.
    "third-party-services": {
        "organization": "marketplace:third-party-list",
        "project": "marketplace:third-party-list",
    },
    "marketplace": {
        "organization": "marketplace:browse",
        "project": "marketplace:browse",
        "component": "marketplace:browse",
    },
    # The organization's (Admins) and each project's; at component level the
    # section falls back to the overview.
    "activity": {
        "organization": "console:activity",
        "project": "console:project-activity",
    },
    # Admins only, at organization level: Members, then Environments.
    "settings": {"organization": "console:members"},
}


def level_of(project: str | None, component: str | None) -> str:
    if component:
        return "component"
    if project:
        return "project"
    return "organization"


def section_url(
    section: str, org: str, project: str | None = None, component: str | None = None
) -> str:
    """The URL of ``section`` at the given scope, or the scope's overview
    where the section does not exist at that level."""
    level = level_of(project, component)
    viewname = SECTIONS.get(section, {}).get(level) or SECTIONS["overview"][level]
    kwargs = {"org": org}
    if project:
        kwargs["project"] = project
    if project and component:
        kwargs["component"] = component
    return reverse(viewname, kwargs=kwargs)


def known_section(section: str | None) -> str:
    return section if section in SECTIONS else "overview"
