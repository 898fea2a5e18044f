"""Time Junction's pages through the full middleware stack.

Each page is requested with Django's test client, signed in (sessions,
CSRF, login-required, messages and HTMX middleware all run), a few times to
warm caches, then ``requests`` times under ``time.perf_counter``. Queries are
counted on one extra request of their own, because capturing them turns on
the debug cursor, which would slow down the timed ones.
"""

from __future__ import annotations

import math
import re
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection as db_connection
from django.db.models import Count, F, Q
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.models import Connection
from console.models import Component, Organization, Project
from marketplace.models import Service, ServiceKind

from .build import LARGEST_DOCUMENTED, UNDOCUMENTED
from .config_endpoint import RUNTIME_PROJECT, RuntimeConfigRequests, runtime_component
from .oauth_endpoints import FORM, OAuthRequests, oauth_binding


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    url: str
    method: str = "GET"
    # A callable so that every POST gets a fresh form token and name.
    data: Callable[[], dict] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    reference: bool = False  # the floor and the admin: what the others compare to
    # Empty Django's cache before each request (outside the timing): what a
    # search costs the first time anyone makes it.
    uncached: bool = False
    # Text the response must hold: proof the page did what is measured.
    expect: str = ""
    # A form POST sent url-encoded, with headers made when first sent (the
    # authorization server's endpoints; tooling/benchmark/oauth_endpoints.py).
    form: Callable[[], tuple[str, dict[str, str]]] | None = None
    # Headers made when first sent (a runtime token, the ETag it was given;
    # tooling/benchmark/config_endpoint.py).
    sent_headers: Callable[[], dict[str, str]] | None = None
    # Sent without the session: an API client has none.
    signed_in: bool = True
    expected_status: int = 200


@dataclass
class PageResult:
    page: Page
    timings_ms: list[float] = field(default_factory=list)
    queries: int | None = None
    status: int | None = None
    error: str = ""

    @property
    def p50(self) -> float | None:
        return statistics.median(self.timings_ms) if self.timings_ms else None

    @property
    def p95(self) -> float | None:
        if not self.timings_ms:
            return None
        ordered = sorted(self.timings_ms)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank

    @property
    def max(self) -> float | None:
        return max(self.timings_ms) if self.timings_ms else None


@dataclass(frozen=True)
class Targets:
    """The objects the pages are about, picked from the data, not hard-coded,
    so that every size (and the demo) is measured the same way."""

    organization: Organization
    project: Project
    component: Component
    floor_component: Component
    service: Service
    # The largest overview and definition the forms accept, and none: their
    # pages differ only by what was stored when they were written. The
    # benchmark registers both; other data (the demo, under loadtest) has none.
    documented_service: Service | None
    undocumented_service: Service | None
    connection: Connection
    # An OAuth 2.0 connection's credentials in one environment, for the
    # token endpoint and introspection; None where the data has none.
    oauth: OAuthRequests | None
    # The component that pulls its configuration; None where the data has none.
    runtime: RuntimeConfigRequests | None
    search: str
    # A word of a project connection's name: the list's search finds
    # something at every size, as a person's would.
    connection_search: str
    project_search: str


def _first_word(text: str) -> str:
    return (text.split() or ["a"])[0].lower()


