"""The Organization, Project and Component menus of the top bar."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.models import Project
from tests import factories

PROJECT_MENU = reverse("console:project-menu", args=["acme"])
COMPONENT_MENU = reverse("console:component-menu", args=["acme", "payments"])
ORGANIZATION_MENU = reverse("console:organization-menu")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def components(project):
    return [
        factories.make_component(project, "Storefront", "storefront"),
        factories.make_component(project, "Ledger Worker", "ledger-worker"),
    ]


def test_the_top_bar_shows_the_scope_and_its_menus(login, developer, components):
    response = login(developer).get(
        reverse("connections:list", args=["acme", "payments", "storefront"])
    )
    content = response.content.decode()

    assert 'id="organization-menu"' in content
    assert 'id="project-menu"' in content
    assert 'id="component-menu"' in content
    assert 'aria-label="Component: Storefront"' in content
    # Entries keep the section: another component's Connections.
    assert 'href="/orgs/acme/projects/payments/components/ledger-worker/connections/"' in content
    # Clearing the component goes back to the project level, same section.
    assert 'href="/orgs/acme/projects/payments/connections/"' in content


def test_it_searches_projects_on_the_server(login, developer, organization, project):
    factories.make_project(organization, "Human Resources", "hr")

    response = login(developer).get(
        PROJECT_MENU, {"q": "human", "section": "connections"}, headers=HTMX
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Human Resources" in response.content
    assert b"Payments" not in response.content
    assert b'href="/orgs/acme/projects/hr/connections/"' in response.content


def test_it_falls_back_to_the_overview_for_an_unknown_section(login, developer, project):
    response = login(developer).get(PROJECT_MENU, {"section": "../../admin"}, headers=HTMX)
    assert b'href="/orgs/acme/projects/payments/"' in response.content


def test_it_marks_the_current_entry(login, developer, project, components):
    response = login(developer).get(
        COMPONENT_MENU, {"current": "storefront", "section": "overview"}, headers=HTMX
    )
    content = response.content.decode()
    assert (
        'class="menu-entry current" href="/orgs/acme/projects/payments/components/storefront/"'
        in content
    )
    assert content.count('class="menu-entry current"') == 1
    assert '<span class="menu-hint">Service</span>' in content


def test_it_says_when_nothing_matches(login, developer, project):
    response = login(developer).get(PROJECT_MENU, {"q": "zzz"}, headers=HTMX)
    assert "Nothing matches “zzz”.".encode() in response.content


def test_without_javascript_the_search_is_a_whole_page(login, developer, organization, project):
    response = login(developer).get(PROJECT_MENU, {"q": "pay"})
    assert b"<html" in response.content
    assert b"Choose a project" in response.content
    assert b'value="pay"' in response.content


def test_without_javascript_an_empty_search_leaves_the_address(login, developer, project):
    """The menu page's search form writes every field; an empty one is not
    kept in the address (#17, item 3), nor is a repeated one."""
    client = login(developer)
    response = client.get(f"{PROJECT_MENU}?section=connections&current=&q=")
    assert response.status_code == 302
    assert response["Location"] == f"{PROJECT_MENU}?section=connections"
    response = client.get(f"{ORGANIZATION_MENU}?q=acme&q=acme&current=")
    assert response["Location"] == f"{ORGANIZATION_MENU}?q=acme"
    assert client.get(f"{PROJECT_MENU}?section=connections&q=pay").status_code == 200
    # The dropdown's own requests are answered, whatever they carry.
    assert client.get(f"{PROJECT_MENU}?q=&current=", headers=HTMX).status_code == 200


def test_the_organization_menu_lists_only_the_users_organizations(
    login, developer, other_organization
):
    response = login(developer).get(ORGANIZATION_MENU, headers=HTMX)
    assert b"Acme Corp" in response.content
    assert b"Globex" not in response.content


def test_an_outsider_cannot_search_another_organizations_projects(login, outsider, project):
    client = login(outsider)
    assert client.get(PROJECT_MENU, headers=HTMX).status_code == 404
    assert client.get(COMPONENT_MENU, headers=HTMX).status_code == 404


@pytest.mark.parametrize("q", ["x" * 10_000, "%", "_", "' OR 1=1 --", "<b>", "\u0000", "名前"])
def test_odd_searches_never_fail(login, developer, project, q):
    response = login(developer).get(PROJECT_MENU, {"q": q}, headers=HTMX)
    assert response.status_code == 200
    assert b"<b>" not in response.content


def _many_projects(organization, count: int) -> None:
    Project.objects.bulk_create(
        Project(organization=organization, name=f"Project {n:05d}", handle=f"project-{n:05d}")
        for n in range(count)
    )


def test_a_menu_shows_the_first_few_dozen_of_thousands(login, developer, organization):
    _many_projects(organization, 5000)

    response = login(developer).get(PROJECT_MENU, headers=HTMX)

    assert response.content.count(b'class="menu-entry') == 30
    assert b"Type to find the others." in response.content
    found = login(developer).get(PROJECT_MENU, {"q": "04999"}, headers=HTMX)
    assert b"Project 04999" in found.content


def test_the_project_menu_costs_the_same_queries_at_5_and_5000_projects(
    login, developer, organization, django_assert_num_queries
):
    client = login(developer)
    _many_projects(organization, 5)
    client.get(PROJECT_MENU, headers=HTMX)
    # session, user, membership, first page of projects
    with django_assert_num_queries(4):
        client.get(PROJECT_MENU, {"q": "project"}, headers=HTMX)
    Project.objects.bulk_create(
        Project(organization=organization, name=f"More {n:05d}", handle=f"more-{n:05d}")
        for n in range(4995)
    )
    with django_assert_num_queries(4):
        client.get(PROJECT_MENU, {"q": "project"}, headers=HTMX)
