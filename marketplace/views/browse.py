"""The marketplace: browse and search the services visible from a scope,
and a service's page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models.functions import Length, Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from console.access import Scope, get_scope_for_user
from console.shell import render_page_or_fragment
from console.url_state import url_state

from ..access import get_catalog_scope_for_user, get_service_for_user
from ..browsing import browse_context, browse_url_state, facet_context
from ..definitions import download_type
from ..models import Service

USED_BY_PAGE_SIZE = 25
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


def how_to_use_sections() -> list[Callable[[HttpRequest, Scope, Service], str]]:
    """settings.SERVICE_HOW_TO_USE_SECTIONS: functions of (request, scope,
    service) that add HTML to the How to use tab (the authorization server's
    facts for the publishing team), named in settings so that the
    marketplace imports no app above it (docs/architecture.md)."""
    return [import_string(path) for path in settings.SERVICE_HOW_TO_USE_SECTIONS]


@require_GET
def marketplace(
    request: HttpRequest, org: str, project: str | None = None, component: str | None = None
) -> HttpResponse:
    scope = get_catalog_scope_for_user(request, org, project, component)
    return render_page_or_fragment(
        request,
        "marketplace/marketplace.html",
        scope,
        lambda: {**browse_context(request, scope), "card_url": "marketplace:service"},
        fragment="marketplace/_browse.html#browse-body",
        section="marketplace",
        url_state=browse_url_state(request),
    )


@require_GET
def marketplace_facets(
    request: HttpRequest, org: str, project: str | None = None, component: str | None = None
) -> HttpResponse:
    """The facet panel with its counts, for a page of results that came
    without them (marketplace/browsing.py), and the number of services."""
    scope = get_catalog_scope_for_user(request, org, project, component)
    marketplace_path = reverse("marketplace:browse", kwargs=scope.url_kwargs)
    # The page the panel is on (the marketplace, or Create Connection):
    # its links keep that path. Only a path of this organization is taken.
    current = urlsplit(getattr(request.htmx, "current_url", None) or "").path
    organization_path = reverse("console:organization", kwargs={"org": scope.organization.handle})
    page_path = current if current.startswith(organization_path) else marketplace_path
    context = {"scope": scope, **facet_context(request, scope, page_path), "oob": True}
    return render(request, "marketplace/_browse.html#facet-panel", context)


def _used_by(service: Service, scope: Scope, page: str | None) -> Page:
    # In name order off the (service, name) index: a service used by ten
    # thousand connections costs one page of them, not a sort of all.
    connections = (
        service.connections.filter(organization_id=scope.organization.pk)
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
    elif tab == "how-to-use":
        context["how_to_use_sections"] = [
            section(request, scope, service) for section in how_to_use_sections()
        ]
    elif tab == "used-by":
        context["used_by"] = _used_by(service, scope, request.GET.get("page"))
    return render_page_or_fragment(
        request,
        "marketplace/service.html",
        scope,
        context,
        fragment="marketplace/service.html#tabs",
        section="marketplace",
        url_state=url_state(request, {"tab": "overview", "page": "1"}),
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


@require_GET
def service_definition_download(
    request: HttpRequest,
    org: str,
    service_id: int,
    project: str | None = None,
    component: str | None = None,
) -> HttpResponse:
    """The API definition as uploaded, as a file: its format's media type and
    a name made of the service's (at most DEFINITION_MAX_BYTES; the
    overview and what was derived from it are not read)."""
    scope = get_scope_for_user(request, org, project, component)
    service = get_service_for_user(
        scope, service_id, defer=["overview", "overview_html", "definition_summary"]
    )
    if not service.api_definition:
        raise Http404("This service has no API definition.")
    content_type, extension = download_type(service.api_definition, service.definition_format)
    filename = f"{slugify(service.name) or 'service'}-{service.major_label}.{extension}"
    response = HttpResponse(service.api_definition, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