def select_targets(organization_handle: str) -> Targets:
    organization = Organization.objects.get(handle=organization_handle)
    # The configuration endpoint's project (config_endpoint.py) is left out of
    # every pick: its 50 connections would move the other pages' targets.
    measured = organization.projects.exclude(handle=RUNTIME_PROJECT)
    not_runtime = ~Q(connections__project__handle=RUNTIME_PROJECT)
    # The busiest project and component: the lists are measured where they are longest.
    project = measured.annotate(n=Count("connections")).order_by("-n", "pk").first()
    component = (
        project.components.annotate(n=Count("connections"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first()
    )
    # The most used internal service: the heaviest "Used by", and one with the
    # Create Connection form's second step (Service URLs).
    service = (
        Service.objects.visible_from(project)
        .filter(kind=ServiceKind.INTERNAL)
        .annotate(n=Count("connections", filter=not_runtime))
        .order_by("-n", "pk")
        .first()
    )
    # The floor: a component that publishes nothing has an overview with no data.
    floor_component = (
        Component.objects.filter(project__in=measured)
        .filter(published_services__isnull=True)
        .order_by("project_id", "name")
        .first()
    )
    documented = {
        service.name: service
        for service in organization.services.filter(name__in=[LARGEST_DOCUMENTED, UNDOCUMENTED])
    }
    return Targets(
        organization=organization,
        project=project,
        component=component,
        floor_component=floor_component or component,
        service=service,
        documented_service=documented.get(LARGEST_DOCUMENTED),
        undocumented_service=documented.get(UNDOCUMENTED),
        connection=component.connections.order_by("name").first(),
        oauth=OAuthRequests(binding) if (binding := oauth_binding(organization)) else None,
        runtime=RuntimeConfigRequests(found)
        if (found := runtime_component(organization))
        else None,
        search=_first_word(service.name),
        connection_search=_first_word(
            re.sub(
                r"[^A-Za-z0-9]+",
                " ",
                project.connections.order_by(F("component").asc(nulls_first=True), "name")
                .first()
                .name,
            )
        ),
        project_search=_first_word(project.name),
    )


def _create_form_step_two(number: list[int]) -> dict:
    number[0] += 1
    return {
        "name": f"bench-check-{number[0]}",
        "description": "Benchmark: step two only, never created.",
        "request_token": str(uuid.uuid4()),
        "action": "next",
    }


def pages(targets: Targets) -> list[Page]:
    org = targets.organization.handle
    at_project = {"org": org, "project": targets.project.handle}
    at_component = {**at_project, "component": targets.component.handle}
    service_url = reverse(
        "marketplace:service", kwargs={**at_project, "service_id": targets.service.pk}
    )
    create_url = reverse(
        "connections:create-form", kwargs={**at_project, "service_id": targets.service.pk}
    )
    counter = [0]
    q = targets.search
    return [
        Page("connections-project", "Connections, project", _url("connections:list", at_project)),
        Page(
            "connections-component",
            "Connections, component",
            _url("connections:list", at_component),
        ),
        Page(
            "connections-search",
            f"Connections, search “{targets.connection_search}”",
            _url("connections:list", at_project, f"q={targets.connection_search}"),
        ),
        Page("marketplace", "Marketplace", _url("marketplace:browse", at_project)),
        Page(
            "marketplace-search",
            f"Marketplace, search “{q}”",
            _url("marketplace:browse", at_project, f"q={q}"),
        ),
        Page(
            "marketplace-search-uncached",
            f"Marketplace, search “{q}”, counts not cached",
            _url("marketplace:browse", at_project, f"q={q}"),
            uncached=True,
        ),
        Page(
            "marketplace-filters",
            "Marketplace, two filters",
            _url("marketplace:browse", at_project, "type=internal&service_type=rest"),
        ),
        *_first_search_pages(targets, at_project),
        Page("service", "Service page", service_url),
        Page("service-used-by", "Service page, Used by", service_url + "?tab=used-by"),
        *_documentation_pages(targets, at_project),
        Page("create-form", "Create Connection form", create_url),
        Page(
            "create-form-next",
            "Create Connection, step 2",
            create_url,
            method="POST",
            data=lambda: _create_form_step_two(counter),
            # Next as a browser with JavaScript sends it: the step is swapped
            # in place (without JavaScript it is a redirect to ?step=urls).
            headers={"HX-Request": "true"},
            expect="Service URL</h2>",
        ),
        Page(
            "connection",
            "Connection page",
            reverse(
                "connections:detail",
                kwargs={**at_component, "connection_id": targets.connection.public_id},
            ),
        ),
        Page(
            "project-menu",
            f"Project menu, search “{targets.project_search}”",
            _url("console:project-menu", {"org": org}, f"q={targets.project_search}"),
            headers={"HX-Request": "true"},
        ),
        *_oauth_pages(targets),
        *_runtime_pages(targets),
        Page(
            "floor",
            "Floor: component overview, no data",
            _url(
                "console:component",
                {**at_project, "component": targets.floor_component.handle}
                if targets.floor_component.project_id == targets.project.pk
                else {
                    "org": org,
                    "project": targets.floor_component.project.handle,
                    "component": targets.floor_component.handle,
                },
            ),
            reference=True,
        ),
        Page(
            "admin-services",
            f"Admin: services, search “{q}”",
            _url("admin:marketplace_service_changelist", None, f"q={q}"),
            reference=True,
        ),
        *(
            Page(
                f"admin-services-{len(prefix)}",
                f"Admin: services, search “{prefix}”",
                _url("admin:marketplace_service_changelist", None, f"q={prefix}"),
                reference=True,
            )
            for prefix in first_search_prefixes(targets)
        ),
        Page(
            "admin-connections",
            f"Admin: connections, search “{q}”",
            _url("admin:connections_connection_changelist", None, f"q={q}"),
            reference=True,
        ),
    ]


def first_search_prefixes(targets: Targets) -> list[str]:
    """What a person has typed after one and two keystrokes of the search."""
    return [targets.search[:1], targets.search[:2]]


def _first_search_pages(targets: Targets, at_project: dict) -> list[Page]:
    """The first search for a one- and a two-letter prefix, as one types it
    (issue #17, item 15): the page of cards an HTMX search gets, then the
    facet counts its panel fetches. Django's cache is emptied before every
    request, so that each is a search nobody has made (the cache is keyed by
    the text: a new text and an empty cache are the same to the console).
    Their goals: results within 4 × the floor's p95, counts no slower than
    the admin's search for the same prefix."""
    pages = []
    for prefix in first_search_prefixes(targets):
        pages += [
            Page(
                f"first-search-{len(prefix)}-results",
                f"First search “{prefix}”: results",
                _url("marketplace:browse", at_project, f"q={prefix}"),
                headers={"HX-Request": "true"},
                uncached=True,
                # The cards came without their counts, which the panel fetches.
                expect='hx-trigger="load"',
            ),
            Page(
                f"first-search-{len(prefix)}-counts",
                f"First search “{prefix}”: facet counts",
                _url("marketplace:browse-facets", at_project, f"q={prefix}"),
                headers={"HX-Request": "true"},
                uncached=True,
                expect='id="browse-count" aria-live="polite" hx-swap-oob="true">',
            ),
        ]
    return pages


def _oauth_pages(targets: Targets) -> list[Page]:
    """A token request, and an introspection of a fresh token by the team
    that publishes the service (each should cost no more than the floor)."""
    oauth = targets.oauth
    if oauth is None:
        return []
    return [
        Page(
            "oauth-token",
            "Token endpoint (client credentials)",
            reverse("oauth:token"),
            method="POST",
            form=lambda: ("grant_type=client_credentials", oauth.token_headers),
            expect='"access_token"',
        ),
        Page(
            "oauth-introspect",
            "Introspection of an access token",
            reverse("oauth:introspect"),
            method="POST",
            form=lambda: (urlencode({"token": oauth.access_token}), oauth.introspection_headers),
            expect='"active":true',
        ),
    ]


def _runtime_pages(targets: Targets) -> list[Page]:
    """The configuration endpoint: a pull of the json format, and the same
    pull made conditional on its ETag (p95 within 2 × and 1 × the floor's)."""
    runtime = targets.runtime
    if runtime is None:
        return []
    return [
        Page(
            "runtime-config",
            "Configuration endpoint (json, 50 connections)",
            runtime.url,
            sent_headers=runtime.headers,
            signed_in=False,
            # Every connection delivered: none pending.
            expect='"pending": []',
        ),
        Page(
            "runtime-config-304",
            "Configuration endpoint, If-None-Match (304)",
            runtime.url,
            sent_headers=runtime.conditional_headers,
            signed_in=False,
            expected_status=304,
        ),
    ]


def _documentation_pages(targets: Targets, at_project: dict) -> list[Page]:
    """A service page with the largest overview and definition the forms
    accept, beside the same page with neither (when the data has them)."""
    if targets.documented_service is None or targets.undocumented_service is None:
        return []
    documented_url, undocumented_url = (
        reverse("marketplace:service", kwargs={**at_project, "service_id": service.pk})
        for service in (targets.documented_service, targets.undocumented_service)
    )
    return [
        Page(
            "service-largest-overview",
            "Service page, largest overview (20,000 [)",
            documented_url,
            expect="[[[[",
        ),
        Page("service-no-overview", "Service page, no overview", undocumented_url),
        Page(
            "service-largest-definition",
            "Service page, 1 MB API definition",
            documented_url + "?tab=definition",
            expect='id="operations-shown"',
        ),
        Page(
            "service-no-definition",
            "Service page, no API definition",
            undocumented_url + "?tab=definition",
        ),
    ]


def _url(name: str, kwargs: dict | None, query: str = "") -> str:
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{query}" if query else url


def _request(client: Client, page: Page):
    if page.form is not None:
        body, headers = page.form()
        return client.post(page.url, body, content_type=FORM, headers=headers)
    if page.method == "POST":
        return client.post(page.url, page.data() if page.data else {}, headers=page.headers)
    headers = {**page.headers, **(page.sent_headers() if page.sent_headers else {})}
    return client.get(page.url, headers=headers)


def measure_page(client: Client, page: Page, requests: int, warmup: int) -> PageResult:
    result = PageResult(page)
    try:
        for _ in range(warmup):
            _request(client, page)
        if page.uncached:
            cache.clear()
        with CaptureQueriesContext(db_connection) as captured:
            response = _request(client, page)
        result.queries = len(captured.captured_queries)
        result.status = response.status_code
        if page.expect and page.expect not in response.content.decode(errors="replace"):
            result.error = f"the response does not show {page.expect!r}"
        for _ in range(requests):
            if page.uncached:
                cache.clear()
            started = time.perf_counter()
            response = _request(client, page)
            result.timings_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != page.expected_status:
                result.status = response.status_code
    except Exception as error:
        # A failing page is a finding to report, not the end of the run.
        result.error = f"{type(error).__name__}: {error}"
    if result.status not in (None, page.expected_status) and not result.error:
        result.error = f"HTTP {result.status}"
    return result


def selected(key: str, only: list[str] | None) -> bool:
    """Whether ``--pages`` (key prefixes; None: every page) asks for ``key``."""
    return only is None or any(key.startswith(prefix) for prefix in only)


def measure(
    organization_handle: str,
    username: str,
    requests: int,
    warmup: int = 5,
    only: list[str] | None = None,
    log: Callable[[str], None] = print,
) -> tuple[Targets, list[PageResult]]:
    targets = select_targets(organization_handle)
    user = get_user_model().objects.get(username=username)
    results = []
    connections_before = Connection.objects.count()
    # The test client's host, which production settings do not list, and no
    # rate limit on the token and configuration endpoints, which the run
    # calls hundreds of times.
    unlimited = 10**9
    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        JUNCTION_OAUTH_RATE_PER_CLIENT=unlimited,
        JUNCTION_OAUTH_RATE_PER_ADDRESS=unlimited,
        JUNCTION_RUNTIME_RATE_PER_TOKEN=unlimited,
        JUNCTION_RUNTIME_RATE_PER_ADDRESS=unlimited,
    ):
        client = Client()
        client.force_login(user)
        anonymous = Client()
        for page in [page for page in pages(targets) if selected(page.key, only)]:
            result = measure_page(client if page.signed_in else anonymous, page, requests, warmup)
            log(
                f"  {page.label}: {result.p50 or 0:.1f} ms p50"
                + (f" ({result.error})" if result.error else "")
            )
            results.append(result)
    if Connection.objects.count() != connections_before:
        raise RuntimeError("The Create Connection step 2 created a connection: it must not.")
    return targets, results
