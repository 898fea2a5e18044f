"""``manage.py seed_demo``: the demo company, created idempotently."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import connection as db_connection
from django.test import RequestFactory

from connections.history import history_of
from connections.models import AuthScheme, Connection, ConnectionBinding
from console.models import Component, ComponentType, Membership, Organization, Role
from marketplace.models import (
    DefinitionFormat,
    EndpointParameterValue,
    Security,
    Service,
    ServiceKind,
    ServiceType,
    Visibility,
)


def _login_request():
    # django-axes checks every authentication against the request it came with.
    return RequestFactory().post("/accounts/login/")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Six personas hashed with the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def acme(db) -> Organization:
    seed()
    return Organization.objects.get(handle="acme")


def internal_service(acme: Organization, component: str, endpoint: str, major: int = 1) -> Service:
    return Service.objects.get(
        organization=acme,
        kind=ServiceKind.INTERNAL,
        provider_component__handle=component,
        endpoint_handle=endpoint,
        major=major,
    )


def third_party_service(acme: Organization, name: str) -> Service:
    return Service.objects.get(organization=acme, kind=ServiceKind.THIRD_PARTY, name=name)


def deployment_urls(service: Service) -> dict[str, str]:
    return {d.environment.name: d.url for d in service.deployments.select_related("environment")}


def test_it_creates_acme_with_development_then_production(acme):
    assert acme.name == "Acme Corp"
    environments = list(acme.environments.values_list("name", "is_production"))
    assert environments == [("Development", False), ("Production", True)]


def test_it_creates_the_payments_and_hr_components(acme):
    components = {
        (c.project.name, c.name): c.type
        for c in Component.objects.filter(project__organization=acme).select_related("project")
    }
    assert components[("Payments", "Checkout API")] == ComponentType.SERVICE
    assert components[("Payments", "Storefront")] == ComponentType.WEB_APPLICATION
    assert components[("Payments", "Ledger Worker")] == ComponentType.SCHEDULED_TASK
    assert components[("HR", "Employee Service")] == ComponentType.SERVICE


def test_it_gives_acme_more_projects_than_the_spec_asks_for(acme):
    names = set(acme.projects.values_list("name", flat=True))
    assert {"Payments", "HR", "Platform", "Data", "Mobile"} <= names


def test_it_publishes_checkout_api_for_the_organization_with_oauth(acme):
    service = internal_service(acme, "checkout-api", "payments")

    assert service.visibility == Visibility.ORGANIZATION
    assert service.security == Security.OAUTH2
    assert service.version == "1.4.2"
    assert deployment_urls(service) == {
        "Development": "http://checkout-api.payments-dev.svc.cluster.local:8080/payments/v1",
        "Production": "http://checkout-api.payments-prod.svc.cluster.local:8080/payments/v1",
    }


def test_it_publishes_a_second_major_of_checkout_api_in_development_only(acme):
    service = internal_service(acme, "checkout-api", "payments", major=2)

    assert service.version == "2.0.0"
    assert list(deployment_urls(service)) == ["Development"]


def test_it_publishes_employee_service_for_the_project_and_the_organization(acme):
    records = internal_service(acme, "employee-service", "records")
    directory = internal_service(acme, "employee-service", "directory")

    assert records.visibility == Visibility.PROJECT
    assert directory.visibility == Visibility.ORGANIZATION
    assert list(deployment_urls(records)) == ["Development", "Production"]
    assert list(deployment_urls(directory)) == ["Development", "Production"]


def test_it_publishes_graphql_grpc_and_an_unlisted_service(acme):
    internal = Service.objects.filter(organization=acme, kind=ServiceKind.INTERNAL)

    assert internal.filter(service_type=ServiceType.GRAPHQL).exists()
    assert internal.filter(service_type=ServiceType.GRPC).exists()
    assert internal.filter(visibility=Visibility.PUBLIC).exists()
    unlisted = internal.get(listed=False)
    assert unlisted.connections.exists()


def test_it_gives_every_openapi_definition_a_valid_document(acme):
    services = Service.objects.filter(definition_format=DefinitionFormat.OPENAPI)

    assert services.count() >= 5
    for service in services:
        document = json.loads(service.api_definition)
        assert document["openapi"].startswith("3.")
        assert document["info"]["version"] == service.version
        assert document["paths"]


def test_it_maps_stripe_sandbox_to_development_and_live_to_production(acme):
    stripe = third_party_service(acme, "Stripe API")

    assert stripe.project is None
    endpoints = {
        endpoint.name: (endpoint.url, [env.name for env in endpoint.environments.all()])
        for endpoint in stripe.endpoints.all()
    }
    assert endpoints == {
        "Sandbox": ("https://api.stripe.com/v1", ["Development"]),
        "Live": ("https://api.stripe.com/v1", ["Production"]),
    }
    parameters = dict(stripe.parameters.values_list("name", "is_secret"))
    assert parameters["webhookSigningSecret"] is True
    assert parameters["publishableKey"] is False


def test_it_stores_stripe_secret_parameters_encrypted(acme):
    value = EndpointParameterValue.objects.get(
        endpoint__service=third_party_service(acme, "Stripe API"),
        endpoint__name="Sandbox",
        parameter__name="webhookSigningSecret",
    )
    table = db_connection.ops.quote_name(EndpointParameterValue._meta.db_table)
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table} WHERE id = %s", [value.pk])
        (raw,) = cursor.fetchone()

    plaintext = value.value.reveal()
    assert plaintext.startswith("whsec_")
    assert plaintext not in raw


def test_it_registers_twilio_for_the_organization_with_api_key_security(acme):
    twilio = third_party_service(acme, "Twilio SMS")

    assert twilio.project is None
    assert twilio.security == Security.API_KEY
    assert twilio.endpoints.count() == 2


def test_it_registers_a_project_level_third_party_service(acme):
    project_level = Service.objects.filter(
        organization=acme, kind=ServiceKind.THIRD_PARTY, project__isnull=False
    )

    assert project_level.exists()


def test_it_creates_project_and_component_connections_of_both_kinds(acme):
    connections = Connection.objects.filter(organization=acme).select_related("service")
    shapes = {
        (connection.is_project_connection, connection.service.kind) for connection in connections
    }

    assert shapes == {
        (True, ServiceKind.INTERNAL),
        (True, ServiceKind.THIRD_PARTY),
        (False, ServiceKind.INTERNAL),
        (False, ServiceKind.THIRD_PARTY),
    }
    for connection in connections:
        assert connection.bindings.count() == 2
        assert history_of(connection).filter(action="created").count() == 1


def test_it_resolves_stripe_connections_to_the_endpoint_of_each_environment(acme):
    stripe = Connection.objects.get(project__organization=acme, name="Stripe")

    endpoints = {b.environment.name: b.endpoint.name for b in stripe.bindings.all()}
    assert endpoints == {"Development": "Sandbox", "Production": "Live"}


def test_it_generates_credentials_for_secured_connections(acme):
    checkout = Connection.objects.get(project__organization=acme, name="Checkout")

    assert checkout.auth_scheme == AuthScheme.OAUTH2
    for binding in checkout.bindings.all():
        assert binding.consumer_key
        assert binding.consumer_secret.reveal()


def test_it_lets_demo_sign_in_as_admin_of_acme_and_superuser(acme):
    demo = authenticate(_login_request(), username="demo", password="demo")

    assert demo is not None
    assert demo.is_staff and demo.is_superuser
    assert Membership.objects.get(user=demo, organization=acme).role == Role.ADMIN


def test_it_keeps_demo_out_of_the_second_organization(acme):
    demo = get_user_model().objects.get(username="demo")
    globex = Organization.objects.get(handle="globex")

    assert not Membership.objects.filter(user=demo, organization=globex).exists()
    assert list(Organization.objects.for_user(demo)) == [acme]
    assert globex.services.filter(name="Stripe API").exists()


def test_it_gives_the_other_personas_their_roles(acme):
    roles = dict(Membership.objects.filter(organization=acme).values_list("user__username", "role"))

    assert roles["priya"] == Role.DEVELOPER
    assert roles["sam"] == Role.VIEWER
    assert authenticate(_login_request(), username="sam", password="sam") is not None


def test_it_resets_demo_password_and_role_when_they_were_changed(acme):
    demo = get_user_model().objects.get(username="demo")
    demo.set_password("something else")
    demo.save()
    Membership.objects.filter(user=demo).update(role=Role.VIEWER)

    seed()

    assert authenticate(_login_request(), username="demo", password="demo") is not None
    assert Membership.objects.get(user=demo, organization=acme).role == Role.ADMIN


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, auto-created many-to-many tables included.

    Encrypted columns come back as SecretValue, which compares by plaintext:
    credentials regenerated on a second run would show as a difference.
    """
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
    }


def binding_secrets() -> list[tuple]:
    return [
        (
            binding.pk,
            binding.consumer_key,
            binding.consumer_secret.reveal() if binding.consumer_secret else None,
            binding.api_key.reveal() if binding.api_key else None,
        )
        for binding in ConnectionBinding.objects.order_by("pk")
    ]


def test_it_changes_nothing_when_run_twice(db):
    seed()
    before, secrets_before = snapshot(), binding_secrets()
    password_before = get_user_model().objects.get(username="demo").password

    output = seed()

    assert snapshot() == before
    assert binding_secrets() == secrets_before
    assert get_user_model().objects.get(username="demo").password == password_before
    assert "nothing new to create" in output


def test_it_creates_only_what_is_missing(acme):
    Connection.objects.filter(organization=acme, name="Checkout").delete()
    kept = Connection.objects.get(organization=acme, name="Stripe")

    seed()

    assert Connection.objects.filter(organization=acme, name="Checkout").count() == 1
    assert Connection.objects.get(organization=acme, name="Stripe").public_id == kept.public_id


def test_it_prints_a_summary(db):
    output = seed()

    assert "Demo data ready: 2 organizations, 6 projects" in output
    assert "Log in as demo/demo." in output
