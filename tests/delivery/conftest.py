"""A component that sees connections of each kind, and a token to pull them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.services import connection_create
from console.models import Environment
from delivery.services import runtime_token_create
from marketplace.models import Security
from tests import factories

CONFIG_URL = "/api/v1/runtime/config"


@pytest.fixture
def delivery_world(organization, project, component, developer):
    """Checkout API sees: its own OAuth2 connection to an internal service
    (deployed in Development only), the project's API-key connection to a
    third-party service with a secret and a plain parameter (mapped in
    Development only), and a sibling component's connection it must not see."""
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    directory = factories.make_internal_service(provider, "directory", security=Security.OAUTH2)
    directory.deployments.filter(environment__handle="production").delete()
    stripe = factories.make_third_party_service(
        organization,
        "Stripe API",
        security=Security.API_KEY,
        parameters=(("webhookSecret", True), ("region", False)),
    )
    factories.add_endpoint(
        stripe,
        "Sandbox",
        "https://sandbox.stripe.test",
        ["development"],
        webhookSecret="whsec_'quoted' \"double\" $HOME\nsecond line",
        region="eu west",
    )
    sibling = factories.make_component(project, "Billing Job", "billing-job")
    own = connection_create(
        project=project, component=component, service=directory, name="Directory"
    )
    shared = connection_create(project=project, service=stripe, name="Payments")
    hidden = connection_create(project=project, component=sibling, service=stripe, name="Hidden")
    return {"own": own, "shared": shared, "hidden": hidden, "sibling": sibling}


@pytest.fixture
def development(organization) -> Environment:
    return organization.environments.get(handle="development")


@pytest.fixture
def issue_token(project, component, development, developer):
    def _issue(*, at_component=True, environment=None, expires_in=None):
        return runtime_token_create(
            project=project,
            component=component if at_component else None,
            environment=environment or development,
            name="CI deploy",
            expires_at=timezone.now() + expires_in if expires_in is not None else None,
            actor=developer,
        )

    return _issue


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


__all__ = ["CONFIG_URL", "bearer", "timedelta"]
