"""The console at a phone's, a tablet's, a small laptop's and a desktop's width
(issue #17, 12): the page never scrolls sideways, the top bar keeps every
item on screen, and the sidebar collapses behind a menu button (stacked
above the content without JavaScript)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

WIDTHS = (390, 768, 1024, 1440)
# Below this width the sidebar is out of the way (Bootstrap's xl breakpoint).
SIDEBAR_BESIDE_FROM = 1200


def _main_pages(base: str) -> dict[str, str]:
    from connections.models import Connection
    from marketplace.models import Service

    checkout = Connection.objects.get(name="Checkout", component__handle="storefront")
    stripe = Service.objects.get(organization__handle="acme", name="Stripe API")
    payments = f"{base}/orgs/acme/projects/payments"
    storefront = f"{payments}/components/storefront"
    return {
        "organization": f"{base}/orgs/acme/",
        "marketplace": f"{payments}/marketplace/",
        "service": f"{payments}/marketplace/services/{stripe.pk}/",
        "connections": f"{storefront}/connections/",
        "connection": f"{storefront}/connections/{checkout.public_id}/",
        "create wizard": f"{storefront}/connections/create/{stripe.pk}/",
        "component": f"{payments}/components/checkout-api/",
        "settings": f"{base}/orgs/acme/settings/members/",
        "third-party services": f"{base}/orgs/acme/third-party-services/",
    }


def _page_width_overflow(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def _top_bar_items(page: Page):
    bar = page.locator("header.topbar")
    return {
        "brand": bar.get_by_role("link", name="Junction"),
        "Organization": page.locator("#organization-menu > summary"),
        "Project": page.locator("#project-menu > summary"),
        "Component": page.locator("#component-menu > summary"),
        "person": bar.get_by_role("link", name=re.compile("^Demo User.*change your password")),
        "Log out": bar.get_by_role("button", name="Log out"),
    }


def test_no_page_scrolls_sideways_and_the_top_bar_fits(visitor, live_server):
    page, _ = visitor
    pages = _main_pages(live_server.url)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in pages.items():
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert _page_width_overflow(page) <= 0, f"{name} scrolls sideways at {width} px"
        # The top bar of a component's page holds the most: three scope menus.
        page.goto(pages["connections"])
        for item, locator in _top_bar_items(page).items():
            expect(locator).to_be_visible()
            box = locator.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (
                f"{item} is off screen at {width} px: {box}"
            )


def test_a_wide_table_scrolls_in_its_own_box(visitor, live_server):
    page, _ = visitor
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(_main_pages(live_server.url)["connections"])
    box = page.locator(".table-responsive").filter(has=page.locator(".connections-table"))
    expect(box).to_be_visible()
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert _page_width_overflow(page) <= 0


def test_a_long_unbroken_name_wraps(visitor, live_server):
    from console.models import Project

    page, _ = visitor
    page.set_viewport_size({"width": 390, "height": 900})
    long_name = "Payments" + "X" * 80
    Project.objects.filter(handle="payments").update(name=long_name)
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/")
    expect(page.get_by_role("heading", level=1)).to_have_text(long_name)
    assert _page_width_overflow(page) <= 0


def test_the_sidebar_collapses_behind_the_menu_button(visitor, live_server):
    page, javascript = visitor
    sidebar = page.get_by_role("complementary", name="Console navigation")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/orgs/acme/projects/payments/")
        menu_button = page.get_by_role("button", name="Navigation menu")
        if width >= SIDEBAR_BESIDE_FROM:
            # Beside the content, always there.
            expect(menu_button).to_be_hidden()
            expect(sidebar.get_by_role("link", name="Marketplace")).to_be_visible()
            assert sidebar.bounding_box()["x"] == 0
            continue
        if not javascript:
            # Nothing can slide in: the sidebar stacks above the content.
            expect(menu_button).to_be_hidden()
            expect(sidebar.get_by_role("link", name="Marketplace")).to_be_visible()
            heading = page.get_by_role("heading", level=1).bounding_box()
            stacked = sidebar.bounding_box()
            assert heading["y"] >= stacked["y"] + stacked["height"]
            continue
        expect(sidebar.get_by_role("link", name="Marketplace")).to_be_hidden()
        menu_button.click()
        # Open, Bootstrap names it a dialog.
        drawer = page.get_by_role("dialog", name="Console navigation")
        expect(drawer.get_by_role("link", name="Marketplace")).to_be_visible()
        page.get_by_role("button", name="Close the navigation menu").click()
        expect(page.get_by_role("link", name="Marketplace")).to_be_hidden()
        menu_button.click()
        drawer.get_by_role("link", name="Marketplace").click()
        expect(page).to_have_url(f"{live_server.url}/orgs/acme/projects/payments/marketplace/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Marketplace")


def test_a_phone_sees_the_marketplace_results_first_and_its_filters_on_demand(visitor, live_server):
    page, javascript = visitor
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/marketplace/")
    first_card = page.locator(".service-card").first
    facets = page.locator("#facet-panel")
    if not javascript:
        # Nothing can unfold them: the filters are simply shown.
        expect(facets).to_be_visible()
        expect(page.get_by_role("button", name="Filters", exact=True)).to_be_hidden()
        return

    expect(first_card).to_be_in_viewport()
    expect(facets).to_be_hidden()
    page.get_by_role("button", name="Filters", exact=True).click()
    expect(facets).to_be_visible()

    # A filter ticked re-renders the results and the facets: the panel the
    # person opened stays open for the next one.
    page.get_by_role("checkbox", name="Third-party").check()
    expect(page).to_have_url(re.compile(r"type=third_party|type=third-party"))
    expect(facets).to_be_visible()
    expect(page.get_by_role("button", name="Filters", exact=True)).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(page.get_by_role("checkbox", name="Third-party")).to_be_checked()

    # From lg up the facets are beside the results, without a button.
    page.set_viewport_size({"width": 1440, "height": 900})
    expect(facets).to_be_visible()
    expect(page.get_by_role("button", name="Filters", exact=True)).to_be_hidden()
