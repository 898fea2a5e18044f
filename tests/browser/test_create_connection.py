"""The seed, word for word: "Create a Connection to a Service Deployed in
Choreo" and "Create a Connection to a Third Party Service", at project and at
component level, with JavaScript on and off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

# (project, component or None, the URL path of the scope)
LEVELS = {
    "project": ("Payments", None, "/orgs/acme/projects/payments/connections/"),
    "component": (
        "Payments",
        "Storefront",
        "/orgs/acme/projects/payments/components/storefront/connections/",
    ),
}


def set_visibility_level(page: Page, project: str, component: str | None = None) -> None:
    """Step 1: select an organization (Acme Corp, already chosen), a project
    and, for a component connection, a component."""
    page.locator("#project-menu > summary").click()
    page.locator("#project-menu").get_by_role("link", name=project).click()
    if component:
        page.locator("#component-menu > summary").click()
        page.locator("#component-menu").get_by_role("link", name=component).click()


def open_connections(page: Page) -> None:
    """Step 2: Dependencies, then Connections."""
    sidebar = page.get_by_role("complementary", name="Console navigation")
    sidebar.get_by_text("Dependencies").click()
    sidebar.get_by_role("link", name="Connections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connections")


def choose_service(page: Page, javascript: bool, search: str, service: str) -> None:
    """Steps 3 and 4: + Create, search the marketplace view, click the service."""
    page.get_by_role("link", name="+ Create").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create Connection")
    page.get_by_label("Search services").fill(search)
    if not javascript:
        page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"q={search}"))
    page.locator("#browse-body").get_by_role("link", name=service).click()


@pytest.mark.parametrize("level", list(LEVELS))
def test_a_connection_to_a_service_deployed_in_the_organization(visitor, live_server, level):
    page, javascript = visitor
    project, component, path = LEVELS[level]
    set_visibility_level(page, project, component)
    open_connections(page)
    choose_service(page, javascript, "directory", "Employee Service - Directory")

    # Step 5: name and description, Next: the Service URL of each environment.
    page.get_by_label("Name").fill("Staff directory")
    page.get_by_label("Description").fill("Who works here")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Service URL")).to_be_visible()
    urls = page.locator("#wizard table")
    expect(urls.get_by_role("row").nth(0)).to_contain_text("Development")
    expect(urls.get_by_role("row").nth(1)).to_contain_text("Production")
    expect(urls).to_contain_text("http")

    # Back keeps what was typed.
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("Name")).to_have_value("Staff directory")
    page.get_by_role("button", name="Next").click()

    # Step 6: Create, and land on the connection's page.
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Staff directory")
    expect(page).to_have_url(re.compile(re.escape(path) + r"[0-9a-f-]+/$"))
    expect(page.get_by_text("CHOREO_STAFF_DIRECTORY_SERVICEURL").first).to_be_visible()

    page.get_by_role("link", name="Connections").first.click()
    expect(page.locator("#connection-results")).to_contain_text("Staff directory")


@pytest.mark.parametrize("level", list(LEVELS))
def test_a_connection_to_a_third_party_service(visitor, live_server, level):
    page, javascript = visitor
    project, component, path = LEVELS[level]
    set_visibility_level(page, project, component)
    open_connections(page)
    choose_service(page, javascript, "twilio", "Twilio SMS")

    # Step 5: name and description.
    page.get_by_label("Name").fill("Order texts")
    page.get_by_label("Description").fill("Tells shoppers their order shipped")
    # Step 6: expand the mapping, verify each environment's endpoint.
    page.get_by_text("Environment to Endpoint Mapping").click()
    expect(page.get_by_label("Development")).to_have_value(re.compile(r"\d+"))
    development = page.get_by_label("Development").locator("option:checked")
    production = page.get_by_label("Production").locator("option:checked")
    expect(development).to_contain_text("Test")
    expect(production).to_contain_text("Live")

    # Step 7: Create.
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order texts")
    expect(page).to_have_url(re.compile(re.escape(path) + r"[0-9a-f-]+/$"))
    expect(page.get_by_text("CHOREO_ORDER_TEXTS_CHOREOAPIKEY").first).to_be_visible()

    page.get_by_role("link", name="Connections").first.click()
    expect(page.locator("#connection-results")).to_contain_text("Order texts")


def test_a_taken_name_is_explained_and_nothing_typed_is_lost(visitor, live_server):
    page, javascript = visitor
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/components/storefront/connections/")
    choose_service(page, javascript, "sendgrid", "SendGrid Email")

    page.get_by_label("Name").fill("stripe")  # the project's connection "Stripe"
    page.get_by_label("Description").fill("Receipts")
    page.get_by_role("button", name="Create").click()

    expect(
        page.get_by_text("A connection named “Stripe” already exists in this project.")
    ).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("stripe")
    expect(page.get_by_label("Description")).to_have_value("Receipts")
