"""A new environment reaches every connection at once: adding one binds
every connection of the organization to it in the same transaction (the
default endpoint, generated credentials), in the same queries whatever the
number of connections, and no connection page says it was created before it."""

from __future__ import annotations

import math

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.models import Connection, ConnectionBinding, api_key_digest
from connections.resolution import resolve_in_environment
from connections.services import bindings_for_new_environment, connection_create
from console.models import Environment
from console.services.environments import environment_create
from marketplace.models import Security, Visibility
from tests import factories


@pytest.fixture
def scene(organization, project, component):
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    employees = factories.make_internal_service(
        provider, "employees", Visibility.ORGANIZATION, security=Security.OAUTH2
    )
    stripe = factories.make_third_party_service(
        organization, "Stripe API", security=Security.API_KEY
    )
    factories.add_endpoint(stripe, "Sandbox", "https://sandbox.stripe.test", ["development"])
    return {
        "employees": employees,
        "stripe": stripe,
        "staff": connection_create(
            project=project, component=component, service=employees, name="Staff"
        ),
        "payments": connection_create(project=project, service=stripe, name="Payments"),
    }


def _add_staging(organization) -> Environment:
    development = organization.environments.get(handle="development")
    return environment_create(organization=organization, name="Staging", after=development)


def test_it_binds_every_connection_to_a_new_environment(organization, scene):
    staging = _add_staging(organization)

    staff = scene["staff"].bindings.get(environment=staging)
    payments = scene["payments"].bindings.get(environment=staging)
    assert staff.endpoint is None
    assert staff.consumer_key and staff.consumer_secret.reveal()
    assert not staff.api_key
    assert payments.endpoint is None  # no endpoint serves Staging yet
    assert payments.api_key.reveal().startswith("jct_")
    assert payments.api_key_digest == api_key_digest(payments.api_key.reveal())
    assert not payments.consumer_key
    development = scene["staff"].bindings.get(environment__handle="development")
    assert staff.consumer_key != development.consumer_key  # fresh, not copied


def test_it_binds_no_connection_of_another_organization(organization, other_organization, scene):
    factories.make_project(other_organization, "Globex Project", "globex-project")

    staging = environment_create(organization=other_organization, name="Staging")

    assert not ConnectionBinding.objects.filter(environment=staging).exists()
    assert scene["staff"].bindings.count() == 2


def test_it_maps_a_third_party_connection_to_the_first_endpoint_that_serves_it(organization, scene):
    # An environment endpoints already serve (made outside environment_create).
    staging = Environment.objects.create(
        organization=organization, name="Staging", handle="staging", order=3
    )
    stripe = scene["stripe"]
    live = factories.add_endpoint(stripe, "Live", "https://live.stripe.test", ["staging"])
    factories.add_endpoint(stripe, "Mirror", "https://mirror.stripe.test", ["staging"])

    bindings = bindings_for_new_environment(environment=staging)

    assert len(bindings) == 2
    assert scene["payments"].bindings.get(environment=staging).endpoint == live
    assert scene["staff"].bindings.get(environment=staging).endpoint is None


def test_it_binds_each_connection_once(organization, scene):
    staging = _add_staging(organization)

    assert bindings_for_new_environment(environment=staging) == []
    assert ConnectionBinding.objects.filter(environment=staging).count() == 2


def test_the_connection_page_shows_the_new_environment_set_up(
    login, developer, organization, scene
):
    _add_staging(organization)
    client = login(developer)

    staff = client.get(
        reverse(
            "connections:detail",
            kwargs={
                "org": "acme",
                "project": "payments",
                "component": "checkout-api",
                "connection_id": scene["staff"].public_id,
            },
        )
    ).content.decode()
    payments = client.get(
        reverse(
            "connections:detail",
            kwargs={
                "org": "acme",
                "project": "payments",
                "connection_id": scene["payments"].public_id,
            },
        )
    ).content.decode()

    for page in (staff, payments):
        assert 'id="env-staging"' in page
        assert "existed" not in page
        assert page.index('id="env-development"') < page.index('id="env-staging"')
        assert page.index('id="env-staging"') < page.index('id="env-production"')
    assert "The service is not deployed in Staging." in staff
    assert "No endpoint is mapped to Staging." in payments


def test_what_a_component_reads_in_the_new_environment_is_set_up(organization, scene):
    staging = _add_staging(organization)
    connections = [scene["staff"], scene["payments"]]

    resolved = resolve_in_environment(connections, staging)

    assert resolved[scene["staff"].pk].problem == "The service is not deployed in Staging."
    values = {value.key: value.value for value in resolved[scene["staff"].pk].values}
    assert values["ConsumerKey"] == scene["staff"].bindings.get(environment=staging).consumer_key


def _binding_insert_batches(count: int) -> int:
    """How many INSERT statements Django's bulk_create needs for ``count``
    bindings: one on PostgreSQL; on SQLite one per 999 variables."""
    fields = [f for f in ConnectionBinding._meta.concrete_fields if not f.primary_key]
    per_batch = db_connection.ops.bulk_batch_size(fields, [None] * count)
    return math.ceil(count / per_batch)


def test_it_adds_an_environment_in_the_same_queries_whatever_the_number_of_connections(
    organization, project, component
):
    provider = factories.make_component(project, "Employee Service")
    employees = factories.make_internal_service(
        provider, "employees", Visibility.ORGANIZATION, security=Security.OAUTH2
    )
    stripe = factories.make_third_party_service(organization, "Stripe API")
    factories.add_endpoint(stripe, "Sandbox", "https://sandbox.stripe.test", ["development"])

    def queries_to_add(count: int, name: str) -> list[str]:
        Connection.objects.all().delete()
        factories.bulk_connections(project, employees, count // 2, f"{name} staff", component)
        factories.bulk_connections(project, stripe, count - count // 2, f"{name} stripe")
        with CaptureQueriesContext(db_connection) as captured:
            environment = environment_create(organization=organization, name=name)
        assert environment.connection_bindings.count() == count
        return [query["sql"] for query in captured]

    few = queries_to_add(5, "Few")
    many = queries_to_add(5_000, "Many")

    # Equal on PostgreSQL; on SQLite Django splits the one bulk insert.
    assert len(many) - len(few) == _binding_insert_batches(5_000) - _binding_insert_batches(5)
    assert _binding_insert_batches(5) == 1
