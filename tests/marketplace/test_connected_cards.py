"""A marketplace card says when the scope is already connected to its
service, and leads to the connection or to the list of them."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.models import Connection
from connections.naming import variable_stem
from connections.services import connection_create
from tests import factories

BADGE = re.compile(r'<a class="badge[^"]*connected-badge" href="([^"]*)"[^>]*>(.*?)</a>', re.S)


@pytest.fixture
def stripe(organization):
    return factories.make_third_party_service(organization, "Stripe API")


@pytest.fixture
def storefront(project):
    return factories.make_component(project, "Storefront", "storefront")


def browse_url(project: str | None = "payments", component: str | None = None) -> str:
    kwargs = {"org": "acme"}
    if project:
        kwargs["project"] = project
    if component:
        kwargs["component"] = component
    return reverse("marketplace:browse", kwargs=kwargs)


def badges(response) -> dict[str, tuple[str, str]]:
    """Card name -> (badge link, badge text), for the cards that have a badge."""
    found = {}
    for card in response.content.decode().split('<article class="card')[1:]:
        name = re.search(r'class="stretched-link[^"]*"[^>]*>([^<]*)</a>', card)[1]
        if badge := BADGE.search(card):
            text = re.sub(r"<[^>]+>", "", badge[2]).strip()
            found[html.unescape(name)] = (html.unescape(badge[1]), text)
    return found


def connection_url(connection, component: str | None = None) -> str:
    kwargs = {"org": "acme", "project": "payments", "connection_id": connection.public_id}
    if component:
        kwargs["component"] = component
    return reverse("connections:detail", kwargs=kwargs)


def test_it_shows_nothing_for_a_service_the_scope_is_not_connected_to(
    login, developer, stripe, component
):
    client = login(developer)
    for url in (browse_url(None), browse_url(), browse_url("payments", "checkout-api")):
        response = client.get(url)
        assert "Stripe API" in [service.name for service in response.context["results"].services]
        assert badges(response) == {}


def test_at_component_level_it_leads_to_the_project_connection_it_sees(
    login, developer, project, component, stripe
):
    connection = connection_create(project=project, service=stripe, name="Cards")
    client = login(developer)

    response = client.get(browse_url("payments", "checkout-api"))

    link = connection_url(connection, "checkout-api")
    assert badges(response) == {"Stripe API": (link, "Connected")}
    assert "Cards" in client.get(link).content.decode()


def test_at_component_level_another_components_connection_does_not_count(
    login, developer, project, component, storefront, stripe
):
    connection_create(project=project, component=storefront, service=stripe, name="Shop")

    response = login(developer).get(browse_url("payments", "checkout-api"))

    assert badges(response) == {}


def test_at_component_level_several_lead_to_its_list_searched_for_the_service(
    login, developer, project, component, stripe
):
    connection_create(project=project, service=stripe, name="Cards")
    connection_create(project=project, component=component, service=stripe, name="Refunds")
    client = login(developer)

    response = client.get(browse_url("payments", "checkout-api"))

    link, text = badges(response)["Stripe API"]
    assert text == "Connected (2)"
    assert link == "/orgs/acme/projects/payments/components/checkout-api/connections/?q=Stripe+API"
    listed = client.get(link).content.decode()
    assert "Cards" in listed and "Refunds" in listed


def test_at_project_level_a_project_connection_leads_to_its_page(login, developer, project, stripe):
    connection = connection_create(project=project, service=stripe, name="Cards")

    response = login(developer).get(browse_url())

    assert badges(response) == {"Stripe API": (connection_url(connection), "Connected")}


def test_at_project_level_a_components_connection_counts_and_leads_to_its_page(
    login, developer, project, component, stripe
):
    connection = connection_create(
        project=project, component=component, service=stripe, name="Refunds"
    )
    client = login(developer)

    response = client.get(browse_url())

    link = connection_url(connection, "checkout-api")
    assert badges(response) == {"Stripe API": (link, "Connected")}
    assert client.get(link).status_code == 200


def test_at_project_level_the_project_and_one_component_lead_to_that_components_list(
    login, developer, project, component, stripe
):
    connection_create(project=project, service=stripe, name="Cards")
    connection_create(project=project, component=component, service=stripe, name="Refunds")
    client = login(developer)

    link, text = badges(client.get(browse_url()))["Stripe API"]

    assert text == "Connected (2)"
    assert link == "/orgs/acme/projects/payments/components/checkout-api/connections/?q=Stripe+API"
    listed = client.get(link).content.decode()
    assert "Cards" in listed and "Refunds" in listed


def test_at_project_level_its_own_connections_lead_to_its_list(login, developer, project, stripe):
    connection_create(project=project, service=stripe, name="Cards")
    connection_create(project=project, service=stripe, name="Payouts")

    link, text = badges(login(developer).get(browse_url()))["Stripe API"]

    assert (link, text) == (
        "/orgs/acme/projects/payments/connections/?q=Stripe+API",
        "Connected (2)",
    )


def test_at_project_level_several_components_lead_to_the_used_by_tab(
    login, developer, project, component, storefront, stripe
):
    connection_create(project=project, component=component, service=stripe, name="Refunds")
    connection_create(project=project, component=storefront, service=stripe, name="Shop")
    client = login(developer)

    link, text = badges(client.get(browse_url()))["Stripe API"]

    assert text == "Connected (2)"
    assert link == f"/orgs/acme/projects/payments/marketplace/services/{stripe.pk}/?tab=used-by"
    used_by = client.get(link).content.decode()
    assert "Refunds" in used_by and "Shop" in used_by


def test_at_organization_level_any_project_counts_and_leads_to_the_used_by_tab(
    login, developer, organization, project, stripe
):
    hr = factories.make_project(organization, "HR", "hr")
    connection_create(project=project, service=stripe, name="Cards")
    connection_create(project=hr, service=stripe, name="Payroll")

    link, text = badges(login(developer).get(browse_url(None)))["Stripe API"]

    assert (link, text) == (
        f"/orgs/acme/marketplace/services/{stripe.pk}/?tab=used-by",
        "Connected (2)",
    )


def test_another_organizations_connection_never_counts(
    login, developer, other_organization, stripe, component
):
    # Not something the product lets anyone make: written straight into the
    # table, to show that the count is scoped and not merely the service's.
    globex = factories.make_project(other_organization, "Globex Payments", "payments")
    Connection.objects.create(
        organization=other_organization,
        project=globex,
        service=stripe,
        name="Stolen",
        variable_stem=variable_stem("Stolen"),
        auth_scheme=stripe.security,
    )
    client = login(developer)

    for url in (browse_url(None), browse_url(), browse_url("payments", "checkout-api")):
        assert badges(client.get(url)) == {}


def test_the_create_wizard_and_an_htmx_search_show_the_badge(login, developer, project, stripe):
    connection = connection_create(project=project, service=stripe, name="Cards")
    client = login(developer)
    create_url = reverse("connections:create", kwargs={"org": "acme", "project": "payments"})

    wizard = client.get(create_url)
    fragment = client.get(f"{browse_url()}?q=stripe", headers={"HX-Request": "true"})

    expected = {"Stripe API": (connection_url(connection), "Connected")}
    assert badges(wizard) == expected
    assert "<html" not in fragment.content.decode()
    assert badges(fragment) == expected


def test_a_repeated_search_shows_a_connection_made_since(login, developer, project, stripe):
    client = login(developer)
    url = f"{browse_url()}?q=stripe"
    assert badges(client.get(url)) == {}

    # The page's cards are cached with the search's counts (marketplace/paging.py);
    # whether each is connected is read again.
    connection = connection_create(project=project, service=stripe, name="Cards")

    assert badges(client.get(url)) == {"Stripe API": (connection_url(connection), "Connected")}


def _queries(client, url: str) -> int:
    client.get(url)  # the counts cached, as on any visit but the first
    with CaptureQueriesContext(db_connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("scope_url", "level"),
    [
        (browse_url(None), "organization"),
        (browse_url(), "project"),
        (browse_url("payments", "checkout-api"), "component"),
    ],
)
def test_the_badges_cost_no_query_per_card_or_connection(
    login, developer, organization, project, component, stripe, scope_url, level
):
    holder = component if level == "component" else None
    factories.bulk_connections(project, stripe, 1, "Stripe", component=holder)
    client = login(developer)
    one = _queries(client, scope_url)

    services = [
        factories.make_third_party_service(organization, f"Vendor {n:02d}") for n in range(39)
    ]
    for n, service in enumerate(services):
        factories.bulk_connections(project, service, 1, f"Vendor {n:02d}", component=holder)
    factories.bulk_connections(project, stripe, 39, "More stripe", component=holder)
    response = client.get(scope_url)
    shown = badges(response)
    assert len(shown) == len(response.context["results"].services) == 12
    assert _queries(client, scope_url) == one
