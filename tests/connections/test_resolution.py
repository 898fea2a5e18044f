"""What a connection resolves to in each environment."""

from __future__ import annotations

from connections.resolution import resolve
from connections.services import connection_create
from console.crypto import SecretValue
from marketplace.models import Security
from tests import factories


def test_an_unmapped_environment_keeps_every_variable_and_says_why(organization, project):
    stripe = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("webhookSecret", True), ("region", False))
    )
    factories.add_endpoint(
        stripe, "Sandbox", "https://sandbox.test", ["development"], webhookSecret="s", region="eu"
    )
    connection = connection_create(project=project, service=stripe, name="Stripe")

    development, production = resolve(connection)

    assert [v.variable for v in production.values] == [
        "CHOREO_STRIPE_SERVICEURL",
        "CHOREO_STRIPE_REGION",
        "CHOREO_STRIPE_WEBHOOKSECRET",
    ]
    assert all(v.value is None for v in production.values)
    assert production.problem == "No endpoint is mapped to Production."
    by_key = {v.key: v for v in development.values}
    assert by_key["region"].value == "eu"
    assert isinstance(by_key["webhookSecret"].value, SecretValue)
    assert by_key["webhookSecret"].value.reveal() == "s"
    assert development.problem == ""


def test_an_internal_service_not_deployed_somewhere_says_so(organization, project):
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    service = factories.make_internal_service(provider, "directory", security=Security.API_KEY)
    service.deployments.filter(environment__handle="production").delete()
    connection = connection_create(project=project, service=service, name="Directory")

    development, production = resolve(connection)

    assert development.url == "http://employee-service-development.internal:8080/directory"
    assert production.url is None
    assert production.problem == "The service is not deployed in Production."
    assert [v.key for v in production.values] == ["ServiceURL", "ChoreoAPIKey"]


def test_an_environment_added_later_is_flagged_then_set_up_by_an_edit(
    organization, project, developer
):
    from connections.services import connection_update
    from console.models import Environment

    twilio = factories.make_third_party_service(organization, "Twilio", security=Security.API_KEY)
    factories.add_endpoint(twilio, "Test", "https://test.twilio.test", ["development"])
    connection = connection_create(project=project, service=twilio, name="sms")
    staging = Environment.objects.create(
        organization=organization, name="Staging", handle="staging", order=3
    )
    staging.endpoints.add(twilio.endpoints.get())

    flagged = resolve(connection)[-1]
    assert flagged.environment == staging
    assert "created before Staging existed" in flagged.problem

    connection_update(connection=connection, name="sms", description="", actor=developer)

    staged = resolve(connection)[-1]
    assert staged.url == "https://test.twilio.test"
    assert staged.problem == ""
    assert staged.values[1].value.reveal().startswith("jct_")
