"""Where a connection's status per environment is shown besides the list:
each environment's header on the connection page, and the Connections
section of the component page (connections/sections.py)."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.models import Connection
from connections.services import connection_create, credentials_rotate
from marketplace.models import Security
from marketplace.services import endpoint_update
from tests import factories

COMPONENT_PAGE = reverse("console:component", args=["acme", "payments", "checkout-api"])


@pytest.fixture
def scene(organization, project, component):
    """Checkout API uses an internal OAuth2 service of HR (not deployed in
    Production) and the project's third-party service (Sandbox in
    Development, Live in Production); a sibling has a connection of its own."""
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    employees = factories.make_internal_service(provider, "employees", security=Security.OAUTH2)
    employees.deployments.filter(environment__handle="production").delete()
    stripe = factories.make_third_party_service(organization, "Stripe API")
    factories.add_endpoint(stripe, "Sandbox", "https://sandbox.stripe.test", ["development"])
    factories.add_endpoint(stripe, "Live", "https://live.stripe.test", ["production"])
    sibling = factories.make_component(project, "Billing Job", "billing-job")
    return {
        "staff": connection_create(
            project=project, component=component, service=employees, name="Staff"
        ),
        "payments": connection_create(project=project, service=stripe, name="Payments"),
        "hidden": connection_create(
            project=project, component=sibling, service=stripe, name="Hidden"
        ),
        "stripe": stripe,
    }


def _detail(connection: Connection) -> str:
    return reverse(
        "connections:detail",
        kwargs={
            "org": "acme",
            "project": "payments",
            "component": "checkout-api",
            "connection_id": connection.public_id,
        },
    )


def _environment_header(page: str, handle: str) -> str:
    section = page.split(f'aria-labelledby="env-{handle}"', 1)[1]
    return section.split('<div class="card-body">', 1)[0]


def test_each_environment_of_the_connection_page_says_its_status_and_why(login, developer, scene):
    page = login(developer).get(_detail(scene["staff"])).content.decode()

    development = _environment_header(page, "development")
    assert ">Ready</span>" in development
    assert "status-problem" not in development
    production = _environment_header(page, "production")
    assert ">Pending</span>" in production
    assert "The service is not deployed in Production." in production
    assert page.count("The service is not deployed in Production.") == 1


def test_the_connection_page_shows_notices_in_the_environment_they_concern(login, developer, scene):
    staff = scene["staff"]
    credentials_rotate(
        connection=staff,
        binding=staff.bindings.select_related("environment").get(environment__handle="development"),
        grace="1h",
        actor=developer,
    )

    page = login(developer).get(_detail(staff)).content.decode()

    development = _environment_header(page, "development")
    assert ">Ready</span>" in development
    assert "Credentials were rotated: the replaced ones are still accepted until" in development
    assert "Credentials were rotated" not in _environment_header(page, "production")


@pytest.mark.parametrize(("persona", "offered"), [("developer", True), ("viewer", False)])
def test_a_writer_is_offered_to_map_another_endpoint_where_one_is_no_longer_allowed(
    request, login, organization, scene, persona, offered
):
    live = scene["stripe"].endpoints.get(name="Live")
    endpoint_update(
        endpoint=live,
        name="Live",
        url=live.url,
        environments=organization.environments.filter(handle="development"),
    )

    page = login(request.getfixturevalue(persona)).get(_detail(scene["payments"])).content
    production = _environment_header(page.decode(), "production")

    assert "The endpoint Live is no longer allowed in Production: map another one." in production
    assert ("Choose an endpoint" in production) is offered
    assert "Choose an endpoint" not in _environment_header(page.decode(), "development")


def _connections_section(page: str) -> str:
    return page.split('id="component-connections"', 1)[1].split("</section>", 1)[0]


def test_the_component_page_lists_its_connections_with_their_status_per_environment(
    login, viewer, scene
):
    page = login(viewer).get(COMPONENT_PAGE).content.decode()
    section = _connections_section(page)

    assert page.index('id="component-connections"') < page.index("Runtime tokens")
    assert '<th scope="col">Development</th><th scope="col">Production</th>' in section
    rows = section.split("<tr>")[2:]
    assert [row.split('class="fw-semibold">')[1].split("<")[0] for row in rows] == [
        "Payments",
        "Staff",
    ]
    assert "Hidden" not in section  # the sibling's own
    payments, staff = rows
    assert payments.count(">Ready</span>") == 2
    assert staff.count(">Ready</span>") == 1
    assert staff.count(">Pending</span>") == 1
    assert "The service is not deployed in Production." in staff


def test_the_component_section_says_when_there_is_none(login, developer, component):
    section = _connections_section(login(developer).get(COMPONENT_PAGE).content.decode())

    assert "Checkout API uses no connections yet." in section
    assert "Create one" in section


def test_the_component_section_costs_the_same_queries_with_many_connections(
    login, developer, project, component, scene
):
    client = login(developer)
    client.get(COMPONENT_PAGE)

    def count() -> int:
        with CaptureQueriesContext(db_connection) as captured:
            assert client.get(COMPONENT_PAGE).status_code == 200
        return len(captured.captured_queries)

    few = count()
    factories.bulk_connections(project, scene["stripe"], 40, "Bulk p")
    factories.bulk_connections(project, scene["stripe"], 40, "Bulk c", component)
    many = count()

    assert few == many
    section = _connections_section(client.get(COMPONENT_PAGE).content.decode())
    assert section.count('class="fw-semibold"') == 20
    assert "The first 20 by name." in section
