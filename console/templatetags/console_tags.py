"""Template tags for URLs that carry the current scope."""

from __future__ import annotations

from django import template
from django.urls import reverse

from console.access import Scope
from console.navigation import section_url as _section_url

register = template.Library()


@register.simple_tag
def scope_url(scope: Scope, viewname: str, **extra: object) -> str:
    """Reverse ``viewname`` at the scope's level: project and component
    variants of a route share a name and differ by the handles they take."""
    return reverse(viewname, kwargs={**scope.url_kwargs, **extra})


@register.simple_tag
def section_url(scope: Scope, section: str) -> str:
    kwargs = scope.url_kwargs
    return _section_url(section, kwargs["org"], kwargs.get("project"), kwargs.get("component"))
