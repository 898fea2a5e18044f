"""The console's error pages (400, 403, 404 and 500), rendered inside the
shell so that a person who meets one can carry on: a sentence saying why,
and links back into the console. junction/errors.py routes the project's
error handlers here, and the JSON endpoints' errors elsewhere.

A 400, 403 or 404 page renders in the deepest scope the URL names that the
person can see (its sidebar and menus), or the shell alone; an anonymous
visitor gets a card with a way to log in. The 500 page reads nothing that
can fail (no session, no user, no database): it is rendered from the
template alone.
"""

from __future__ import annotations

import re

from django.core.exceptions import DisallowedHost
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404
from django.utils.http import url_has_allowed_host_and_scheme

from .access import Scope, get_scope_for_user
from .htmx import wants_fragment
from .shell import render_in_scope

TEMPLATE = "console/error.html"
SERVER_ERROR_TEMPLATE = "console/500.html"

# The handles of a scoped URL (console/urls_scopes.py), read from the path
# itself: a URL that resolves to no view still names its organization.
_SCOPE_PATH = re.compile(
    r"^/orgs/(?P<org>[-\w]+)/(?:projects/(?P<project>[-\w]+)/(?:components/(?P<component>[-\w]+)/)?)?"
)
# The sidebar section a path belongs to, by the segment after its scope,
# and the name of the link back to its list.
_SECTIONS = {
    "connections": ("connections", "Connections"),
    "marketplace": ("marketplace", ""),
    "third-party-services": ("third-party-services", "Third-Party Services"),
    "settings": ("settings", ""),
}

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
}
EXPLANATIONS = {
    400: "Junction could not read this request: something in the address or the form "
    "was malformed or too large.",
    403: "Your role here does not allow this. Ask an Admin of the organization if you need it.",
    404: "This page does not exist, or you cannot see it: what it showed may have been "
    "deleted, or the link may be wrong.",
}


def _scope_from_path(request: HttpRequest) -> Scope | None:
    """The deepest scope of the path that the person is a member of, or None."""
    match = _SCOPE_PATH.match(request.path)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated:
        return None
    org, project, component = match.group("org", "project", "component")
    levels = [(project, component), (project, None)] if project else []
    for project_handle, component_handle in [*levels, (None, None)]:
        try:
            return get_scope_for_user(request, org, project_handle, component_handle)
        except Http404:
            continue
    return None


def _section(request: HttpRequest) -> tuple[str, str]:
    """(section, the label of a link to it, or empty)."""
    rest = _SCOPE_PATH.sub("", request.path)
    return _SECTIONS.get(rest.split("/", 1)[0], ("overview", ""))


def back_url(request: HttpRequest) -> str:
    """The page the person came from, when it is one of ours."""
    url = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""  # the very reason for a 400: no address of ours to go back to
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return url
    return ""


def _swap_whole_page(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An HTMX request that fails shows the error page in place of the page,
    not inside the element it meant to swap (base.html's htmx-config swaps
    error answers)."""
    if wants_fragment(request):
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "innerHTML"
    return response


def reason_of(exception: BaseException | None) -> str:
    """What the code said when it refused, when it said it in words: our
    Http404 and PermissionDenied messages are written for people. A URL that
    matched nothing carries the resolver's internals instead."""
    if exception is None or isinstance(exception, Resolver404):
        return ""
    message = exception.args[0] if exception.args else ""
    return message if isinstance(message, str) else ""


def error_page(
    request: HttpRequest, status: int, *, reason: str = "", title: str = "", explanation: str = ""
) -> HttpResponse:
    """A 400, 403 or 404 page: ``reason`` is the specific sentence, if any;
    ``title`` and ``explanation`` default to the status's own."""
    if not explanation and not (status == 403 and reason):
        # A refusal that says why needs no guess at why; a 404's reason
        # ("No such connection here.") still does.
        explanation = EXPLANATIONS[status]
    context = {
        "status": status,
        "title": title or TITLES[status],
        "reason": reason,
        "explanation": explanation,
        "back_url": back_url(request),
    }
    scope = _scope_from_path(request)
    if scope is not None:
        section, context["section_label"] = _section(request)
        response = render_in_scope(request, TEMPLATE, scope, context, section=section)
    else:
        response = render(request, TEMPLATE, context)
    response.status_code = status
    return _swap_whole_page(request, response)


def server_error_page(request: HttpRequest) -> HttpResponse:
    """The 500 page: the template with no request context, so that neither the
    session nor the database (which may be what failed) is read."""
    content = loader.get_template(SERVER_ERROR_TEMPLATE).render({"back_url": back_url(request)})
    return _swap_whole_page(request, HttpResponse(content, status=500))
