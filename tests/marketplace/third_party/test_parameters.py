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


def _rename_url(service, parameter) -> str:
    return url("third-party-parameter-rename", service_id=service.pk, parameter_id=parameter.pk)


def test_the_service_page_offers_to_rename_each_parameter(admin_client, stripe):
    page = admin_client.get(url("third-party-detail", service_id=stripe.pk)).content.decode()
    for parameter in stripe.parameters.all():
        assert _rename_url(stripe, parameter) in page


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("bad name", "letters, digits and _ only"),
        ("ServiceURL", "Every connection already provides ServiceURL"),
        ("SECRETKEY", "already has a parameter of that name"),
        ("publishableKey", "That is its name already"),
        ("a" * 61, "at most 60 characters"),
        ("key\u200b", "is not allowed in a name"),
    ],
)
def test_it_explains_a_bad_new_name_beside_the_field_and_keeps_it(
    admin_client, stripe, project, name, message
):
    connection_create(project=project, service=stripe, name="Pay")
    parameter = stripe.parameters.get(name="publishableKey")

    response = admin_client.post(
        _rename_url(stripe, parameter), {"name": name, "confirm_affected": "1"}
    )

    assert response.status_code == 200
    assert message.lower() in response.context["form"].errors["name"][0].lower()
    html = response.content.decode()
    if name.strip():
        assert f'value="{name}"' in html
    assert 'id="id_confirm_affected" value="1"' in html
    assert "Rename the parameter publishableKey" in html
    assert sorted(stripe.parameters.values_list("name", flat=True)) == [
        "publishableKey",
        "secretKey",
    ]


def test_it_refuses_a_rename_that_would_give_two_connections_one_variable(
    admin_client, stripe, project, organization
):
    adyen = factories.make_third_party_service(organization, "Adyen")
    connection_create(project=project, service=stripe, name="Pay")
    connection_create(project=project, service=adyen, name="Pay X")
    parameter = stripe.parameters.get(name="publishableKey")

    response = admin_client.post(
        _rename_url(stripe, parameter), {"name": "X_ServiceURL", "confirm_affected": "1"}
    )

    assert response.status_code == 200
    (error,) = response.context["form"].errors["name"]
    assert "CHOREO_PAY_X_SERVICEURL" in error
    assert stripe.parameters.filter(name="publishableKey").exists()


def test_it_renames_only_a_parameter_of_the_service_in_the_url(admin_client, stripe, organization):
    other = factories.make_third_party_service(
        organization, "Adyen", parameters=(("merchant", False),)
    )
    foreign = other.parameters.get()

    assert admin_client.get(_rename_url(stripe, foreign)).status_code == 404
    assert admin_client.post(_rename_url(stripe, foreign), {"name": "x"}).status_code == 404
    assert other.parameters.get().name == "merchant"


def test_a_case_only_rename_keeps_the_values(admin_client, stripe):
    parameter = stripe.parameters.get(name="publishableKey")

    response = admin_client.post(_rename_url(stripe, parameter), {"name": "PublishableKey"})

    assert response.status_code == 302
    parameter.refresh_from_db()
    assert parameter.name == "PublishableKey"
    assert parameter.values.count() == 2
