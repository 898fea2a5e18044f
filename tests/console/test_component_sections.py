"""The component page's extension point (settings.COMPONENT_PAGE_SECTIONS):
higher apps add sections to it without the console importing them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html

COMPONENT_URL = reverse("console:component", args=["acme", "payments", "checkout-api"])


def a_note(request, scope) -> str:
    return format_html("<p>A note on {}</p>", scope.component.name)


def test_it_shows_each_listed_section_in_order(login, developer, component, settings):
    settings.COMPONENT_PAGE_SECTIONS = [
        "tests.console.test_component_sections.a_note",
        "marketplace.sections.component_endpoints",
    ]

    content = login(developer).get(COMPONENT_URL).content.decode()

    assert "<p>A note on Checkout API</p>" in content
    assert content.index("A note on") < content.index("This component publishes no endpoints.")


def test_without_sections_it_shows_the_component_alone(login, developer, component, settings):
    settings.COMPONENT_PAGE_SECTIONS = []

    response = login(developer).get(COMPONENT_URL)

    assert response.status_code == 200
    assert b"Checkout API" in response.content
    assert b"Endpoints" not in response.content
