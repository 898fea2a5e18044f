"""The console's landing page and scope overviews, for every persona."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.models import Visibility
from tests import factories


@pytest.fixture
def published(component):
    return factories.make_internal_service(component, "payments", Visibility.ORGANIZATION)


def test_it_sends_anonymous_visitors_to_the_login_page(client, organization):
    for url in (reverse("console:home"), reverse("console:organization", args=["acme"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_takes_a_member_of_one_organization_straight_to_it(login, viewer):
    response = login(viewer).get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("console:organization", args=["acme"])


def test_it_lists_only_the_users_organizations(login, developer, other_organization):
    third = factories.make_organization("Initech", "initech")
    factories.add_member(developer, third, "viewer")

    response = login(developer).get(reverse("console:home"))

    assert response.status_code == 200
    assert b"Acme Corp" in response.content
    assert b"Initech" in response.content
    assert b"Globex" not in response.content


def test_it_tells_a_user_without_organization_what_to_do(login, db):
    response = login(factories.make_user("lonely")).get(reverse("console:home"))
    assert b"not a member of any organization" in response.content


@pytest.mark.parametrize("persona", ["org_admin", "developer", "viewer"])
def test_members_see_each_scope_overview(request, login, persona, component, published):
    client = login(request.getfixturevalue(persona))

    organization_page = client.get(reverse("console:organization", args=["acme"]))
    project_page = client.get(reverse("console:project", args=["acme", "payments"]))
    component_page = client.get(
        reverse("console:component", args=["acme", "payments", "checkout-api"])
    )

    assert organization_page.status_code == 200
    assert b"Payments" in organization_page.content
    assert b"Development" in organization_page.content
    assert project_page.status_code == 200
    assert b"Checkout API" in project_page.content
    assert component_page.status_code == 200
    assert b"Checkout API - Payments" in component_page.content
    assert b"http://checkout-api-production.internal:8080/payments" in component_page.content


def test_it_says_where_an_endpoint_is_not_deployed(login, developer, component):
    factories.make_internal_service(component, "reports", deployed=False)

    response = login(developer).get(
        reverse("console:component", args=["acme", "payments", "checkout-api"])
    )

    assert response.content.count(b"Not deployed") == 2


def test_an_outsider_gets_404_for_every_scope(login, outsider, component):
    client = login(outsider)
    for url in (
        reverse("console:organization", args=["acme"]),
        reverse("console:project", args=["acme", "payments"]),
        reverse("console:component", args=["acme", "payments", "checkout-api"]),
    ):
        assert client.get(url).status_code == 404


def test_unknown_handles_are_404(login, developer, component):
    client = login(developer)
    for url in (
        reverse("console:organization", args=["nope"]),
        reverse("console:project", args=["acme", "nope"]),
        reverse("console:component", args=["acme", "payments", "nope"]),
        reverse("console:component", args=["acme", "nope", "checkout-api"]),
    ):
        assert client.get(url).status_code == 404


def test_a_project_of_another_organization_is_404_under_this_one(
    login, developer, other_organization
):
    factories.make_project(other_organization, "Secret Plans", "secret-plans")
    response = login(developer).get(reverse("console:project", args=["acme", "secret-plans"]))
    assert response.status_code == 404


def test_overview_pages_answer_405_to_a_post(login, developer, organization):
    response = login(developer).post(reverse("console:organization", args=["acme"]))
    assert response.status_code == 405


def test_the_organization_page_costs_the_same_queries_with_many_projects(
    login, developer, organization, django_assert_num_queries
):
    client = login(developer)
    factories.make_project(organization, "One", "one")
    client.get(reverse("console:organization", args=["acme"]))  # warm the session
    # session, user, membership, page count, page, environments, and the
    # Organization and Project menus
    with django_assert_num_queries(8):
        client.get(reverse("console:organization", args=["acme"]))
    for n in range(60):
        factories.make_project(organization, f"Project {n}", f"project-{n}")
    with django_assert_num_queries(8):
        client.get(reverse("console:organization", args=["acme"]))


def test_it_pages_a_projects_components_with_the_one_pager(login, viewer, project):
    for number in range(26):
        factories.make_component(project, f"Worker {number:02}", f"worker-{number:02}")
    url = reverse("console:project", args=["acme", project.handle])
    client = login(viewer)

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert "Page 1 of 2 · 26 components" in first
    assert f'<a class="page-link" href="{url}?page=2">Next</a>' in first
    last = '/components/worker-25/">Worker 25</a></td>'
    assert last not in first
    assert last in second
    assert f'<a class="page-link" href="{url}">Previous</a>' in second  # page 1: no page=1
