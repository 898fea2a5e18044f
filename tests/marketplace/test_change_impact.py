"""The impact of a provider's change on the pages that make it: the affected
connections listed, the change refused without the typed count (nothing
changed, the input kept), applied with it, recorded on every affected
connection, whose status then says why it is pending."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connections.models import Connection
from connections.resolution import resolve
from connections.services import connection_create
from connections.status import connection_status
from console.models import Action, ActivityEvent
from marketplace.changes import CONFIRMATION_FIELD
from marketplace.models import Service, Visibility
from tests import factories
from tests.marketplace.test_publishing import publish_data
from tests.marketplace.test_publishing import url as publishing_url
from tests.marketplace.third_party.support import endpoint_data
from tests.marketplace.third_party.support import url as third_party_url


def _provider_changed() -> list[str]:
    return sorted(
        ActivityEvent.objects.filter(action=Action.PROVIDER_CHANGED).values_list(
            "object_name", flat=True
        )
    )


def _reasons(name: str) -> list[str]:
    connection = Connection.objects.select_related("service").get(name=name)
    return [status.reason for status in connection_status(connection).environments]


@pytest.fixture
def orders(organization, project, component):
    """Checkout API (Payments) publishes Orders; Billing uses it from a
    project and a component connection, Payments from one of its own."""
    service = factories.make_internal_service(component, "orders", version="1.2.0")
    billing = factories.make_project(organization, "Billing", "billing")
    invoicer = factories.make_component(billing, "Invoicer", "invoicer")
    connection_create(project=billing, service=service, name="Billing orders")
    connection_create(project=billing, component=invoicer, service=service, name="Invoice feed")
    connection_create(project=project, service=service, name="Own orders")
    return service


def _edit(orders: Service) -> str:
    return publishing_url("component-endpoint-edit", service_id=orders.pk)


def _edit_data(**overrides) -> dict:
    return publish_data(
        **{
            "endpoint_name": "Orders",
            "version": "1.2.0",
            "url_development": "http://orders.dev.internal",
            "url_production": "http://orders.prod.internal",
            **overrides,
        }
    )


def test_it_lists_the_consumers_a_narrowing_hides_from_and_changes_nothing(
    login, developer, orders
):
    response = login(developer).post(_edit(orders), _edit_data(visibility="project"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 connections</strong> are affected" in html
    assert "Billing orders" in html and "Invoice feed" in html
    assert "Own orders" not in html  # its project still sees a Project service
    assert f'name="{CONFIRMATION_FIELD}"' in html
    assert "Type 2, the number of affected connections" in html
    orders.refresh_from_db()
    assert orders.visibility == Visibility.ORGANIZATION
    assert _provider_changed() == []


def test_it_keeps_a_wrong_count_beside_the_field_and_changes_nothing(login, developer, orders):
    response = login(developer).post(
        _edit(orders), _edit_data(visibility="project", **{CONFIRMATION_FIELD: "3"})
    )

    html = response.content.decode()
    assert response.context["impact_check"].typed == "3"
    assert f'id="id_{CONFIRMATION_FIELD}" value="3"' in html
    assert "2 connections are affected, not 3: type 2 to confirm the change." in html
    assert Service.objects.get(pk=orders.pk).visibility == Visibility.ORGANIZATION


def test_it_narrows_with_the_count_and_tells_each_consumer(login, developer, orders):
    response = login(developer).post(
        _edit(orders), _edit_data(visibility="project", **{CONFIRMATION_FIELD: "2"})
    )

    assert response.status_code == 302
    assert Service.objects.get(pk=orders.pk).visibility == Visibility.PROJECT
    assert _provider_changed() == ["Billing orders", "Invoice feed"]
    event = ActivityEvent.objects.filter(action=Action.PROVIDER_CHANGED).first()
    assert event.actor == developer
    assert event.detail == {
        "change": "narrowed its network visibility from Organization to Project",
        "service": "Checkout API - Orders v1",
        "environments": [],
    }
    assert "narrowed its network visibility to Project" in _reasons("Invoice feed")[0]
    assert _reasons("Own orders") == ["", ""]


def test_it_asks_for_the_count_of_an_undeploy_and_then_makes_it(login, developer, orders):
    client = login(developer)
    data = _edit_data(url_production="")

    refused = client.post(_edit(orders), data)
    assert "3 connections</strong> are affected" in refused.content.decode()
    assert orders.deployments.count() == 2

    response = client.post(_edit(orders), {**data, CONFIRMATION_FIELD: "3"})

    assert response.status_code == 302
    assert [d.environment.handle for d in orders.deployments.all()] == ["development"]
    assert _provider_changed() == ["Billing orders", "Invoice feed", "Own orders"]
    assert _reasons("Own orders") == ["", "The service is not deployed in Production."]


def test_a_change_that_hides_nothing_needs_no_count(login, developer, orders):
    response = login(developer).post(_edit(orders), _edit_data(summary="Orders, now faster."))
    assert response.status_code == 302
    assert _provider_changed() == []


@pytest.fixture
def stripe(organization, project):
    service = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("region", False),)
    )
    live = factories.add_endpoint(service, "Live", "https://l.test", ["development", "production"])
    connection_create(project=project, service=service, name="Pay")
    return {"service": service, "live": live}


@pytest.fixture
def admin_client(login, org_admin):
    return login(org_admin)


def test_it_asks_for_the_count_before_an_endpoint_stops_serving_an_environment(
    admin_client, stripe
):
    service, live = stripe["service"], stripe["live"]
    edit = third_party_url("third-party-endpoint-edit", service_id=service.pk, endpoint_id=live.pk)
    data = endpoint_data(service, name="Live", url="https://l.test")  # Development only

    refused = admin_client.post(edit, data)
    html = refused.content.decode()
    assert "Pay" in html and "Production" in html
    assert live.environments.count() == 2

    assert admin_client.post(edit, {**data, CONFIRMATION_FIELD: "1"}).status_code == 302
    assert [e.handle for e in live.environments.all()] == ["development"]
    assert _provider_changed() == ["Pay"]
    assert _reasons("Pay")[1] == (
        "The endpoint Live is no longer allowed in Production: map another one."
    )


def test_it_adds_a_parameter_without_a_count_and_tells_each_connection(admin_client, stripe):
    service = stripe["service"]
    detail = admin_client.get(third_party_url("third-party-detail", service_id=service.pk))
    assert "new environment variable for the 1 connection" in detail.content.decode()

    response = admin_client.post(
        third_party_url("third-party-parameter-add", service_id=service.pk), {"name": "zone"}
    )

    assert response.status_code == 302
    assert service.parameters.filter(name="zone").exists()
    (event,) = ActivityEvent.objects.filter(action=Action.PROVIDER_CHANGED)
    assert "added the parameter zone" in event.detail["change"]


def test_it_deletes_a_parameter_only_with_the_count(admin_client, stripe):
    service = stripe["service"]
    region = service.parameters.get(name="region")
    delete = third_party_url(
        "third-party-parameter-delete", service_id=service.pk, parameter_id=region.pk
    )

    page = admin_client.get(delete).content.decode()
    assert "1 connection</strong> is affected" in page
    assert f'name="{CONFIRMATION_FIELD}"' in page

    refused = admin_client.post(delete)
    assert "Type 1, the number of affected connections" in refused.content.decode()
    assert service.parameters.filter(pk=region.pk).exists()

    assert admin_client.post(delete, {CONFIRMATION_FIELD: "1"}).status_code == 302
    assert not service.parameters.filter(pk=region.pk).exists()
    assert _provider_changed() == ["Pay"]


def test_it_removes_from_the_marketplace_without_a_count_and_tells_each_connection(
    admin_client, stripe
):
    service = stripe["service"]
    listing = third_party_url("third-party-listing", service_id=service.pk)

    assert admin_client.post(listing, {"listed": "0", "confirmed": "1"}).status_code == 302

    assert not Service.objects.get(pk=service.pk).listed
    assert _provider_changed() == ["Pay"]
    admin_client.post(listing, {"listed": "1"})
    assert _provider_changed() == ["Pay"]  # adding back tells nobody


def test_the_consumer_reads_the_change_in_its_history(login, developer, org_admin, orders):
    login(developer).post(
        _edit(orders), _edit_data(visibility="project", **{CONFIRMATION_FIELD: "2"})
    )
    connection = Connection.objects.get(name="Billing orders")
    page = login(org_admin).get(
        reverse(
            "connections:detail",
            kwargs={"org": "acme", "project": "billing", "connection_id": connection.public_id},
        )
    )
    html = page.content.decode()
    assert f"{developer.username} changed Checkout API - Orders v1: narrowed" in html


def _variables(name: str) -> list[str]:
    connection = Connection.objects.select_related("service").get(name=name)
    return [value.variable for environment in resolve(connection) for value in environment.values]


def test_it_renames_a_parameter_only_with_the_count_and_tells_each_connection(
    admin_client, stripe, organization, project
):
    service = stripe["service"]
    region = service.parameters.get(name="region")
    other = factories.make_component(project, "Web", "web")
    connection_create(project=project, component=other, service=service, name="Web pay")
    rename = third_party_url(
        "third-party-parameter-rename", service_id=service.pk, parameter_id=region.pk
    )

    page = admin_client.get(rename).content.decode()
    assert "2 connections</strong> are affected" in page
    assert "Pay</a>" in page and "Web pay</a>" in page
    assert "component connection of Web, Payments" in page
    assert "CHOREO_&lt;CONNECTION&gt;_REGION" in page
    assert "The environment variables they give their components change" in page
    assert f'name="{CONFIRMATION_FIELD}"' in page

    refused = admin_client.post(rename, {"name": "zone"})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Type 2, the number of affected connections" in html
    assert "renamed the parameter region to zone" in html
    assert 'value="zone"' in html
    assert service.parameters.get(pk=region.pk).name == "region"
    assert "CHOREO_PAY_REGION" in _variables("Pay")
    assert _provider_changed() == []

    response = admin_client.post(rename, {"name": "zone", CONFIRMATION_FIELD: "2"})

    assert response.status_code == 302
    followed = admin_client.get(response["Location"]).content.decode()
    assert "Renamed the parameter region to zone in Stripe API v1." in followed
    assert "The 2 affected connections have it in their history." in followed
    assert service.parameters.get(pk=region.pk).name == "zone"
    assert "CHOREO_PAY_ZONE" in _variables("Pay")
    assert "CHOREO_PAY_REGION" not in _variables("Pay")
    assert _provider_changed() == ["Pay", "Web pay"]
    connection = Connection.objects.get(name="Web pay")
    history = admin_client.get(
        reverse(
            "connections:detail",
            kwargs={
                "org": "acme",
                "project": "payments",
                "component": "web",
                "connection_id": connection.public_id,
            },
        )
    ).content.decode()
    assert (
        "changed Stripe API v1: renamed the parameter region to zone: its environment "
        "variable changes name"
    ) in history


def test_it_renames_a_parameter_no_connection_uses_without_a_count(admin_client, organization):
    service = factories.make_third_party_service(
        organization, "Twilio", parameters=(("sid", False),)
    )
    sid = service.parameters.get()
    rename = third_party_url(
        "third-party-parameter-rename", service_id=service.pk, parameter_id=sid.pk
    )

    page = admin_client.get(rename).content.decode()
    assert "affected" not in page and CONFIRMATION_FIELD not in page

    assert admin_client.post(rename, {"name": "accountSid"}).status_code == 302
    assert service.parameters.get().name == "accountSid"
