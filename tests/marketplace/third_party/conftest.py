"""Fixtures of the third-party services' tests: Stripe with two endpoints
and a secret parameter, a service of another project, a signed-in Admin."""

from __future__ import annotations

import pytest

from tests import factories
from tests.marketplace.third_party.support import SECRET


@pytest.fixture
def stripe(organization):
    service = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("publishableKey", False), ("secretKey", True))
    )
    factories.add_endpoint(
        service,
        "Sandbox",
        "https://sandbox.stripe.test/v1",
        ["development"],
        publishableKey="pk_test_visible",
        secretKey=SECRET,
    )
    factories.add_endpoint(service, "Live", "https://api.stripe.test/v1", ["production"])
    return service


@pytest.fixture
def hr_service(organization):
    """Registered for another project (HR) than the one the tests stand in."""
    hr = factories.make_project(organization, "HR", "hr")
    return factories.make_third_party_service(organization, "Workday", project=hr)


@pytest.fixture
def admin_client(login, org_admin):
    return login(org_admin)
