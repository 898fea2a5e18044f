"""Template tags for URLs that carry the current scope."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from console.access import Scope
from console.navigation import section_url as _section_url
from console.url_state import PAGING, UrlState, url_state

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


@register.simple_tag(takes_context=True)
def state_url(context: template.Context, state: UrlState | None = None, **changes: object) -> str:
    """The page's canonical address (console/url_state.py) with ``changes``:
    ``{% state_url url_state page=2 %}``. A page that passes no state keeps
    every parameter of its request once, and the page number unless it is 1."""
    if not state:
        request = context["request"]
        state = url_state(request, {**dict.fromkeys(request.GET, ""), **PAGING})
    return state.url(**changes)


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        # Already rendered, so already escaped: safe to output as it is.
        context[self.name] = mark_safe(self.nodelist.render(context).strip())
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """``{% capture as name %}…{% endcapture %}``: a sentence built with tags,
    to pass to an include (``{% include "includes/empty_state.html" with message=name %}``)."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
