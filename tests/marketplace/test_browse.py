"""Browsing and searching the marketplace, and a service's page."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.services import connection_create
from marketplace.documentation import documentation_fields
from marketplace.models import Security, Service, ServiceKind, ServiceType, Visibility
from marketplace.services import internal_service_publish
from tests import factories


def browse_url(project: str | None = "payments", component: str | None = None) -> str:
    kwargs = {"org": "acme"}
    if project:
        kwargs["project"] = project
    if component:
        kwargs["component"] = component
    return reverse("marketplace:browse", kwargs=kwargs)


@pytest.fixture
def catalog(organization, project, other_organization):
    """Payments (consumer) and HR (provider) of Acme, and Globex next door."""
    checkout = factories.make_component(project, "Checkout API", "checkout-api")
    hr = factories.make_project(organization, "HR", "hr")
    employees = factories.make_component(hr, "Employee Service", "employee-service")
    environments = list(organization.environments.all())

    def publish(component, handle, name, visibility, tags=(), summary="", **extra):
        return internal_service_publish(
            component=component,
            endpoint_handle=handle,
            endpoint_name=name,
            version=extra.pop("version", "1.0.0"),
            visibility=visibility,
            summary=summary,
            tags=tags,
            urls={env: f"http://{handle}.{env.handle}.svc:8080" for env in environments},
            **extra,
        )

    services = {
        "payments": publish(
            checkout,
            "payments",
            "Payments",
            Visibility.ORGANIZATION,
            ("billing", "core"),
            "Take card payments",
            security=Security.OAUTH2,
        ),
        "directory": publish(
            employees, "directory", "Directory", Visibility.ORGANIZATION, ("people",)
        ),
        "records": publish(
            employees, "records", "Records", Visibility.PROJECT, ("people",), "Personnel files"
        ),
        "public": publish(
            employees,
            "careers",
            "Careers",
            Visibility.PUBLIC,
            ("people", "web"),
            service_type=ServiceType.GRAPHQL,
        ),
        "stripe": factories.make_third_party_service(organization, "Stripe API"),
        "hr_only": factories.make_third_party_service(organization, "Workday", project=hr),
        "globex": factories.make_third_party_service(other_organization, "Globex Secret Sauce"),
    }
    services["stripe"].summary = "Online payments processing"
    services["stripe"].save()
    services["stripe"].tags.set(
        [organization.tags.get(name="billing")]  # shared with Checkout's service
    )
    return services


def _names(response) -> list[str]:
    return [service.name for service in response.context["results"].services]


def test_it_shows_what_a_project_may_consume(login, developer, catalog):
    response = login(developer).get(browse_url())

    assert response.status_code == 200
    assert _names(response) == [
        "Checkout API - Payments",
        "Employee Service - Careers",
        "Employee Service - Directory",
        "Stripe API",
    ]
    assert b"Globex" not in response.content
    assert b"Workday" not in response.content  # HR's own third-party service
    assert b"Records" not in response.content  # HR's Project-visible service


def test_it_shows_a_projects_own_services_to_that_project(login, developer, catalog):
    response = login(developer).get(browse_url("hr"))
    names = _names(response)
    assert "Employee Service - Records" in names
    assert "Workday" in names


def test_it_leaves_a_components_own_services_out(login, developer, catalog):
    response = login(developer).get(browse_url("payments", "checkout-api"))
    assert "Checkout API - Payments" not in _names(response)
    assert "Stripe API" in _names(response)


def test_it_shows_organization_wide_services_at_organization_level(login, developer, catalog):
    response = login(developer).get(browse_url(None))
    assert _names(response) == [
        "Checkout API - Payments",
        "Employee Service - Careers",
        "Employee Service - Directory",
        "Stripe API",
    ]


def test_it_hides_services_removed_from_the_marketplace(login, developer, catalog):
    Service.objects.filter(pk=catalog["stripe"].pk).update(listed=False)
    assert "Stripe API" not in _names(login(developer).get(browse_url()))


def test_it_shows_one_card_per_major_version(login, developer, catalog, organization):
    checkout = catalog["payments"].provider_component
    environments = {env: "http://x.svc" for env in organization.environments.all()}
    for version in ("1.4.2", "2.0.0"):
        internal_service_publish(
            component=checkout,
            endpoint_handle="payments",
            endpoint_name="Payments",
            version=version,
            visibility=Visibility.ORGANIZATION,
            urls=environments,
        )

    response = login(developer).get(browse_url("hr"))

    cards = [(s.name, s.major_label, s.version) for s in response.context["results"].services]
    assert ("Checkout API - Payments", "v1", "1.4.2") in cards
    assert ("Checkout API - Payments", "v2", "2.0.0") in cards
    assert len([c for c in cards if c[0] == "Checkout API - Payments"]) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=pay", ["Checkout API - Payments", "Stripe API"]),  # name and content
        ("q=pay&search_in=name", ["Checkout API - Payments"]),
        ("q=processing&search_in=content", ["Stripe API"]),
        ("q=processing&search_in=name", []),
        ("q=bill&search_in=label", ["Checkout API - Payments", "Stripe API"]),
        ("q=PEOPLE&search_in=label", [
            "Employee Service - Careers", "Employee Service - Directory"
        ]),
        ("q=card payments", ["Checkout API - Payments"]),
        ("type=third-party", ["Stripe API"]),
        ("visibility=public&visibility=organization", [
            "Checkout API - Payments", "Employee Service - Careers", "Employee Service - Directory"
        ]),
        ("service_type=graphql", ["Employee Service - Careers"]),
        ("tag=billing", ["Checkout API - Payments", "Stripe API"]),
        ("tag=billing&tag=core", ["Checkout API - Payments", "Stripe API"]),
        ("tag=billing&type=internal", ["Checkout API - Payments"]),
    ],
)  # fmt: skip
def test_it_searches_and_filters(login, developer, catalog, query, expected):
    assert _names(login(developer).get(f"{browse_url()}?{query}")) == expected


def _facet(response, name):
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {value.value: (value.count, value.selected) for value in facet.values}


def test_facet_counts_apply_the_other_filters_only(login, developer, catalog):
    response = login(developer).get(f"{browse_url()}?type=internal&tag=people")

    # Type ignores its own selection (OR within a filter) but applies labels.
    assert _facet(response, "type") == {"internal": (2, True), "third-party": (0, False)}
    # Labels ignore their own selection but apply the type.
    assert _facet(response, "tag")["billing"] == (1, False)
    assert _facet(response, "tag")["people"] == (2, True)
    assert _facet(response, "visibility")["public"] == (1, False)
    assert response.context["results"].total == 2


def test_a_value_without_matches_is_shown_disabled(login, developer, catalog):
    response = login(developer).get(f"{browse_url()}?type=third-party")
    content = response.content.decode()
    assert _facet(response, "service_type")["grpc"] == (0, False)
    assert 'value="grpc" id="facet-service_type-3" disabled' in content


def test_the_facet_counts_follow_the_text_search(login, developer, catalog):
    response = login(developer).get(f"{browse_url()}?q=pay")
    assert _facet(response, "type") == {"internal": (1, False), "third-party": (1, False)}


@pytest.mark.parametrize(
    "query",
    [
        "type=bogus",
        "tag=" + "x" * 500,
        "tag=no-such-label",
        "search_in=password",
        "page=0",
        "page=-5",
        "page=abc",
        "page=999999",
        "q=" + "y" * 5000,
        'q="unbalanced',
        "q=name:*",
        "q=a AND OR NOT NEAR(",
        "q=%27%3B DROP TABLE marketplace_service; --",
        "q=%3Cscript%3Ealert(1)%3C/script%3E",
        "q=%00",
        "q=%E2%80%AE%F0%9F%94%A5",
        "q=***",
    ],
)
def test_odd_input_never_fails(login, developer, catalog, query):
    response = login(developer).get(f"{browse_url()}?{query}")
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content
    assert Service.objects.filter(name="Stripe API").exists()


def test_it_pages_the_cards(login, developer, organization, project):
    for n in range(30):
        factories.make_third_party_service(organization, f"Vendor {n:02d}")

    client = login(developer)
    page_two = client.get(browse_url() + "?page=2")
    page_three = client.get(browse_url() + "?page=3")

    assert _names(page_two) == [f"Vendor {n:02d}" for n in range(12, 24)]
    assert _names(page_three) == [f"Vendor {n:02d}" for n in range(24, 30)]
    assert b"Page 3 of 3" in page_three.content


def _follow(client, url: str, link: str) -> str | None:
    """The href of the pager's ``link`` ("Next" or "Previous") on ``url``."""
    content = client.get(url).content.decode()
    found = re.search(rf'<a class="page-link" href="([^"]+)"[^>]*>{link}</a>', content)
    return html.unescape(found.group(1)) if found else None


