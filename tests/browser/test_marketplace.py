"""Finding a service in the marketplace, as a visitor does."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_search_tick_a_filter_reload_and_keep_the_state(visitor, live_server):
    page, javascript = visitor
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/")
    page.get_by_role("complementary", name="Console navigation").get_by_role(
        "link", name="Marketplace"
    ).click()
    cards = page.locator("#browse-body article")
    expect(cards.first).to_be_visible()

    page.get_by_label("Search services").fill("twilio")
    if not javascript:
        page.get_by_role("button", name="Search").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Twilio SMS")

    page.get_by_label("Search services").fill("")
    if not javascript:
        page.get_by_role("button", name="Search").click()
    expect(cards).not_to_have_count(1)
    page.get_by_role("checkbox", name="Third-party").check()
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"type=third-party"))
    count = page.locator("#browse-count")
    expect(count).to_have_text(re.compile(r"^\d+ services?$"))
    expected = count.inner_text()
    third_party_count = page.get_by_role("checkbox", name="Third-party").locator(
        "xpath=ancestor::div[contains(@class,'form-check')]//span[contains(@class,'facet-count')]"
    )
    expect(third_party_count).to_have_text(expected.split()[0])
    expect(cards.filter(has_text="Internal")).to_have_count(0)

    page.reload()
    expect(page.get_by_role("checkbox", name="Third-party")).to_be_checked()
    expect(count).to_have_text(expected)
    expect(cards.filter(has_text="Internal")).to_have_count(0)


def test_a_card_opens_the_service_page_with_its_tabs(visitor, live_server):
    page, _ = visitor
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/marketplace/?q=checkout")
    page.locator("#browse-body").get_by_role("link", name="Checkout API - Payments").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout API - Payments")
    page.get_by_role("link", name="How to use").click()
    expect(page.get_by_text("resourceRef: service:/payments/checkout-api/")).to_be_visible()
    page.get_by_role("link", name="Used by").click()
    expect(page.locator("#tab-panel")).to_contain_text("Checkout")


def test_a_card_clicked_right_after_a_search_opens_with_no_second_search(visitor, live_server):
    """The search goes out as one types. Clicking a card takes the focus off
    the field, which fires its change event; had that sent the same search
    again, its answer's history push could cancel the click's navigation
    (a flaky create-connection test in CI showed exactly that)."""
    page, javascript = visitor
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/marketplace/")
    searches = []
    # The facet panel's own request for the counts (#17, item 15) is not a
    # search, nor is the redirect of a form sent without JavaScript to the
    # page's canonical address (console/url_state.py), which searches nothing.
    page.on(
        "response",
        lambda response: (
            searches.append(response.url)
            if "q=directory" in response.url
            and "/marketplace/facets/" not in response.url
            and not 300 <= response.status < 400
            else None
        ),
    )
    page.get_by_label("Search services").fill("directory")
    if not javascript:
        page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=directory"))
    cards = page.locator("#browse-body article")
    expect(cards).to_have_count(1)
    assert len(searches) == 1, searches

    cards.get_by_role("link", name="Employee Service - Directory").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Employee Service - Directory")
    assert len(searches) == 1, searches


def test_unticking_a_filter_brings_its_services_back(visitor, live_server):
    """Each change sends the form as it stands now: a value only the address
    bar still holds (the filter just unticked) must not ride along."""
    page, javascript = visitor
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/marketplace/")
    count = page.locator("#browse-count")
    expect(count).to_have_text(re.compile(r"^\d+ services$"))
    everything = count.inner_text()
    third_party = page.get_by_role("checkbox", name="Third-party")

    third_party.check()
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"type=third-party"))
    expect(count).not_to_have_text(everything)

    page.get_by_role("checkbox", name="Third-party").uncheck()
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(count).to_have_text(everything)
    expect(page).not_to_have_url(re.compile(r"type=third-party"))
    expect(page.get_by_role("checkbox", name="Third-party")).not_to_be_checked()


def test_next_and_previous_page_through_the_cards(visitor, live_server):
    page, javascript = visitor
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/marketplace/")
    cards = page.locator("#browse-body article")
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("Page 1 of 2")
    expect(cards).to_have_count(12)
    first_page = cards.all_inner_texts()

    pager.get_by_role("link", name="Next").click()
    expect(pager).to_contain_text("Page 2 of 2")
    # The address carries the position, so a reload or a shared link shows this page.
    expect(page).to_have_url(re.compile(r"page=2&after="))
    expect(cards.first).not_to_have_text(first_page[0])
    second_page = cards.all_inner_texts()
    assert second_page and not set(second_page) & set(first_page)
    expect(pager.get_by_role("link", name="Next")).to_have_count(0)

    page.reload()
    expect(pager).to_contain_text("Page 2 of 2")
    expect(cards).to_have_text(second_page)

    pager.get_by_role("link", name="Previous").click()
    expect(pager).to_contain_text("Page 1 of 2")
    expect(cards).to_have_text(first_page)
    if javascript:
        page.go_back()
        expect(pager).to_contain_text("Page 2 of 2")


def test_the_api_definition_tab_lists_operations_and_opens_the_text(visitor, live_server):
    page, _ = visitor
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/marketplace/?q=checkout")
    page.locator("#browse-body").get_by_role("link", name="Checkout API - Payments").first.click()
    page.get_by_role("link", name="API Definition").click()
    panel = page.locator("#tab-panel")
    expect(panel.get_by_role("heading", name="Operations")).to_be_visible()
    expect(panel).to_contain_text("/payment-intents")

    panel.get_by_text("The definition as uploaded").click()
    panel.get_by_role("link", name="Open as plain text").click()

    expect(page).to_have_url(re.compile(r"/marketplace/services/\d+/definition/$"))
    expect(page.locator("body")).to_contain_text('"openapi"')
