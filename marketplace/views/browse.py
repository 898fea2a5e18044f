"""The marketplace: browse and search the services visible from a scope,
and a service's page."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.functions import Length, Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from connections.models import Connection
from console.access import Scope, get_scope_for_user
from console.htmx import wants_fragment
from console.views import render_in_scope

from ..facets import facets
from ..filters import MarketplaceFilter
from ..models import Service
from ..paging import results_page

CARD_FIELDS = ("name", "version", "major", "kind", "visibility", "service_type", "summary")
USED_BY_PAGE_SIZE = 25
# Above this many matches, a page of cards is read in card order (about
# 12 × visible / matches index entries) rather than by sorting the matches.
MANY_MATCHES = 1000
SERVICE_TABS = (
    ("overview", "Overview"),
    ("definition", "API Definition"),
    ("how-to-use", "How to use"),
    ("used-by", "Used by"),
)
# The wide columns, and which of them each tab shows: a tab reads only its
# own (an overview page never loads a 1 MB definition).
DOCUMENTATION_COLUMNS = ("overview", "overview_html", "api_definition", "definition_summary")
TAB_COLUMNS = {
    "overview": {"overview_html"},
    "definition": {"definition_summary"},
}
# The definition tab shows the start of the text as uploaded (escaping and
# sending a whole megabyte would cost more than the rest of the page); the
# whole text is one click away, as plain text.
DEFINITION_PREVIEW_CHARACTERS = 16_000


def services_visible_from(scope: Scope, *, include_unlisted: bool = False) -> QuerySet:
    if scope.project is None:
        return Service.objects.visible_from_organization(
            scope.organization, include_unlisted=include_unlisted
        )
    return Service.objects.visible_from(
        scope.project, scope.component, include_unlisted=include_unlisted
    )


def get_service_for_user(
    scope: Scope,
    service_id: int,
    *,
    listed_only: bool = False,
    defer: Iterable[str] = (),
    annotations: dict | None = None,
) -> Service:
    """A service this scope may see, or 404. Its page stays reachable after
    it is removed from the marketplace; connecting to it does not."""
    service = (
        services_visible_from(scope, include_unlisted=not listed_only)
        .select_related("provider_component__project", "project")
        .defer(*defer)
        .annotate(**(annotations or {}))
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise Http404("No such service here.")
    return service


def browse_context(request: HttpRequest, scope: Scope) -> dict:
    """Search, facets and one page of cards: shared by the marketplace and
    step 1 of Create Connection."""
    visible = services_visible_from(scope)
    filterset = MarketplaceFilter(request.GET, queryset=visible, organization=scope.organization)
    facet_list, total, cache_key = facets(filterset, scope, visible)
    cards = filterset.qs
    if (search := filterset.search_condition(many=total > MANY_MATCHES)) is not None:
        cards = cards.filter(search)
    # What a card shows: never the overview or the API definition.
    cards = cards.only(*CARD_FIELDS).prefetch_related("tags")
    by_id = visible.only(*CARD_FIELDS).prefetch_related("tags")
    return {
        "filter": filterset,
        "facets": facet_list,
        "results": results_page(cards, request.GET, total, cache_key=cache_key, by_id=by_id),
    }


@require_GET
def marketplace(
    request: HttpRequest, org: str, project: str | None = None, component: str | None = None
) -> HttpResponse:
    scope = get_scope_for_user(request, org, project, component)
    context = {**browse_context(request, scope), "card_url": "marketplace:service"}
    if wants_fragment(request):
        return render(request, "marketplace/_browse.html#browse-body", {"scope": scope, **context})
    return render_in_scope(
        request, "marketplace/marketplace.html", scope, context, section="marketplace"
    )


def _used_by(service: Service, scope: Scope, page: str | None) -> Page:
    # In name order off the (service, name) index: a service used by ten
    # thousand connections costs one page of them, not a sort of all.
    connections = (
        Connection.objects.filter(service=service, organization_id=scope.organization.pk)
        .select_related("project", "component")
        .order_by("name", "pk")
    )
    return Paginator(connections, USED_BY_PAGE_SIZE).get_page(page)


@require_GET
def service_detail(
    request: HttpRequest,
    org: str,
    service_id: int,
    project: str | None = None,
    component: str | None = None,
) -> HttpResponse:
    scope = get_scope_for_user(request, org, project, component)
    tab = request.GET.get("tab")
    tab = tab if tab in dict(SERVICE_TABS) else "overview"
    shown = TAB_COLUMNS.get(tab, set())
    annotations = {}
    if tab == "definition":
        annotations = {
            "definition_preview": Substr("api_definition", 1, DEFINITION_PREVIEW_CHARACTERS),
            "definition_length": Length("api_definition"),
        }
    service = get_service_for_user(
        scope,
        service_id,
        defer=[column for column in DOCUMENTATION_COLUMNS if column not in shown],
        annotations=annotations,
    )
    # Rendered and summarized when written (marketplace/documentation.py):
    # nothing here parses, whatever the provider uploaded.
    context = {"service": service, "tabs": SERVICE_TABS, "tab": tab}
    if tab == "overview":
        context["overview_html"] = mark_safe(service.overview_html)  # sanitized by nh3
        context["deployments"] = list(service.deployments.select_related("environment"))
        context["endpoints"] = list(service.endpoints.prefetch_related("environments"))
    elif tab == "definition":
        context["definition"] = service.definition_summary
    elif tab == "used-by":
        context["used_by"] = _used_by(service, scope, request.GET.get("page"))
    if wants_fragment(request):
        return render(request, "marketplace/service.html#tab-panel", {"scope": scope, **context})
    return render_in_scope(
        request, "marketplace/service.html", scope, context, section="marketplace"
    )


@require_GET
def service_definition(
    request: HttpRequest,
    org: str,
    service_id: int,
    project: str | None = None,
    component: str | None = None,
) -> HttpResponse:
    """The API definition as uploaded, whole, as plain text (never HTML: it
    is the provider's text, and at most DEFINITION_MAX_BYTES)."""
    scope = get_scope_for_user(request, org, project, component)
    service = get_service_for_user(scope, service_id)
    if not service.api_definition:
        raise Http404("This service has no API definition.")
    return HttpResponse(service.api_definition, content_type="text/plain; charset=utf-8")