def test_next_and_previous_walk_every_card_once_by_position(
    login, developer, organization, project
):
    for n in range(40):
        factories.make_third_party_service(organization, f"Vendor {n:02d}")
    client = login(developer)
    url, seen, urls = browse_url(), [], []
    while url:
        urls.append(url)
        seen += _names(client.get(url))
        url = _follow(client, url, "Next")
        assert url is None or "after=" in url  # a position, not an offset
    assert seen == [f"Vendor {n:02d}" for n in range(40)]
    assert b"Page 4 of 4" in client.get(urls[-1]).content

    # Previous from the last page gives the third, by position too.
    previous = _follow(client, urls[-1], "Previous")
    assert "before=" in previous
    assert _names(client.get(previous)) == [f"Vendor {n:02d}" for n in range(24, 36)]
    # and from the second page, the plain first page.
    assert _follow(client, urls[1], "Previous") == browse_url()


def test_a_page_position_survives_a_new_service_before_it(login, developer, organization, project):
    for n in range(20):
        factories.make_third_party_service(organization, f"Vendor {n:02d}")
    client = login(developer)
    following = _follow(client, browse_url(), "Next")
    factories.make_third_party_service(organization, "Aardvark Analytics")

    # An offset would now show Vendor 11 again; the position does not.
    assert _names(client.get(following))[0] == "Vendor 12"


