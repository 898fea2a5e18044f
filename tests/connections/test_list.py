"""Dependencies > Connections: the list at project and component level."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connections.services import connection_create
from marketplace.models import Visibility
from tests import factories

PROJECT_LIST = reverse("connections:list", kwargs={"org": "acme", "project": "payments"})
STOREFRONT_LIST = reverse(
    "connections:list", kwargs={"org": "acme", "project": "payments", "component": "storefront"}
)


@pytest.fixture
def scene(organization, project, developer):
    storefront = factories.make_component(project, "Storefront", "storefront")
    worker = factories.make_component(project, "Ledger Worker", "ledger-worker")
    hr = factories.make_project(organization, "HR", "hr")
    employees = factories.make_internal_service(
        factories.make_component(hr, "Employee Service", "employee-service"),
        "employees",
        Visibility.ORGANIZATION,
    )
    stripe = factories.make_third_party_service(organization, "Stripe API")

    def create(name, service, component=None, description=""):
        return connection_create(
            project=project,
            component=component,
            service=service,
            name=name,
            description=description,
            created_by=developer,
        )

    return {
        "storefront": storefront,
        "worker": worker,
        "project_stripe": create("Stripe", stripe, description="Card payments"),
        "storefront_employees": create("Staff directory", employees, storefront),
        "worker_employees": create("Worker staff", employees, worker),
        "create": create,
        "employees": employees,
        "stripe": stripe,
    }


def _names(response) -> list[str]:
    return [connection.name for connection in response.context["page"].object_list]


def test_it_lists_project_connections_at_project_level(login, developer, scene):
    response = login(developer).get(PROJECT_LIST)

    assert response.status_code == 200
    assert _names(response) == ["Stripe"]
    assert b"Stripe API" in response.content
    assert b"Third-party" in response.content


def test_it_lists_own_and_project_connections_at_component_level(login, developer, scene):
    response = login(developer).get(STOREFRONT_LIST)

    assert _names(response) == ["Staff directory", "Stripe"]
    assert b"Worker staff" not in response.content
    assert b'title="Project connection' in response.content
    assert b'title="Component connection of Storefront"' in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=staff", ["Staff directory"]),
        ("q=CARD", ["Stripe"]),  # description, any case
        ("q=employee", ["Staff directory"]),  # service name
        ("type=third-party", ["Stripe"]),
        ("type=internal", ["Staff directory"]),
        ("scope=project", ["Stripe"]),
        ("scope=component", ["Staff directory"]),
        ("sort=-name", ["Stripe", "Staff directory"]),
        ("sort=-created", ["Staff directory", "Stripe"]),
        ("q=stripe&type=internal", []),
    ],
)
def test_it_searches_filters_and_sorts(login, developer, scene, query, expected):
    response = login(developer).get(f"{STOREFRONT_LIST}?{query}")
    assert _names(response) == expected


@pytest.mark.parametrize(
    "query",
    [
        "type=nonsense",
        "scope=%00",
        "sort=password",
        "page=-1",
        "page=99999",
        "page=abc",
        "q=" + "x" * 5000,
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "q=' OR 1=1 --",
        "q=%F0%9F%94%8C",
    ],
)
def test_it_never_fails_on_odd_query_parameters(login, developer, scene, query):
    response = login(developer).get(f"{STOREFRONT_LIST}?{query}")
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_it_explains_an_invalid_filter_value_next_to_the_field(login, developer, scene):
    response = login(developer).get(f"{STOREFRONT_LIST}?type=nonsense")
    assert b"Select a valid choice" in response.content
    assert len(_names(response)) == 2  # the bad filter is ignored, not applied


def test_it_pages_the_list(login, developer, scene):
    for n in range(25):
        scene["create"](f"Extra {n:02d}", scene["stripe"])

    client = login(developer)
    first = client.get(PROJECT_LIST)
    second = client.get(PROJECT_LIST + "?page=2")

    assert len(first.context["page"].object_list) == 20
    assert _names(second) == [f"Extra {n:02d}" for n in range(20, 25)] + ["Stripe"]
    assert b"Page 2 of 2" in second.content
    assert b"26 connections" in second.content


def test_it_says_when_a_scope_has_no_connections(login, developer, organization, project):
    response = login(developer).get(PROJECT_LIST)
    assert b"There are no connections in Payments yet." in response.content


def test_it_says_when_filters_match_nothing(login, developer, scene):
    response = login(developer).get(PROJECT_LIST + "?q=zzz")
    assert b"No connection matches these filters." in response.content


def test_it_returns_only_the_results_to_htmx(login, developer, scene):
    response = login(developer).get(PROJECT_LIST + "?q=str", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert response.content.lstrip().startswith(b'<div id="connection-results"')
    assert b"Stripe" in response.content


def test_it_returns_the_whole_page_for_a_history_restore(login, developer, scene):
    response = login(developer).get(
        PROJECT_LIST + "?q=str",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in response.content
    assert b'value="str"' in response.content


def test_it_returns_the_whole_page_to_a_boosted_request(login, developer, scene):
    response = login(developer).get(
        PROJECT_LIST, headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert b"<html" in response.content


@pytest.mark.parametrize("persona", ["org_admin", "developer", "viewer"])
def test_every_member_can_read_the_list(request, login, persona, scene):
    response = login(request.getfixturevalue(persona)).get(STOREFRONT_LIST)
    assert response.status_code == 200


def test_an_outsider_gets_404(login, outsider, scene):
    client = login(outsider)
    assert client.get(PROJECT_LIST).status_code == 404
    assert client.get(STOREFRONT_LIST).status_code == 404


def test_a_component_of_another_project_is_404(login, developer, scene, organization):
    other = reverse(
        "connections:list",
        kwargs={"org": "acme", "project": "hr", "component": "storefront"},
    )
    assert login(developer).get(other).status_code == 404


def test_the_list_answers_405_to_a_post(login, developer, scene):
    assert login(developer).post(PROJECT_LIST).status_code == 405


@pytest.mark.parametrize("url", [PROJECT_LIST, STOREFRONT_LIST])
def test_the_list_costs_the_same_queries_at_5_and_at_5000_connections(
    login, developer, scene, url, django_assert_num_queries
):
    client = login(developer)
    client.get(url)
    # session, user, membership, scope, page count, page rows, the page's
    # statuses (environments, bindings, the services seen, their candidates
    # a subquery of it), and the Organization, Project and Component menus
    with django_assert_num_queries(12):
        client.get(url)
    factories.bulk_connections(scene["storefront"].project, scene["stripe"], 2500, "Bulk p")
    factories.bulk_connections(
        scene["storefront"].project, scene["stripe"], 2500, "Bulk c", scene["storefront"]
    )
    with django_assert_num_queries(12):
        response = client.get(url)
    assert response.context["page"].paginator.count > 2500


def test_the_fragment_skips_the_shell_queries(login, developer, scene, django_assert_num_queries):
    client = login(developer)
    client.get(PROJECT_LIST)
    # session, user, membership, scope, page count, page rows, the statuses
    with django_assert_num_queries(9):
        client.get(PROJECT_LIST + "?q=s", headers={"HX-Request": "true"})


def _row(content: str, name: str) -> str:
    return next(row for row in content.split("<tr>") if f">{name}</a>" in row)


def test_each_row_says_in_which_environments_it_works_and_why_not(login, developer, scene):
    scene["employees"].deployments.filter(environment__handle="production").delete()

    content = login(developer).get(STOREFRONT_LIST).content.decode()

    assert '<th scope="col">Status</th>' in content
    staff = _row(content, "Staff directory")
    assert 'title="Development: Ready"' in staff
    assert '<span class="visually-hidden">: Ready</span>' in staff
    assert "Production: Pending" in staff
    assert staff.count("The service is not deployed in Production.") == 2  # tooltip, reader
    stripe = _row(content, "Stripe")
    assert "Development: Pending" in stripe
    assert "No endpoint is mapped to Development." in stripe
    assert "Production: Pending" in stripe
