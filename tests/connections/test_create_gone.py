"""Create Connection when the service leaves the marketplace (or the
scope's sight) while its form is open: the form comes back with why, what
was typed, and the marketplace to choose another (issue #17, item 8)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from connections.models import Connection
from marketplace.models import Service
from tests import factories


def create_url(service=None) -> str:
    kwargs = {"org": "acme", "project": "payments"}
    if service is None:
        return reverse("connections:create", kwargs=kwargs)
    return reverse("connections:create-form", kwargs={**kwargs, "service_id": service.pk})


@pytest.fixture
def services(organization, project):
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    stripe = factories.make_third_party_service(organization, "Stripe API")
    factories.add_endpoint(stripe, "Live", "https://api.stripe.test", ["development", "production"])
    return {"directory": factories.make_internal_service(provider, "directory"), "stripe": stripe}


def _post(client, url, **data):
    data.setdefault("request_token", str(uuid.uuid4()))
    return client.post(url, data)


def test_a_service_removed_meanwhile_comes_back_with_why_and_what_was_typed(
    login, developer, services
):
    client = login(developer)
    url = create_url(services["stripe"])
    client.get(url)
    Service.objects.filter(pk=services["stripe"].pk).update(listed=False)

    response = _post(client, url, name="Payments", description="Kept", action="create")

    assert response.status_code == 404
    assert not Connection.objects.exists()
    page = response.content.decode()
    assert "Stripe API v1 was removed from the marketplace" in page  # why, beside the form
    assert 'value="Payments"' in page and "Kept</textarea>" in page  # what was typed
    assert f'href="{create_url()}"' in page  # the marketplace, to choose another


def test_a_service_deleted_meanwhile_is_explained_without_naming_it(login, developer, services):
    client = login(developer)
    url = create_url(services["directory"])
    client.get(url)
    services["directory"].delete()

    response = _post(client, url, name="Directory", description="Kept", action="next")

    assert response.status_code == 404
    page = response.content.decode()
    assert "This service is no longer in the marketplace" in page
    assert 'value="Directory"' in page and "Kept</textarea>" in page
    assert f'href="{create_url()}"' in page


def test_a_service_removed_meanwhile_answers_htmx_with_the_wizard_card(login, developer, services):
    client = login(developer)
    url = create_url(services["stripe"])
    Service.objects.filter(pk=services["stripe"].pk).update(listed=False)

    response = client.post(
        url,
        {"name": "Payments", "action": "create", "request_token": str(uuid.uuid4())},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="wizard",
    )

    # base.html's htmx-config swaps error answers: this card replaces the form's.
    assert response.status_code == 404
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="wizard"')
    assert "was removed from the marketplace" in page and 'value="Payments"' in page