@pytest.mark.parametrize("cursor", ["", "bm90LWpzb24", "W10", "WyJhIiwtMSwxXQ", "%00", "x" * 900])
def test_a_broken_cursor_shows_the_first_page(login, developer, catalog, cursor):
    # An empty cursor is no cursor: that address redirects to the page's own.
    response = login(developer).get(f"{browse_url()}?after={cursor}&before={cursor}", follow=True)
    assert response.status_code == 200
    assert _names(response) == _names(login(developer).get(browse_url()))


def test_htmx_gets_only_the_results_and_facets(login, developer, catalog):
    response = login(developer).get(f"{browse_url()}?q=pay", headers={"HX-Request": "true"})
    assert b"<html" not in response.content
    assert response.content.lstrip().startswith(b'<div id="browse-body"')


def test_a_history_restore_gets_the_whole_page(login, developer, catalog):
    response = login(developer).get(
        f"{browse_url()}?q=pay",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in response.content


def test_an_outsider_gets_404(login, outsider, catalog):
    assert login(outsider).get(browse_url()).status_code == 404


def _bulk_services(organization, count: int, start: int = 0) -> None:
    Service.objects.bulk_create(
        Service(
            organization=organization,
            kind=ServiceKind.THIRD_PARTY,
            name=f"Bulk vendor {n:05d}",
            version="1.0.0",
            major=1,
            summary="Bulk payments helper",
        )
        for n in range(start, start + count)
    )


def test_the_marketplace_costs_the_same_queries_at_10_and_2000_services(
    login, developer, catalog, organization, django_assert_num_queries
):
    client = login(developer)
    url = f"{browse_url()}?q=pay&type=third-party&tag=billing"
    client.get(url)
    _bulk_services(organization, 3)
    # session, user, membership, project, requested labels, the matches' cells,
    # the label facet and its matches (on PostgreSQL read with the cells, in
    # one pass: facets._Counts.one_pass), page of services, their labels, and
    # the three scope menus
    expected = 12 if db_connection.vendor == "postgresql" else 13
    with django_assert_num_queries(expected):
        client.get(url)
    _bulk_services(organization, 1997, start=3)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.context["results"].total >= 1


def test_text_search_finds_bulk_inserted_services(login, developer, catalog, organization):
    _bulk_services(organization, 50)
    response = login(developer).get(f"{browse_url()}?q=vendor 00042&search_in=name")
    assert _names(response) == ["Bulk vendor 00042"]


# --- the service page ---------------------------------------------------------


def service_url(service, project="payments", component=None, tab=None) -> str:
    kwargs = {"org": "acme", "service_id": service.pk}
    if project:
        kwargs["project"] = project
    if component:
        kwargs["component"] = component
    url = reverse("marketplace:service", kwargs=kwargs)
    return f"{url}?tab={tab}" if tab else url


def write_documentation(service: Service, **values: str) -> None:
    """Change a service's overview or definition as every write path does."""
    current = {
        "overview": service.overview,
        "api_definition": service.api_definition,
        "definition_format": service.definition_format,
    }
    Service.objects.filter(pk=service.pk).update(**documentation_fields(**{**current, **values}))


def test_the_service_page_renders_a_sanitized_overview(login, developer, catalog):
    service = catalog["payments"]
    write_documentation(
        service,
        overview=(
            "# Payments\n\nUse **cards**.<script>alert(1)</script>"
            "\n\n[docs](https://docs.example) [bad](javascript:alert(1))"
        ),
    )

    response = login(developer).get(service_url(service))

    content = response.content.decode()
    assert response.status_code == 200
    assert "<strong>cards</strong>" in content
    assert "<script>alert(1)</script>" not in content
    # CommonMark leaves a link of a refused scheme as text, never a link.
    assert 'href="javascript' not in content
    assert 'href="https://docs.example"' in content
    assert "http://payments.production.svc:8080" in content


def test_the_service_page_lists_openapi_operations(login, developer, catalog):
    service = catalog["payments"]
    write_documentation(
        service,
        definition_format="openapi",
        api_definition=(
            "openapi: 3.0.0\ninfo: {title: Payments API, version: 1.0.0}\n"
            "paths:\n  /payments:\n    post: {summary: Create a payment}\n"
            "    get: {operationId: listPayments}\n"
        ),
    )

    response = login(developer).get(service_url(service, tab="definition"))

    content = response.content.decode()
    assert "Payments API" in content
    assert "Create a payment" in content
    assert "listPayments" in content
    assert ">POST<" in content


def test_a_broken_definition_is_shown_as_text_with_a_note(login, developer, catalog):
    service = catalog["payments"]
    write_documentation(
        service, definition_format="openapi", api_definition="openapi: [unbalanced\n  - : :"
    )

    response = login(developer).get(service_url(service, tab="definition"))

    assert response.status_code == 200
    assert b"not valid JSON or YAML" in response.content


def test_how_to_use_gives_the_resource_reference(login, developer, catalog):
    response = login(developer).get(service_url(catalog["payments"], tab="how-to-use"))
    assert b"resourceRef: service:/payments/checkout-api/v1/payments/ORGANIZATION" in (
        response.content
    )
    stripe = login(developer).get(service_url(catalog["stripe"], tab="how-to-use"))
    assert b"thirdparty:Stripe API/v1" in stripe.content


@pytest.mark.parametrize(
    ("security", "keys"),
    [
        (Security.NONE, "ServiceURL"),
        (Security.OAUTH2, "ServiceURL, ConsumerKey, ConsumerSecret and TokenURL"),
        (Security.API_KEY, "ServiceURL and ChoreoAPIKey"),
    ],
)
def test_how_to_use_names_the_keys_of_the_services_security(
    login, developer, organization, project, security, keys
):
    service = factories.make_third_party_service(organization, "Vendor", security=security)

    response = login(developer).get(service_url(service, tab="how-to-use"))

    assert f"with the keys {keys} and the service's additional parameters." in (
        response.content.decode()
    )


def test_used_by_lists_connections_with_their_scopes(login, developer, catalog, project):
    storefront = factories.make_component(project, "Storefront", "storefront")
    connection_create(project=project, service=catalog["stripe"], name="Stripe")
    connection_create(
        project=project, component=storefront, service=catalog["stripe"], name="Shop stripe"
    )

    response = login(developer).get(service_url(catalog["stripe"], tab="used-by"))

    content = response.content.decode()
    assert "Shop stripe" in content
    assert "Component Storefront" in content
    assert "/orgs/acme/projects/payments/components/storefront/connections/" in content


def test_used_by_pages_a_busy_service_in_name_order(login, developer, catalog, project):
    factories.bulk_connections(project, catalog["stripe"], 30, "user")
    client = login(developer)

    first = client.get(service_url(catalog["stripe"], tab="used-by"))
    second = client.get(service_url(catalog["stripe"], tab="used-by") + "&page=2")

    names = [c.name for c in first.context["used_by"]] + [c.name for c in second.context["used_by"]]
    assert names == sorted(names) and len(set(names)) == 30
    assert b"30 connections use this service" in first.content
    assert b"Page 2 of 2" in second.content


def test_tabs_swap_only_the_panel_for_htmx(login, developer, catalog):
    response = login(developer).get(
        service_url(catalog["payments"], tab="how-to-use"), headers={"HX-Request": "true"}
    )
    assert b"<html" not in response.content
    assert b'data-tab="how-to-use"' in response.content


def test_an_unknown_tab_shows_the_overview(login, developer, catalog):
    response = login(developer).get(service_url(catalog["payments"], tab="../../etc"))
    assert response.status_code == 200
    assert b'data-tab="overview"' in response.content


def test_service_pages_out_of_reach_are_404(login, developer, outsider, catalog):
    client = login(developer)
    assert client.get(service_url(catalog["globex"])).status_code == 404
    assert client.get(service_url(catalog["records"])).status_code == 404  # HR-only
    assert client.get(service_url(catalog["hr_only"])).status_code == 404
    assert client.get(service_url(catalog["payments"], component="checkout-api")).status_code == 404
    assert login(outsider).get(service_url(catalog["stripe"])).status_code == 404


def test_an_unlisted_service_page_stays_reachable_and_says_so(login, developer, catalog):
    Service.objects.filter(pk=catalog["stripe"].pk).update(listed=False)
    response = login(developer).get(service_url(catalog["stripe"]))
    assert response.status_code == 200
    assert b"Removed from the marketplace" in response.content


# --- the counts can be trusted ------------------------------------------------


@pytest.mark.parametrize("component", [None, "checkout-api"])
@pytest.mark.parametrize(
    "base_query",
    ["", "q=pay", "type=internal", "tag=people", "tag=billing", "visibility=organization&q=e"],
)
def test_every_count_is_what_selecting_that_value_shows(
    login, developer, catalog, base_query, component
):
    """Tick each value on top of the current filters: the number of results
    must be the count the value showed, at project and at component level
    (where the component's own services are left out)."""
    client = login(developer)
    url = browse_url(component=component)
    response = client.get(f"{url}?{base_query}")
    for facet in response.context["facets"]:
        for value in facet.values:
            if value.selected:
                continue
            # Within a facet, values are alternatives: the count of a value is
            # what that value alone shows, with the other facets as they are.
            others = "&".join(
                part for part in base_query.split("&") if part and not part.startswith(facet.name)
            )
            selected = client.get(f"{url}?{others}&{facet.name}={value.value}")
            assert selected.context["results"].total == value.count, (facet.name, value.value)
            assert len(_names(selected)) == min(value.count, 12)


def test_the_service_page_offers_writers_a_connection_from_this_scope(
    login, developer, viewer, catalog
):
    url = service_url(catalog["stripe"], component=None)
    form_url = reverse(
        "connections:create-form",
        kwargs={"org": "acme", "project": "payments", "service_id": catalog["stripe"].pk},
    )
    assert form_url.encode() in login(developer).get(url).content
    assert form_url.encode() not in login(viewer).get(url).content


def test_a_label_without_matches_stays_listed_and_disabled(login, developer, catalog):
    response = login(developer).get(f"{browse_url()}?type=third-party")
    assert _facet(response, "tag")["people"] == (0, False)
    assert _facet(response, "tag")["billing"] == (1, False)
    people = re.search(r'<input[^>]*name="tag" value="people"[^>]*>', response.content.decode())
    assert people is not None
    assert "disabled" in people.group(0)


LARGE_DEFINITION = "openapi: 3.0.0\ninfo: {title: Payments API}\npaths:\n" + "".join(
    f"  /p{index}: {{get: {{summary: Read {index}}}}}\n" for index in range(500)
)


def _refuse(*args, **kwargs):
    raise AssertionError("A service page rendered or parsed its documentation on view.")


def test_it_neither_renders_nor_parses_when_a_service_page_is_shown(
    login, developer, catalog, monkeypatch
):
    # Rendering and parsing happen when the documentation is written: a view
    # costs the same whatever a provider uploaded (issue #11).
    service = catalog["payments"]
    write_documentation(
        service,
        overview="# Payments\n\n" + "[" * 5000,
        api_definition=LARGE_DEFINITION,
        definition_format="openapi",
    )
    for module, name in [
        ("nh3", "clean"),
        ("markdown_it.MarkdownIt", "render"),
        ("yaml", "load"),
        ("yaml", "safe_load"),
        ("yaml", "parse"),
        ("yaml", "compose"),
    ]:
        monkeypatch.setattr(f"{module}.{name}", _refuse)
    client = login(developer)

    overview = client.get(service_url(service))
    definition = client.get(service_url(service, tab="definition"))

    assert "<h1>Payments</h1>" in overview.content.decode()
    content = definition.content.decode()
    assert "Read 199" in content and ">Read 200<" not in content
    assert "The first 200 of 500 operations" in content
    assert "/p0: {get: {summary: Read 0}}" in content  # the text, as uploaded


def test_it_reads_only_the_shown_tab_s_documentation(
    login, developer, catalog, django_assert_max_num_queries
):
    service = catalog["payments"]
    write_documentation(
        service, overview="Hello", api_definition=LARGE_DEFINITION, definition_format="openapi"
    )
    client = login(developer)

    with CaptureQueriesContext(db_connection) as overview_queries:
        client.get(service_url(service))
    with CaptureQueriesContext(db_connection) as definition_queries:
        client.get(service_url(service, tab="definition"))

    overview_sql = " ".join(query["sql"] for query in overview_queries.captured_queries)
    definition_sql = " ".join(query["sql"] for query in definition_queries.captured_queries)
    assert '"api_definition"' not in overview_sql
    assert '"definition_summary"' not in overview_sql
    assert '"overview_html"' in overview_sql
    assert '"overview_html"' not in definition_sql
    with django_assert_max_num_queries(len(overview_queries.captured_queries)):
        client.get(service_url(service))


def test_it_shows_the_start_of_a_long_definition_and_links_the_whole_text(
    login, developer, catalog
):
    service = catalog["payments"]
    long_definition = LARGE_DEFINITION + "# end of the definition\n" + "#" * 400_000 + "\n"
    write_documentation(service, api_definition=long_definition, definition_format="openapi")
    client = login(developer)

    page = client.get(service_url(service, tab="definition")).content.decode()
    whole_url = reverse(
        "marketplace:service-definition",
        kwargs={"org": "acme", "project": "payments", "service_id": service.pk},
    )

    # The page carries a bounded start of the text, never the whole of it.
    assert "  /p0: {get: {summary: Read 0}}" in page
    assert "# end of the definition" not in page
    assert len(page) < 100_000
    assert f"of {len(long_definition):,} characters" in page
    assert f'href="{whole_url}"' in page
    whole = client.get(whole_url)
    assert whole["Content-Type"] == "text/plain; charset=utf-8"
    assert whole.content.decode() == long_definition


def test_it_answers_404_for_the_text_of_a_service_with_no_definition(login, viewer, catalog):
    service = catalog["payments"]
    write_documentation(service, api_definition="", definition_format="")
    url = reverse(
        "marketplace:service-definition",
        kwargs={"org": "acme", "project": "payments", "service_id": service.pk},
    )

    assert login(viewer).get(url).status_code == 404
