"""Components from the console: Admins and Developers create, edit and
delete them; a component whose published services have consumers is not
deleted, and the page names the consumers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from connections.models import Connection, ConnectionBinding
from connections.services import connection_create
from console.models import Component, ComponentType
from console.services import projects as services
from delivery.models import RuntimeToken
from delivery.services import runtime_token_create
from marketplace.models import Service
from tests import factories

NEW = reverse("console:component-create", kwargs={"org": "acme", "project": "payments"})
SCOPE = {"org": "acme", "project": "payments", "component": "checkout-api"}
EDIT = reverse("console:component-edit", kwargs=SCOPE)
DELETE = reverse("console:component-delete", kwargs=SCOPE)


def _errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


@pytest.fixture
def consumer_project(organization):
    return factories.make_project(organization, "Storefront", "storefront")


# --- Create ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["org_admin", "developer"])
def test_writers_create_a_component(request, login, persona, project):
    client = login(request.getfixturevalue(persona))
    assert NEW.encode() in client.get(reverse("console:project", args=["acme", "payments"])).content

    response = client.post(
        NEW, {"name": "Fraud Scorer", "handle": "", "type": "scheduled-task", "description": "ML."}
    )

    component = Component.objects.get(project=project, name="Fraud Scorer")
    assert (component.handle, component.type, component.description) == (
        "fraud-scorer",
        ComponentType.SCHEDULED_TASK,
        "ML.",
    )
    assert response["Location"] == reverse(
        "console:component", args=["acme", "payments", "fraud-scorer"]
    )


def test_viewers_neither_see_nor_make_component_writes(login, viewer, component):
    client = login(viewer)
    project_page = client.get(reverse("console:project", args=["acme", "payments"]))

    assert NEW.encode() not in project_page.content
    assert EDIT.encode() not in client.get(reverse("console:component", kwargs=SCOPE)).content
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"name": "X", "type": "service"}).status_code == 403
    assert client.post(EDIT, {"name": "X", "type": "service"}).status_code == 403
    assert client.post(DELETE).status_code == 403
    assert list(Component.objects.values_list("name", flat=True)) == ["Checkout API"]


def test_other_organizations_get_a_404(login, outsider, component):
    client = login(outsider)

    for url in (NEW, EDIT, DELETE):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Mine", "type": "service"}).status_code == 404
    assert Component.objects.filter(pk=component.pk).exists()


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"name": "Fraud", "handle": "", "type": "robot"}, "type", "Select a valid choice"),
        ({"name": "Fraud", "handle": "components", "type": "service"}, "handle", "reserved"),
        (
            {"name": "Fraud", "handle": "CHECKOUT-API", "type": "service"},
            "handle",
            "“Checkout API” already has the handle “checkout-api”",
        ),
        (
            {"name": "checkout api", "handle": "", "type": "service"},
            "name",
            "“Checkout API” already has this name",
        ),
        ({"name": "Bad\x07Bell", "handle": "", "type": "service"}, "name", "U+0007"),
    ],
)
def test_it_refuses_bad_input_beside_its_field(login, developer, component, data, field, says):
    response = login(developer).post(NEW, data)

    assert response.status_code == 200
    assert any(says in error for error in _errors(response, field)), _errors(response, field)
    assert Component.objects.count() == 1


def test_a_handle_is_unique_in_its_project_only(login, developer, component, organization):
    other = factories.make_project(organization, "Storefront", "storefront")
    url = reverse("console:component-create", args=["acme", "storefront"])

    response = login(developer).post(url, {"name": "Checkout API", "type": "service"})

    assert response.status_code == 302
    assert Component.objects.get(project=other).handle == "checkout-api"


def test_the_service_checks_the_type_and_siblings(project, component):
    with pytest.raises(ValidationError) as refused:
        services.component_create(project=project, name="CHECKOUT api", type="service")
    assert "name" in refused.value.message_dict

    with pytest.raises(ValidationError) as refused:
        services.component_create(project=project, name="Other", type="robot")
    assert "type" in refused.value.message_dict


# --- Edit -----------------------------------------------------------------


def test_it_edits_name_type_and_description_and_keeps_the_handle(login, developer, component):
    page = login(developer).get(EDIT).content.decode()
    assert "Fixed when the component was created" in page

    response = login(developer).post(
        EDIT,
        {"name": "Checkout", "handle": "moved", "type": "web-application", "description": "UI."},
    )

    component.refresh_from_db()
    assert response.status_code == 302
    assert (component.name, component.handle, component.type, component.description) == (
        "Checkout",
        "checkout-api",
        ComponentType.WEB_APPLICATION,
        "UI.",
    )


def test_it_refuses_a_siblings_name_on_edit(login, developer, project, component):
    factories.make_component(project, "Ledger", "ledger")

    response = login(developer).post(EDIT, {"name": "LEDGER", "type": "service"})

    assert "“Ledger” already has this name" in _errors(response, "name")[0]
    component.refresh_from_db()
    assert component.name == "Checkout API"


def test_a_component_that_publishes_services_does_not_become_a_task(login, developer, component):
    factories.make_internal_service(component, "Checkout")

    response = login(developer).post(
        EDIT,
        {"name": "Checkout API", "type": ComponentType.SCHEDULED_TASK, "description": "Nightly"},
    )

    assert response.status_code == 200
    assert _errors(response, "type") == [
        "A Scheduled Task serves no requests, and Checkout API publishes Checkout API - "
        "Checkout v1 in the "
        "marketplace. Keep a type that serves requests."
    ]
    component.refresh_from_db()
    assert (component.type, component.description) == (ComponentType.SERVICE, "")
    # Nothing published: a task it may become.
    Service.objects.filter(provider_component=component).delete()
    response = login(developer).post(
        EDIT, {"name": "Checkout API", "type": ComponentType.MANUAL_TASK, "description": ""}
    )
    assert response.status_code == 302
    component.refresh_from_db()
    assert component.type == ComponentType.MANUAL_TASK


# --- Delete ---------------------------------------------------------------


def test_it_refuses_to_delete_a_component_whose_services_are_consumed(
    login, developer, component, consumer_project
):
    published = factories.make_internal_service(component, "payments")
    storefront = factories.make_component(consumer_project, "Web Shop", "web-shop")
    connection_create(project=consumer_project, component=storefront, service=published, name="Pay")
    connection_create(project=consumer_project, service=published, name="Pay Project")
    client = login(developer)

    page = client.get(DELETE).content.decode()
    response = client.post(DELETE)

    assert "cannot be deleted" in page
    # Listed as every change that reaches consumers lists them, with no count to type.
    assert "2 connections</strong> would be affected by this change" in page
    assert (
        "(deleting the component Checkout API, which publishes Checkout API - Payments v1)" in page
    )
    assert "component connection of Web Shop, Storefront)</span>: every environment" in page
    assert "project connection of Storefront)</span>: every environment" in page
    assert "confirm_affected" not in page
    assert response.status_code == 409
    assert Component.objects.filter(pk=component.pk).exists()
    assert Service.objects.filter(pk=published.pk).exists()


def test_it_deletes_a_component_with_what_goes_with_it(login, developer, organization, component):
    published = factories.make_internal_service(component, "payments")
    stripe = factories.make_third_party_service(organization, "Stripe API")
    own = connection_create(
        project=component.project, component=component, service=stripe, name="Stripe"
    )
    runtime_token_create(
        project=component.project,
        component=component,
        environment=organization.environments.first(),
        name="CI deploy",
        expires_at=None,
        actor=None,
    )
    client = login(developer)

    page = client.get(DELETE).content.decode()
    response = client.post(DELETE)

    assert "Delete the component “Checkout API”?" in page
    assert "Checkout API - Payments v1" in page  # leaves the marketplace with it
    assert "Its own 1 connection is deleted with it" in page
    assert "Its 1 working runtime token is deleted with it" in page
    assert response.status_code == 302
    assert response["Location"] == reverse("console:project", args=["acme", "payments"])
    assert not Component.objects.filter(pk=component.pk).exists()
    assert not Service.objects.filter(pk=published.pk).exists()
    assert not Connection.objects.filter(pk=own.pk).exists()
    assert not ConnectionBinding.objects.filter(connection_id=own.pk).exists()
    assert not RuntimeToken.objects.filter(component_id=component.pk).exists()
    # The third-party service it used is not its own: it stays.
    assert Service.objects.filter(pk=stripe.pk).exists()


def test_the_service_refuses_while_consumers_exist(component, consumer_project):
    published = factories.make_internal_service(component, "payments")
    connection_create(project=consumer_project, service=published, name="Pay")

    with pytest.raises(ValidationError) as refused:
        services.component_delete(component=component)

    assert refused.value.code == "in_use"
    assert Component.objects.filter(pk=component.pk).exists()
