"""Steps 1 and 2 of the seed, as a person does them: set the scope in the top
bar, then Dependencies > Connections. With JavaScript on and off."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def _open_menu(page: Page, label: str) -> None:
    page.locator(f"#{label.lower()}-menu > summary").click()


def _results(page: Page):
    return page.locator("#connection-results tbody tr")


def test_a_person_finds_the_connections_of_a_project_and_of_a_component(visitor, live_server):
    page, javascript = visitor

    # Step 1, project level: Acme Corp is chosen; choose the project.
    _open_menu(page, "Project")
    page.locator("#project-menu").get_by_role("link", name="Payments").click()
    expect(page).to_have_url(f"{live_server.url}/orgs/acme/projects/payments/")

    # Step 2: Dependencies, then Connections.
    sidebar = page.get_by_role("complementary", name="Console navigation")
    sidebar.get_by_text("Dependencies").click()
    sidebar.get_by_role("link", name="Connections").click()
    expect(page).to_have_url(f"{live_server.url}/orgs/acme/projects/payments/connections/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connections")
    expect(_results(page).filter(has_text="Stripe")).to_have_count(1)
    expect(_results(page).filter(has_text="Checkout")).to_have_count(0)

    # Step 1, component level: choose Storefront, by searching for it.
    _open_menu(page, "Component")
    search = page.locator("#component-menu").get_by_role("searchbox")
    search.fill("store")
    if javascript:
        expect(page.locator("#component-menu-items .menu-entry")).to_have_count(2)  # clear + 1
        page.locator("#component-menu-items").get_by_role("link", name="Storefront").click()
    else:
        search.press("Enter")
        expect(page.get_by_role("heading", name="Choose a component")).to_be_visible()
        page.get_by_role("main").get_by_role("link", name="Storefront").click()
    expect(page).to_have_url(
        f"{live_server.url}/orgs/acme/projects/payments/components/storefront/connections/"
    )
    # Its own connection and the project's, marked as such.
    expect(_results(page).filter(has_text="Checkout")).to_have_count(1)
    stripe_row = _results(page).filter(has_text="Stripe")
    expect(stripe_row.get_by_text("Project", exact=True)).to_be_visible()

    # Clearing the component returns to the project level.
    _open_menu(page, "Component")
    page.locator("#component-menu").get_by_role("link", name=re.compile("No component")).click()
    expect(page).to_have_url(f"{live_server.url}/orgs/acme/projects/payments/connections/")


def test_a_person_filters_and_comes_back_with_the_browser(visitor, live_server):
    page, javascript = visitor
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/components/storefront/connections/")
    expect(_results(page)).to_have_count(3)

    page.get_by_label("Type").select_option(label="Third-party")
    if not javascript:
        page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"type=third-party"))
    expect(_results(page).filter(has_text="Checkout")).to_have_count(0)
    expect(_results(page)).to_have_count(2)

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"type="))
    expect(_results(page)).to_have_count(3)
    page.go_forward()
    expect(_results(page)).to_have_count(2)
    page.reload()
    expect(_results(page)).to_have_count(2)
    expect(page.get_by_label("Type")).to_have_value("third-party")


def test_typing_in_the_search_swaps_only_the_results(page: Page, live_server, demo, log_in):
    log_in()
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/components/storefront/connections/")
    page.evaluate("window.__kept = true")  # gone if the whole page reloads

    page.get_by_label("Search", exact=True).fill("check")

    expect(page).to_have_url(re.compile(r"q=check"))
    expect(_results(page)).to_have_count(1)
    assert page.evaluate("window.__kept") is True
