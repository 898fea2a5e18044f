"""The page shell every app's pages render inside: the top bar's scope menus
and the left navigation. Not a view module, so that every app may use it
(docs/architecture.md: no app imports another app's views)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from . import menus
from .access import Scope
from .htmx import wants_fragment
from .url_state import UrlState


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


def render_page_or_fragment(
    request: HttpRequest,
    template: str,
    scope: Scope,
    context: Mapping | Callable[[], Mapping] | None = None,
    *,
    fragment: str,
    fragment_context: Mapping | None = None,
    section: str = "overview",
    url_state: UrlState | None = None,
) -> HttpResponse:
    """The ``fragment`` (a ``"page.html#partial"`` name) for an HTMX swap,
    else the whole ``template`` in the shell.

    The fragment skips the shell's menus, so it costs only its own queries.
    A page whose context costs queries its fragment does not need passes
    ``context`` as a callable (called only for the page) and the fragment's
    own ``fragment_context``.

    A page that keeps its state in its address passes ``url_state``
    (console/url_state.py): its templates get it as ``url_state`` and the
    fragment tells htmx to push that canonical address rather than the
    request's own, which repeats every field of the form that sent it.
    Without JavaScript the browser sends the same form as a plain GET, so a
    page asked for at any other address than its canonical one redirects
    there: the address bar holds each parameter once, none at its default.
    """
    if _asks_for_another_address(request, url_state):
        return redirect(url_state.url())
    state = {} if url_state is None else {"url_state": url_state}
    if wants_fragment(request):
        if fragment_context is None:
            fragment_context = context() if callable(context) else context
        response = render(request, fragment, {"scope": scope, **(fragment_context or {}), **state})
        if url_state is not None:
            response["HX-Push-Url"] = url_state.url()
        return response
    page_context = context() if callable(context) else context
    return render_in_scope(
        request, template, scope, {**(page_context or {}), **state}, section=section
    )


def redirect_to_canonical(request: HttpRequest, state: UrlState) -> HttpResponse | None:
    """For a page that keeps its address but pushes none (a menu's page,
    whose HTMX requests fill a dropdown): the redirect a browser's plain GET
    at another address than the canonical one gets, else None."""
    if _asks_for_another_address(request, state):
        return redirect(state.url())
    return None


def _asks_for_another_address(request: HttpRequest, state: UrlState | None) -> bool:
    """Whether a browser's plain GET asked for a page with a parameter that
    is repeated, at its default, or not the page's own. Compared as parsed
    values, so that two spellings of one value (``%20`` and ``+``) are one
    address and the redirect never loops; the parameters' order is left as
    asked, which costs nothing and changes nothing the page shows. HTMX
    requests are left alone: htmx is told the canonical address to push."""
    if state is None or request.method not in ("GET", "HEAD") or request.htmx:
        return False
    canonical = QueryDict(state.url().partition("?")[2])
    return dict(request.GET.lists()) != dict(canonical.lists())
