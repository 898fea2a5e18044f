"""Publishing a component's endpoints from its overview page: add, edit and
remove, by Admins and Developers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.models import Service
from tests import factories

COMPONENT_PAGE = "/orgs/acme/projects/payments/components/checkout-api/"


@pytest.fixture
def orders(component):
    return factories.make_internal_service(component, "orders", version="1.2.0")


def url(name: str, component: str = "checkout-api", **kwargs) -> str:
    return reverse(
        f"marketplace:{name}",
        kwargs={"org": "acme", "project": "payments", "component": component, **kwargs},
    )


def publish_data(**overrides) -> dict:
    data = {
        "endpoint_name": "Refunds",
        "handle": "",
        "service_type": "rest",
        "visibility": "organization",
        "version": "1.0.0",
        "security": "oauth2",
        "summary": "Refund a payment.",
        "overview": "",
        "labels": "payments",
        "url_development": "http://checkout-api.dev.internal:8080/refunds",
        "url_production": "",
    }
    data.update(overrides)
    return data


def every_route(service: Service) -> list[tuple[str, dict, str]]:
    one = {"service_id": service.pk}
    return [
        ("component-endpoint-add", {}, "get"),
        ("component-endpoint-add", {}, "post"),
        ("component-endpoint-edit", one, "get"),
        ("component-endpoint-edit", one, "post"),
        ("component-endpoint-remove", one, "get"),
        ("component-endpoint-remove", one, "post"),
        ("component-endpoint-listing", one, "get"),
        ("component-endpoint-listing", one, "post"),
    ]


@pytest.mark.parametrize("persona", ["org_admin", "developer"])
def test_it_serves_every_page_to_admins_and_developers(request, login, persona, orders):
    client = login(request.getfixturevalue(persona))
    for name, kwargs, method in every_route(orders):
        if method == "get":
            assert client.get(url(name, **kwargs)).status_code == 200, name


def test_it_refuses_every_write_to_a_viewer(login, viewer, orders):
    client = login(viewer)
    for name, kwargs, method in every_route(orders):
        response = getattr(client, method)(url(name, **kwargs))
        assert response.status_code == 403, (name, method)
    assert Service.objects.filter(pk=orders.pk, listed=True).exists()


def test_it_hides_every_route_from_an_outsider(login, outsider, orders):
    client = login(outsider)
    for name, kwargs, method in every_route(orders):
        assert getattr(client, method)(url(name, **kwargs)).status_code == 404, (name, method)


def test_it_answers_a_wrong_method_with_405(login, developer, orders):
    client = login(developer)
    assert client.put(url("component-endpoint-listing", service_id=orders.pk)).status_code == 405
    assert client.delete(url("component-endpoint-remove", service_id=orders.pk)).status_code == 405


def test_it_answers_404_for_an_endpoint_of_another_component_or_a_third_party_service(
    login, developer, organization, project, orders
):
    storefront = factories.make_component(project, "Storefront", "storefront")
    other_component = factories.make_internal_service(storefront, "web")
    third_party = factories.make_third_party_service(organization, "Stripe API")
    globex = factories.make_organization("Globex Two", "globex-two")
    foreign = factories.make_internal_service(
        factories.make_component(factories.make_project(globex, "Ops"), "Pager")
    )
    client = login(developer)
    for service in (other_component, third_party, foreign):
        for name, kwargs, method in every_route(service):
            if "service_id" in kwargs:
                response = getattr(client, method)(url(name, **kwargs))
                assert response.status_code == 404, (service, name, method)
    assert Service.objects.filter(pk=other_component.pk, listed=True).exists()


def test_the_component_page_offers_the_actions_to_writers_only(
    login, org_admin, developer, viewer, orders
):
    for persona in (org_admin, developer):
        html = login(persona).get(COMPONENT_PAGE).content.decode()
        assert "+ Add endpoint" in html
        assert url("component-endpoint-edit", service_id=orders.pk) in html
        assert url("component-endpoint-remove", service_id=orders.pk) in html
    html = login(viewer).get(COMPONENT_PAGE).content.decode()
    assert "+ Add endpoint" not in html
    # Viewers still get the Verify callers link (oauth/sections.py), which
    # also lives under endpoints/: none of the writing routes.
    for name, kwargs, _ in every_route(orders):
        assert url(name, **kwargs) not in html


def test_it_publishes_an_endpoint_as_a_marketplace_service(login, developer, component):
    response = login(developer).post(url("component-endpoint-add"), publish_data())

    service = Service.objects.get(provider_component=component)
    assert response.status_code == 302
    assert response["Location"] == COMPONENT_PAGE
    assert service.name == "Checkout API - Refunds"
    assert (service.endpoint_handle, service.major, service.visibility) == (
        "refunds",
        1,
        "organization",
    )
    assert service.security == "oauth2"
    urls = {d.environment.handle: d.url for d in service.deployments.all()}
    assert urls == {"development": "http://checkout-api.dev.internal:8080/refunds"}

    page = login(developer).get(COMPONENT_PAGE).content.decode()
    assert "Checkout API - Refunds" in page
    assert "Not deployed" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"version": "1.0"}, "version", "Enter a semantic version such as 1.0.0"),
        ({"url_production": "ftp://files.internal"}, "url_production", "Only http:// and https://"),
        (
            {"url_development": "javascript:alert(1)"},
            "url_development",
            "Only http:// and https://",
        ),
        ({"handle": "Not a slug!"}, "handle", "Enter a valid “slug”"),
        ({"endpoint_name": "🚀🚀", "handle": ""}, "handle", "Enter a handle"),
        ({"endpoint_name": "x" * 101}, "endpoint_name", "at most 100 characters"),
        ({"visibility": "everyone"}, "visibility", "Select a valid choice"),
    ],
)
def test_it_explains_a_bad_endpoint_next_to_the_field_and_keeps_what_was_typed(
    login, developer, component, overrides, field, message
):
    response = login(developer).post(url("component-endpoint-add"), publish_data(**overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert f"error_1_id_{field}" in html
    assert 'value="Refund a payment."' in html
    assert not Service.objects.filter(provider_component=component).exists()


def test_it_keeps_the_marketplace_name_within_its_length(login, developer, project):
    factories.make_component(project, "C" * 90, "long")
    response = login(developer).post(
        url("component-endpoint-add", component="long"), publish_data(endpoint_name="x" * 40)
    )
    assert "may be at most 120 characters" in response.context["form"].errors["endpoint_name"][0]


def test_it_refuses_to_publish_the_same_handle_and_major_twice(login, developer, orders):
    response = login(developer).post(
        url("component-endpoint-add"), publish_data(endpoint_name="Orders", version="1.9.0")
    )
    assert "already publishes “orders” v1" in response.context["form"].errors["handle"][0]
    orders.refresh_from_db()
    assert orders.version == "1.2.0"


def test_it_publishes_a_new_major_of_an_existing_handle_as_a_new_card(login, developer, orders):
    login(developer).post(
        url("component-endpoint-add"), publish_data(endpoint_name="Orders", version="2.0.0")
    )
    assert sorted(
        Service.objects.filter(endpoint_handle="orders").values_list("major", flat=True)
    ) == [1, 2]


def test_it_edits_an_endpoint_within_its_major(login, developer, orders):
    data = publish_data(
        endpoint_name="Orders v1",
        version="1.3.0",
        visibility="project",
        url_production="https://orders.acme.example",
        url_development="",
    )
    edit = url("component-endpoint-edit", service_id=orders.pk)
    form_page = login(developer).get(edit).content.decode()
    assert 'value="Orders"' in form_page  # the name without the component's prefix

    response = login(developer).post(edit, data)

    orders.refresh_from_db()
    assert response.status_code == 302
    assert (orders.name, orders.version, orders.visibility) == (
        "Checkout API - Orders v1",
        "1.3.0",
        "project",
    )
    assert orders.endpoint_handle == "orders"  # fixed once published
    assert {d.environment.handle: d.url for d in orders.deployments.all()} == {
        "production": "https://orders.acme.example"
    }


def test_it_keeps_the_handle_of_a_published_endpoint(login, developer, orders):
    edit = url("component-endpoint-edit", service_id=orders.pk)
    login(developer).post(
        edit, publish_data(endpoint_name="Orders", handle="renamed", version="1.2.1")
    )
    orders.refresh_from_db()
    assert orders.endpoint_handle == "orders"


def test_it_publishes_a_new_major_from_the_edit_page_as_a_new_card(login, developer, orders):
    edit = url("component-endpoint-edit", service_id=orders.pk)
    response = login(developer).post(edit, publish_data(endpoint_name="Orders", version="2.0.0"))

    assert response.status_code == 302
    orders.refresh_from_db()
    assert orders.version == "1.2.0"  # v1 stays for its connections
    assert Service.objects.get(endpoint_handle="orders", major=2).version == "2.0.0"


def test_it_refuses_to_move_an_edit_onto_another_published_major(
    login, developer, component, orders
):
    factories.make_internal_service(component, "orders", version="2.0.0")
    edit = url("component-endpoint-edit", service_id=orders.pk)
    response = login(developer).post(edit, publish_data(endpoint_name="Orders", version="2.5.0"))
    assert "already publishes “orders” v2" in response.context["form"].errors["version"][0]


def test_it_refuses_to_remove_an_endpoint_that_connections_use_and_names_them(
    login, developer, project, orders
):
    factories.bulk_connections(project, orders, 1, "Orders feed")
    remove = url("component-endpoint-remove", service_id=orders.pk)
    client = login(developer)

    for response in (client.get(remove), client.post(remove)):
        html = response.content.decode()
        assert "cannot be removed" in html
        assert "Orders feed 0000" in html
        assert "Remove from Marketplace" in html
    assert Service.objects.filter(pk=orders.pk).exists()


def test_it_confirms_then_removes_an_unused_endpoint(login, developer, orders):
    remove = url("component-endpoint-remove", service_id=orders.pk)
    client = login(developer)
    assert "Remove Checkout API - Orders v1?" in client.get(remove).content.decode()

    response = client.post(remove)

    assert response["Location"] == COMPONENT_PAGE
    assert not Service.objects.filter(pk=orders.pk).exists()


def test_it_removes_an_endpoint_from_the_marketplace_and_adds_it_back(
    login, developer, project, orders
):
    listing = url("component-endpoint-listing", service_id=orders.pk)
    client = login(developer)

    client.post(listing, {"listed": "0", "confirmed": "1"})
    assert orders not in Service.objects.visible_from(project)
    assert "Add back to Marketplace" in client.get(COMPONENT_PAGE).content.decode()

    client.post(listing, {"listed": "1"})
    assert orders in Service.objects.visible_from(project)


def test_it_answers_an_empty_post_without_error(login, developer, orders):
    client = login(developer)
    for name, kwargs, method in every_route(orders):
        if method == "post" and name != "component-endpoint-remove":
            assert client.post(url(name, **kwargs)).status_code in (200, 400), name
    orders.refresh_from_db()
    assert (orders.version, orders.listed) == ("1.2.0", True)
