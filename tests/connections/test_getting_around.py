"""Getting around from the connections' pages (#17, item 14): the service's
name on a connection page leads to its page; the project's list can show
its components' connections too, with a Component column."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from connections.services import connection_create
from marketplace.models import Service, Visibility
from tests import factories

PROJECT_LIST = reverse("connections:list", kwargs={"org": "acme", "project": "payments"})


@pytest.fixture
def scene(organization, project, developer):
    storefront = factories.make_component(project, "Storefront", "storefront")
    checkout = factories.make_component(project, "Checkout API", "checkout-api")
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    employees = factories.make_internal_service(provider, "employees", Visibility.ORGANIZATION)
    own = factories.make_internal_service(checkout, "orders", Visibility.PROJECT)
    stripe = factories.make_third_party_service(organization, "Stripe API")

    def create(name, service, component=None):
        return connection_create(
            project=project, component=component, service=service, name=name, created_by=developer
        )

    return {
        "storefront": storefront,
        "checkout": checkout,
        "employees": employees,
        "own": own,
        "project_stripe": create("Stripe", stripe),
        "staff": create("Staff directory", employees, storefront),
        "orders": create("Orders", own),
    }


def _detail_url(connection, component: str | None = None) -> str:
    kwargs = {"org": "acme", "project": "payments", "connection_id": connection.public_id}
    if component:
        kwargs["component"] = component
    return reverse("connections:detail", kwargs=kwargs)


def _service_link(content: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" id="connection-service">', content)
    return found.group(1) if found else None


def test_the_service_s_name_leads_to_its_page(login, viewer, scene):
    content = login(viewer).get(_detail_url(scene["staff"], "storefront")).content.decode()

    expected = reverse(
        "marketplace:service",
        kwargs={
            "org": "acme",
            "project": "payments",
            "component": "storefront",
            "service_id": scene["employees"].pk,
        },
    )
    assert _service_link(content) == expected
    assert login(viewer).get(expected).status_code == 200


def test_a_component_s_own_service_is_reached_at_its_project(login, viewer, scene):
    """Checkout's marketplace leaves its own services out: the link goes to
    the project's page of the service, which is there."""
    content = login(viewer).get(_detail_url(scene["orders"], "checkout-api")).content.decode()

    link = _service_link(content)
    assert link == reverse(
        "marketplace:service",
        kwargs={"org": "acme", "project": "payments", "service_id": scene["own"].pk},
    )
    assert login(viewer).get(link).status_code == 200


def test_a_service_no_longer_in_sight_is_named_without_a_link(login, viewer, scene):
    Service.objects.filter(pk=scene["employees"].pk).update(visibility=Visibility.PROJECT)
    content = login(viewer).get(_detail_url(scene["staff"], "storefront")).content.decode()
    assert _service_link(content) is None
    assert "Employee" in content


def _names(response) -> list[str]:
    return [connection.name for connection in response.context["page"].object_list]


def test_the_project_list_holds_the_project_s_own_by_default(login, developer, scene):
    response = login(developer).get(PROJECT_LIST)
    assert _names(response) == ["Orders", "Stripe"]
    assert '<th scope="col">Component</th>' not in response.content.decode()


def test_it_shows_the_components_connections_when_asked(login, developer, scene):
    response = login(developer).get(f"{PROJECT_LIST}?components=1")

    assert _names(response) == ["Orders", "Staff directory", "Stripe"]
    content = response.content.decode()
    assert '<th scope="col">Component</th>' in content
    storefront_list = reverse(
        "connections:list", kwargs={"org": "acme", "project": "payments", "component": "storefront"}
    )
    assert f'<a href="{storefront_list}">Storefront</a>' in content
    # A component's connection opens at its component's level, where it is.
    staff_url = _detail_url(scene["staff"], "storefront")
    assert f'href="{staff_url}"' in content
    assert login(developer).get(staff_url).status_code == 200
    assert 'name="components" value="1" id="id_components" checked' in content


def test_the_other_filters_apply_to_the_components_connections_too(login, developer, scene):
    response = login(developer).get(f"{PROJECT_LIST}?components=1&q=staff")
    assert _names(response) == ["Staff directory"]


def test_a_component_list_has_no_such_toggle(login, developer, scene):
    storefront_list = reverse(
        "connections:list", kwargs={"org": "acme", "project": "payments", "component": "storefront"}
    )
    response = login(developer).get(f"{storefront_list}?components=1", follow=True)
    assert response.redirect_chain == [(storefront_list, 302)]  # the page reads no such thing
    assert _names(response) == ["Orders", "Staff directory", "Stripe"]
    assert 'name="components"' not in response.content.decode()


def test_the_statuses_of_every_scope_cost_the_same_queries(
    login, developer, scene, project, django_assert_max_num_queries
):
    client = login(developer)
    client.get(f"{PROJECT_LIST}?components=1")
    with django_assert_max_num_queries(20) as before:
        client.get(f"{PROJECT_LIST}?components=1")
    for n in range(8):
        component = factories.make_component(project, f"Worker {n}", f"worker-{n}")
        connection_create(
            project=project,
            component=component,
            service=scene["employees"],
            name=f"Staff {n}",
            created_by=developer,
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(f"{PROJECT_LIST}?components=1")
    assert len(_names(response)) == 11
