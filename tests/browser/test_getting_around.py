"""Getting around, and a search's results before its counts (#17, items 14
and 15), as a person clicks through them, with JavaScript on and off."""

from __future__ import annotations

import re

from playwright.sync_api import expect

STOREFRONT = "/orgs/acme/projects/payments/components/storefront/connections/"
PAYMENTS = "/orgs/acme/projects/payments/connections/"
MARKETPLACE = "/orgs/acme/projects/payments/marketplace/"


def test_a_person_goes_from_a_connection_to_its_service_and_its_publisher(visitor, live_server):
    page, _ = visitor
    page.goto(live_server.url + STOREFRONT)
    page.locator("#connection-results").get_by_role("link", name="Checkout", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout")

    page.get_by_role("link", name="Checkout API - Payments").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout API - Payments")
    expect(page).to_have_url(re.compile(r"/components/storefront/marketplace/services/\d+/$"))

    page.locator(".published-by").get_by_role("link", name="Payments").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Payments")
    page.go_back()
    page.locator(".published-by").get_by_role("link", name="Checkout API").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout API")
    expect(page).to_have_url(re.compile(r"/projects/payments/components/checkout-api/$"))


def test_a_person_downloads_the_api_definition(visitor, live_server):
    page, _ = visitor
    page.goto(live_server.url + MARKETPLACE + "?q=checkout")
    page.locator("#browse-body").get_by_role("link", name="Checkout API - Payments").first.click()
    page.get_by_role("link", name="API Definition").click()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()

    assert re.fullmatch(
        r"checkout-api-payments-v\d\.(yaml|json)", download.value.suggested_filename
    )
    with open(download.value.path(), encoding="utf-8") as saved:
        assert "openapi" in saved.read(200)


def test_a_person_lists_every_label_and_finds_one(visitor, live_server):
    page, javascript = visitor
    page.goto(live_server.url + MARKETPLACE)
    labels = page.locator("#label-values").get_by_role("checkbox")
    expect(labels).to_have_count(15)

    page.get_by_role("link", name="Show all labels").click()
    expect(page).to_have_url(re.compile(r"labels=all"))
    expect(labels).to_have_count(20)
    page.get_by_label("Search labels").fill("pc")
    if not javascript:
        page.get_by_label("Search labels").press("Enter")
    expect(labels).to_have_count(2)  # pci, and grpc
    expect(page.get_by_role("checkbox", name="pci")).to_be_visible()

    page.get_by_role("checkbox", name="pci").check()
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"tag=pci"))
    cards = page.locator("#browse-body article")
    expect(cards.first).to_be_visible()
    expect(cards.filter(has_not_text="pci")).to_have_count(0)
    expect(page.get_by_role("checkbox", name="pci")).to_be_checked()


def test_a_project_list_shows_its_components_connections_when_asked(visitor, live_server):
    page, javascript = visitor
    page.goto(live_server.url + PAYMENTS)
    results = page.locator("#connection-results")
    expect(results.get_by_role("link", name="Stripe", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="Checkout", exact=True)).to_have_count(0)

    page.get_by_label("Include components' connections").check()
    if not javascript:
        page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"components=1"))
    expect(results.get_by_role("columnheader", name="Component")).to_be_visible()
    row = results.get_by_role("row").filter(
        has=page.get_by_role("link", name="Checkout", exact=True)
    )
    expect(row.get_by_role("link", name="Storefront")).to_be_visible()
    row.get_by_role("link", name="Checkout", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout")
    expect(page).to_have_url(re.compile(r"/components/storefront/connections/"))


def test_a_search_shows_its_cards_then_its_counts(visitor, live_server):
    page, javascript = visitor
    page.goto(live_server.url + MARKETPLACE)
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    count = page.locator("#browse-count")

    page.get_by_label("Search services").fill("c")
    if not javascript:
        page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"q=c"))
    expect(page.locator("#browse-body article").first).to_be_visible()
    expect(count).to_have_text(re.compile(r"^\d+ services?$"))
    expect(page.locator("#facet-panel .facet-count-pending")).to_have_count(0)
    internal = page.get_by_role("checkbox", name="Internal").locator(
        "xpath=ancestor::div[contains(@class,'form-check')]//span[contains(@class,'facet-count')]"
    )
    expect(internal).to_have_text(re.compile(r"^\d+$"))
    facet_requests = [url for url in asked if "/marketplace/facets/" in url]
    if javascript:
        # The cards came with the search; the counts in a request of their own.
        assert facet_requests and all("q=c" in url for url in facet_requests), asked
    else:
        assert facet_requests == []
