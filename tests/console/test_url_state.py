"""console/url_state.py: the one canonical address of a list or a tabbed page."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from connections.filters import ConnectionFilter
from connections.models import Connection
from console.url_state import PAGING, filter_defaults, list_url_state, url_state
from marketplace.filters import MarketplaceFilter
from tests import factories

LIST = "/orgs/acme/projects/payments/connections/"


def _request(query: str = "", **headers):
    request = RequestFactory().get(f"{LIST}?{query}", headers=headers)
    request.htmx = HtmxDetails(request)
    return request


def _connection_state(query: str):
    request = _request(query)
    filterset = ConnectionFilter(request.GET, queryset=Connection.objects.none())
    return list_url_state(request, filterset)


def test_it_knows_each_filter_s_default(db, organization):
    connections = filter_defaults(ConnectionFilter({}, queryset=Connection.objects.none()).filters)
    marketplace = filter_defaults(MarketplaceFilter.base_filters)

    assert (connections["q"], connections["type"], connections["sort"]) == ("", "", "name")
    assert marketplace["search_in"] == "all"
    assert list(marketplace)[:2] == ["q", "search_in"]


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("", LIST),
        ("q=&type=&sort=name", LIST),
        ("q=&type=internal&sort=name&q=&type=&sort=name", f"{LIST}?type=internal"),
        ("sort=-created&q=pay&q=pay", f"{LIST}?q=pay&sort=-created"),
        ("page=1&sort=-created", f"{LIST}?sort=-created"),
        ("page=3&utm_source=mail&tab=x", f"{LIST}?page=3"),
    ],
)
def test_it_holds_each_parameter_once_and_nothing_at_its_default(db, query, canonical):
    assert _connection_state(query).url() == canonical


def test_a_change_of_filter_drops_the_page_and_keeps_the_rest(db):
    state = _connection_state("q=pay&sort=-created&page=2")

    assert state.url(page=3) == f"{LIST}?q=pay&sort=-created&page=3"
    assert state.url(page=1) == f"{LIST}?q=pay&sort=-created"
    assert state.url(sort="name", page=None) == f"{LIST}?q=pay"


def test_a_list_of_values_keeps_each_value_once_in_its_order():
    request = RequestFactory().get("/m/?type=internal&type=third-party&type=internal")
    state = url_state(request, {"type": "", **PAGING})

    assert state.url() == "/m/?type=internal&type=third-party"
    assert state.url(type=["third-party"], page=2) == "/m/?type=third-party&page=2"


def test_the_pager_links_are_canonical_and_htmx_pushes_the_same_address(login, developer, project):
    service = factories.make_third_party_service(project.organization, "Stripe API")
    factories.bulk_connections(project, service, 25, "Alert")
    client = login(developer)
    url = reverse("connections:list", args=["acme", "payments"])
    query = "q=&type=&sort=-created&q=&type=&sort=-created"

    page = client.get(f"{url}?{query}", follow=True)
    fragment = client.get(f"{url}?{query}&page=2", headers={"HX-Request": "true"})

    assert f'href="{url}?sort=-created&amp;page=2"' in page.content.decode()
    assert f'href="{url}?sort=-created"' in fragment.content.decode()  # Previous: page 1
    assert fragment["HX-Push-Url"] == f"{url}?sort=-created&page=2"
    assert "HX-Push-Url" not in page


def test_a_service_s_tabs_lead_to_page_one_of_the_tab(login, developer, project):
    service = factories.make_third_party_service(project.organization, "Stripe API")
    client = login(developer)
    url = reverse("marketplace:service", args=["acme", "payments", service.pk])

    response = client.get(f"{url}?tab=used-by&page=2", headers={"HX-Request": "true"})

    content = response.content.decode()
    assert 'id="service-tabs"' in content  # the tabs are swapped with their panel
    assert f'href="{url}"' in content  # Overview, the default tab
    assert f'href="{url}?tab=how-to-use"' in content
    assert 'aria-current="page" href="' + f'{url}?tab=used-by"' in content
    assert response["HX-Push-Url"] == f"{url}?tab=used-by&page=2"


# Without JavaScript a GET form writes every field into the address, each
# at its value or its default; the page redirects to its canonical address.

MARKETPLACE = "/orgs/acme/projects/payments/marketplace/"
NO_JS_FORMS = [
    (LIST, "q=&type=&sort=name", LIST),
    (LIST, "q=pay&type=&sort=-created", f"{LIST}?q=pay&sort=-created"),
    (
        MARKETPLACE,
        "q=api&search_in=all&type=internal&label_q=",
        f"{MARKETPLACE}?q=api&type=internal",
    ),
    (f"{LIST}create/", "q=&search_in=all", f"{LIST}create/"),
    ("/orgs/acme/third-party-services/", "q=&status=&sort=", "/orgs/acme/third-party-services/"),
    (
        "/orgs/acme/activity/",
        "q=&person=&kind=connection&action=&since=&until=",
        "/orgs/acme/activity/?kind=connection",
    ),
    (
        "/orgs/acme/projects/payments/activity/",
        "q=&kind=&page=1",
        "/orgs/acme/projects/payments/activity/",
    ),
]


@pytest.mark.parametrize(("path", "query", "canonical"), NO_JS_FORMS)
def test_a_form_sent_without_javascript_lands_on_the_canonical_address(
    login, org_admin, project, path, query, canonical
):
    response = login(org_admin).get(f"{path}?{query}", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(canonical, 302)]


def test_a_service_page_asked_for_its_default_tab_redirects_to_its_bare_address(
    login, developer, project
):
    service = factories.make_third_party_service(project.organization, "Stripe API")
    url = reverse("marketplace:service", args=["acme", "payments", service.pk])

    response = login(developer).get(f"{url}?tab=overview&page=1")

    assert (response.status_code, response["Location"]) == (302, url)


def test_the_redirect_costs_no_search(login, developer, project, django_assert_max_num_queries):
    """The redirect is decided from the address alone: the user, the scope
    and the catalog's version, never the search, facets or rows."""
    client = login(developer)
    with django_assert_max_num_queries(5):
        response = client.get(f"{MARKETPLACE}?q=pay&search_in=all&type=&visibility=")
    assert response["Location"] == f"{MARKETPLACE}?q=pay"
    with django_assert_max_num_queries(5):
        response = client.get(f"{LIST}?q=&type=&sort=name&page=1")
    assert response["Location"] == LIST


def test_a_canonical_address_is_served_whatever_the_order_of_its_parameters(
    login, developer, project
):
    client = login(developer)
    assert client.get(f"{LIST}?sort=-created&q=pay").status_code == 200
    assert client.get(f"{MARKETPLACE}?type=internal&q=api").status_code == 200


def test_htmx_is_never_redirected_but_told_what_to_push(login, developer, project):
    response = login(developer).get(f"{LIST}?q=&type=&sort=name", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Push-Url"] == LIST


def test_a_form_that_fails_keeps_what_was_typed(login, developer, project):
    """An invalid value is not a default: the page shows it beside its
    field rather than redirecting it away."""
    response = login(developer).get(f"{LIST}?q={'x' * 500}&sort=bogus")

    assert response.status_code == 200
    assert "x" * 500 in response.content.decode()
