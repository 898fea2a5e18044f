"""A service's additional parameters: add and remove."""

from __future__ import annotations

import pytest

from connections.services import connection_create
from marketplace.models import EndpointParameterValue
from tests import factories
from tests.marketplace.third_party.support import url


def test_it_adds_a_parameter_with_an_empty_value_on_every_endpoint(admin_client, stripe):
    response = admin_client.post(
        url("third-party-parameter-add", service_id=stripe.pk),
        {"name": "webhookSecret", "is_secret": "on"},
    )
    parameter = stripe.parameters.get(name="webhookSecret")
    assert response.status_code == 302
    assert parameter.is_secret
    assert parameter.values.count() == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [("SECRETKEY", "already has a parameter"), ("bad name", "letters, digits and _ only")],
)
def test_it_explains_a_bad_new_parameter_on_the_service_page(admin_client, stripe, name, message):
    response = admin_client.post(
        url("third-party-parameter-add", service_id=stripe.pk), {"name": name}
    )
    assert response.status_code == 200
    assert message.lower() in response.context["parameter_form"].errors["name"][0].lower()
    assert f'value="{name}"' in response.content.decode()
    assert stripe.parameters.count() == 2


def test_it_refuses_a_parameter_that_would_give_two_connections_one_variable(
    admin_client, stripe, project, organization
):
    # "Pay" gaining X_ServiceURL would give CHOREO_PAY_X_SERVICEURL, which
    # "Pay X" (another service) already gives.
    adyen = factories.make_third_party_service(organization, "Adyen")
    connection_create(project=project, service=stripe, name="Pay")
    connection_create(project=project, service=adyen, name="Pay X")

    response = admin_client.post(
        url("third-party-parameter-add", service_id=stripe.pk), {"name": "X_ServiceURL"}
    )

    assert response.status_code == 200
    (error,) = response.context["parameter_form"].errors["name"]
    assert "“Pay” and “Pay X” in the project Payments" in error
    assert "CHOREO_PAY_X_SERVICEURL" in error
    assert 'value="X_ServiceURL"' in response.content.decode()
    assert not stripe.parameters.filter(name="X_ServiceURL").exists()


def test_it_adds_a_parameter_whose_variable_only_components_apart_share(
    admin_client, stripe, project, organization
):
    # Two components do not see each other's connections: no clash.
    adyen = factories.make_third_party_service(organization, "Adyen")
    web = factories.make_component(project, "Web", "web")
    api = factories.make_component(project, "Api", "api")
    connection_create(project=project, component=web, service=stripe, name="Pay")
    connection_create(project=project, component=api, service=adyen, name="Pay X")

    response = admin_client.post(
        url("third-party-parameter-add", service_id=stripe.pk), {"name": "X_ServiceURL"}
    )

    assert response.status_code == 302
    assert stripe.parameters.filter(name="X_ServiceURL").exists()


def test_it_removes_a_parameter_and_its_values(admin_client, stripe):
    parameter = stripe.parameters.get(name="secretKey")
    delete = url("third-party-parameter-delete", service_id=stripe.pk, parameter_id=parameter.pk)
    assert b"secretKey" in admin_client.get(delete).content
    admin_client.post(delete)
    assert not stripe.parameters.filter(name="secretKey").exists()
    assert not EndpointParameterValue.objects.filter(parameter_id=parameter.pk).exists()
