"""An Admin registers a third-party service, and a developer publishes a
component's endpoint, the way a person clicks through them; with JavaScript
on and off."""

from __future__ import annotations

from playwright.sync_api import expect

SECRET = "pk.mapbox-secret-token-4242"


def test_an_admin_registers_a_service_with_an_endpoint_and_a_secret(visitor, live_server):
    page, _ = visitor
    sidebar = page.get_by_role("complementary", name="Console navigation")
    sidebar.get_by_text("Dependencies").click()
    sidebar.get_by_role("link", name="Third-Party Services").click()
    expect(page).to_have_url(f"{live_server.url}/orgs/acme/third-party-services/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Third-Party Services")

    page.get_by_role("link", name="+ Register").first.click()
    page.locator("#id_name").fill("Mapbox")
    page.locator("#id_version").fill("2.1")  # not a semantic version: said next to it
    page.get_by_label("Service Type").select_option(label="REST")
    page.locator("#id_parameters-0-name").fill("accessToken")
    page.locator("#id_parameters-0-is_secret").check()
    page.get_by_role("button", name="Register and add endpoints").click()

    expect(page.locator("#error_1_id_version")).to_contain_text("Enter a semantic version")
    expect(page.locator("#id_name")).to_have_value("Mapbox")
    expect(page.locator("#id_parameters-0-name")).to_have_value("accessToken")
    page.locator("#id_version").fill("2.1.0")
    page.get_by_role("button", name="Register and add endpoints").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Add an endpoint to Mapbox")
    page.locator("#id_name").fill("Sandbox")
    page.get_by_label("Endpoint URL").fill("https://api.mapbox.test/v2")
    page.get_by_label("Development").check()
    page.get_by_label("accessToken").fill(SECRET)
    page.get_by_role("button", name="Add endpoint", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Mapbox")
    endpoints = page.locator(".endpoints-table tbody tr")
    expect(endpoints).to_have_count(1)
    expect(endpoints.first).to_contain_text("Sandbox")
    expect(endpoints.first).to_contain_text("Development")
    expect(endpoints.first).to_contain_text("••••••••")
    assert SECRET not in page.content()

    # A second endpoint, for Production.
    page.get_by_role("link", name="+ Add endpoint").first.click()
    page.locator("#id_name").fill("Live")
    page.get_by_label("Endpoint URL").fill("https://api.mapbox.test/v2-live")
    page.get_by_label("Production").check()
    page.get_by_label("accessToken").fill(SECRET + "-live")
    page.get_by_role("button", name="Add endpoint", exact=True).click()
    expect(endpoints).to_have_count(2)
    expect(endpoints.filter(has_text="Live")).to_contain_text("Production")
    assert SECRET not in page.content()

    page.get_by_role("navigation", name="breadcrumb").get_by_role(
        "link", name="Third-Party Services"
    ).click()
    row = page.locator(".third-party-table tbody tr").filter(has_text="Mapbox")
    expect(row).to_contain_text("v2")
    expect(row).to_contain_text("Organization")
    expect(row).to_contain_text("Listed")
    assert SECRET not in page.content()

    # And it is in the marketplace, found in a few keystrokes.
    page.get_by_role("complementary", name="Console navigation").get_by_role(
        "link", name="Marketplace"
    ).click()
    page.get_by_label("Search services").fill("mapb")
    page.get_by_role("button", name="Search").click()
    card = page.locator("#browse-body article").filter(has_text="Mapbox")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("v2")
    expect(card).to_contain_text("Third-party")


def test_a_developer_publishes_an_endpoint_of_a_component(visitor, live_server):
    page, _ = visitor
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/components/checkout-api/")

    page.get_by_role("link", name="+ Add endpoint").click()
    page.locator("#id_endpoint_name").fill("Refunds")
    page.get_by_label("Network Visibility").select_option(label="Project")
    page.locator("#id_version").fill("1.0.0")
    page.get_by_label("URL in Development").fill("ftp://refunds.internal")
    page.get_by_role("button", name="Publish endpoint").click()

    expect(page.locator("#error_1_id_url_development")).to_contain_text("Only http:// and https://")
    expect(page.locator("#id_endpoint_name")).to_have_value("Refunds")
    page.get_by_label("URL in Development").fill("http://checkout-api.dev.internal:8080/refunds")
    page.get_by_role("button", name="Publish endpoint").click()

    expect(page).to_have_url(
        f"{live_server.url}/orgs/acme/projects/payments/components/checkout-api/"
    )
    row = page.get_by_role("row").filter(has_text="Checkout API - Refunds")
    expect(row).to_contain_text("refunds")
    expect(row).to_contain_text("Project")
    expect(row).to_contain_text("http://checkout-api.dev.internal:8080/refunds")
    expect(row).to_contain_text("Not deployed")
