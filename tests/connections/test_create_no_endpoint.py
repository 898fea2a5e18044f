"""Create Connection to a third-party service with "No endpoint" for an
environment: the form warns before Create, and without the warning on the
page (JavaScript off, the choice just made) Create asks once more
(issue #17, item 11)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from connections.models import Connection
from tests import factories


@pytest.fixture
def stripe(organization, project):
    service = factories.make_third_party_service(organization, "Stripe API")
    factories.add_endpoint(service, "Sandbox", "https://sandbox.stripe.test", ["development"])
    factories.add_endpoint(service, "Live", "https://api.stripe.test", ["production"])
    return service


def _url(service) -> str:
    return reverse(
        "connections:create-form",
        kwargs={"org": "acme", "project": "payments", "service_id": service.pk},
    )


def _warning(page: str, environment: str) -> str:
    return re.search(rf'<div id="no-endpoint-{environment}"[^>]*>.*?</div>', page, re.S).group()


def _create(client, service, **data):
    endpoints = {e.name: e.pk for e in service.endpoints.all()}
    return client.post(
        _url(service),
        {
            "name": "Payments",
            "description": "Kept",
            "request_token": str(uuid.uuid4()),
            "action": "create",
            "endpoint_development": endpoints["Sandbox"],
            "endpoint_production": "",  # No endpoint
            **data,
        },
    )


def test_the_form_holds_a_warning_beside_each_environment_hidden_while_an_endpoint_is_chosen(
    login, developer, stripe
):
    page = login(developer).get(_url(stripe)).content.decode()

    warning = _warning(page, "production")
    assert " hidden" in warning and "disabled" in warning
    assert "the connection is Pending there" in warning
    assert 'data-empty-warning="no-endpoint-production"' in page  # forms.js shows it


def test_no_endpoint_chosen_without_the_warning_on_the_page_is_asked_again(
    login, developer, stripe
):
    response = _create(login(developer), stripe)

    assert response.status_code == 200
    assert not Connection.objects.exists()
    page = response.content.decode()
    assert (
        "No endpoint in Production: the connection would be Pending there. Choose an endpoint, "
        "or click Create again to create it without one." in page
    )
    warning = _warning(page, "production")
    assert " hidden" not in warning and "disabled" not in warning  # sent with the next Create
    assert 'value="Payments"' in page and "Kept</textarea>" in page
    assert '<details class="mapping border rounded p-2 mb-3" open>' in page


def test_no_endpoint_with_its_warning_seen_creates_the_connection(login, developer, stripe):
    response = _create(login(developer), stripe, no_endpoint_in="production")

    assert response.status_code == 302
    bindings = {b.environment.handle: b.endpoint for b in Connection.objects.get().bindings.all()}
    assert bindings["production"] is None
    assert bindings["development"].name == "Sandbox"


def test_an_environment_no_endpoint_serves_shows_its_warning_from_the_start(
    login, developer, organization, project
):
    service = factories.make_third_party_service(organization, "Twilio SMS")
    factories.add_endpoint(service, "Test", "https://test.twilio.test", ["development"])

    page = login(developer).get(_url(service)).content.decode()

    warning = _warning(page, "production")
    assert " hidden" not in warning and "disabled" not in warning
    assert '<details class="mapping border rounded p-2 mb-3" open>' in page
