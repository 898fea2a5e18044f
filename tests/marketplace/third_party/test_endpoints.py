"""A service's endpoints: add, change, delete; secret values never shown."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection

from marketplace.models import EndpointParameterValue
from tests import factories
from tests.marketplace.third_party.support import SECRET, endpoint_data, url


def test_it_adds_an_endpoint_with_its_environments_and_values(admin_client, stripe):
    data = endpoint_data(stripe, name="EU", url="https://eu.stripe.test/v1")
    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)

    endpoint = stripe.endpoints.get(name="EU")
    assert response.status_code == 302
    assert [env.handle for env in endpoint.environments.all()] == ["development"]
    values = {v.parameter.name: v.value.reveal() for v in endpoint.parameter_values.all()}
    assert values == {
        "publishableKey": "value-of-publishableKey",
        "secretKey": "value-of-secretKey",
    }


def test_it_offers_to_add_another_endpoint(admin_client, stripe):
    data = {**endpoint_data(stripe, name="EU"), "add_another": "1"}
    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)
    assert response["Location"] == url("third-party-endpoint-add", service_id=stripe.pk)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"url": "ftp://files.example.com"}, "url", "Only http:// and https:// addresses"),
        ({"url": "javascript:alert(1)"}, "url", "Only http:// and https:// addresses"),
        ({"url": "sandbox.example.com"}, "url", "Enter a full http:// or https:// address"),
        ({"url": "https://" + "a" * 2100}, "url", "at most 2000 characters"),
        ({"name": "sandbox"}, "name", "already has an endpoint named"),
        ({"environments": ["999999"]}, "environments", "Select a valid choice"),
    ],
)
def test_it_explains_a_bad_endpoint_next_to_the_field(
    admin_client, stripe, overrides, field, message
):
    data = endpoint_data(stripe, **{"name": "EU", **overrides})
    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)

    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert f"error_1_id_{field}" in html
    assert "value-of-publishableKey" in html  # typed values are kept
    assert stripe.endpoints.count() == 2


def test_it_refuses_an_environment_of_another_organization(
    admin_client, stripe, other_organization
):
    foreign = other_organization.environments.first()
    data = endpoint_data(stripe, name="EU", environments=[foreign.pk])
    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)
    assert "environments" in response.context["form"].errors


def test_it_never_shows_a_secret_value(admin_client, stripe):
    endpoint = stripe.endpoints.get(name="Sandbox")
    pages = [
        admin_client.get(url("third-party-list")),
        admin_client.get(url("third-party-detail", service_id=stripe.pk)),
        admin_client.get(
            url("third-party-endpoint-edit", service_id=stripe.pk, endpoint_id=endpoint.pk)
        ),
    ]
    for page in pages:
        assert page.status_code == 200
        assert SECRET not in page.content.decode()
    assert "pk_test_visible" in pages[1].content.decode()  # not secret: shown
    assert "Leave empty to keep the current value." in pages[2].content.decode()


def test_it_stores_parameter_values_encrypted(stripe):
    value = EndpointParameterValue.objects.get(
        parameter__name="secretKey", endpoint__name="Sandbox"
    )
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT value FROM marketplace_endpointparametervalue WHERE id = %s", [value.pk]
        )
        (stored,) = cursor.fetchone()
    assert SECRET not in stored
    assert value.value.reveal() == SECRET


def test_it_keeps_a_secret_left_empty_and_replaces_a_typed_one(admin_client, stripe):
    endpoint = stripe.endpoints.get(name="Sandbox")
    secret = stripe.parameters.get(name="secretKey")
    edit = url("third-party-endpoint-edit", service_id=stripe.pk, endpoint_id=endpoint.pk)

    admin_client.post(edit, endpoint_data(stripe, **{f"parameter_{secret.pk}": ""}))
    assert endpoint.parameter_values.get(parameter=secret).value.reveal() == SECRET
    assert endpoint.parameter_values.get(parameter__name="publishableKey").value.reveal() == (
        "value-of-publishableKey"
    )

    admin_client.post(edit, endpoint_data(stripe, **{f"parameter_{secret.pk}": "sk_rotated"}))
    assert endpoint.parameter_values.get(parameter=secret).value.reveal() == "sk_rotated"


def test_it_changes_an_endpoint(admin_client, stripe):
    endpoint = stripe.endpoints.get(name="Live")
    production = stripe.organization.environments.get(handle="production")
    development = stripe.organization.environments.get(handle="development")
    data = endpoint_data(
        stripe,
        name="Live EU",
        url="https://eu.stripe.test",
        environments=[production.pk, development.pk],
    )
    response = admin_client.post(
        url("third-party-endpoint-edit", service_id=stripe.pk, endpoint_id=endpoint.pk), data
    )
    endpoint.refresh_from_db()
    assert response.status_code == 302
    assert (endpoint.name, endpoint.url) == ("Live EU", "https://eu.stripe.test")
    assert endpoint.environments.count() == 2


def test_it_refuses_to_delete_an_endpoint_connections_are_mapped_to_and_names_them(
    admin_client, stripe, project
):
    endpoint = stripe.endpoints.get(name="Sandbox")
    (connection,) = factories.bulk_connections(project, stripe, 1, "Payments <b>Stripe</b>")
    development = stripe.organization.environments.get(handle="development")
    connection.bindings.create(environment=development, endpoint=endpoint)
    delete = url("third-party-endpoint-delete", service_id=stripe.pk, endpoint_id=endpoint.pk)

    page = admin_client.get(delete)
    refused = admin_client.post(delete)

    for response in (page, refused):
        html = response.content.decode()
        assert "The endpoint Sandbox cannot be deleted" in html
        assert "Payments &lt;b&gt;Stripe&lt;/b&gt; 0000" in html
        assert "Delete endpoint</button>" not in html
    assert refused.status_code == 409
    assert "1 connection uses it (Payments &lt;b&gt;Stripe&lt;/b&gt; 0000)" in (
        refused.content.decode()
    )
    assert stripe.endpoints.filter(pk=endpoint.pk).exists()
    assert connection.bindings.get().endpoint == endpoint


def test_it_confirms_then_deletes_an_endpoint_no_connection_uses(admin_client, stripe, project):
    endpoint = stripe.endpoints.get(name="Sandbox")
    factories.bulk_connections(project, stripe, 1, "Payments Stripe")  # mapped to none
    delete = url("third-party-endpoint-delete", service_id=stripe.pk, endpoint_id=endpoint.pk)

    assert "No connection is mapped to it" in admin_client.get(delete).content.decode()
    response = admin_client.post(delete)

    assert response.status_code == 302
    assert not stripe.endpoints.filter(pk=endpoint.pk).exists()
