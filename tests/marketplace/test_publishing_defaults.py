"""Publishing an endpoint: a new one starts at the least exposed network
visibility, and components that serve no requests publish none (issue #17,
item 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.models import ComponentType
from marketplace.models import Service
from tests import factories


def _scope(component) -> dict:
    return {"org": "acme", "project": "payments", "component": component.handle}


def test_a_new_endpoint_is_offered_with_project_visibility(login, developer, component):
    response = login(developer).get(
        reverse("marketplace:component-endpoint-add", kwargs=_scope(component))
    )

    assert response.context["form"]["visibility"].value() == "project"
    assert '<option value="project" selected>Project</option>' in response.content.decode()


@pytest.mark.parametrize("kind", [ComponentType.SCHEDULED_TASK, ComponentType.MANUAL_TASK])
def test_a_component_that_serves_no_requests_offers_no_endpoint_and_refuses_one(
    login, developer, project, kind
):
    task = factories.make_component(project, "Nightly Export", "nightly-export", type=kind)
    client = login(developer)
    add = reverse("marketplace:component-endpoint-add", kwargs=_scope(task))

    page = client.get(reverse("console:component", kwargs=_scope(task))).content.decode()
    asked = client.get(add)
    sent = client.post(add, {"endpoint_name": "Export", "version": "1.0.0"})

    assert "+ Add endpoint" not in page
    assert f"A {kind.label} serves no requests: it publishes no endpoints." in page
    assert asked.status_code == 403 and sent.status_code == 403
    assert "it serves no requests, so it has no endpoint to publish" in asked.content.decode()
    assert not Service.objects.filter(provider_component=task).exists()


def test_a_service_component_still_offers_add_endpoint(login, developer, component):
    page = login(developer).get(reverse("console:component", kwargs=_scope(component)))

    assert "+ Add endpoint" in page.content.decode()
