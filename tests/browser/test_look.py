"""The console's look (issue #17, 13), where it can be checked: one page
header band, neutral values with a copy button each, relative times with
the exact one on hover, people's full names, service cards that tell
versions apart, quiet links in tables, an overview that never outranks the
page's title."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

STOREFRONT = "/orgs/acme/projects/payments/components/storefront"


def _checkout_page(base: str) -> str:
    from connections.models import Connection

    checkout = Connection.objects.get(name="Checkout", component__handle="storefront")
    return f"{base}{STOREFRONT}/connections/{checkout.public_id}/"


def _is_neutral(css_color: str) -> bool:
    """A grey: its red, green and blue within a few steps of each other."""
    red, green, blue = (int(part) for part in re.findall(r"\d+", css_color)[:3])
    return max(red, green, blue) - min(red, green, blue) <= 16


def _colors_of(page: Page, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all(
        "elements => elements.map(e => getComputedStyle(e).color)"
    )


def test_each_main_page_has_one_header_band_with_its_title(visitor, live_server):
    page, _ = visitor
    for path in (
        "/orgs/acme/",
        "/orgs/acme/projects/payments/",
        f"{STOREFRONT}/connections/",
        "/orgs/acme/projects/payments/components/checkout-api/",
        "/orgs/acme/settings/members/",
    ):
        page.goto(live_server.url + path)
        band = page.locator("main > header.page-header")
        expect(band).to_have_count(1)
        expect(band.get_by_role("heading", level=1)).to_have_count(1)
    page.goto(_checkout_page(live_server.url))
    band = page.locator("header.page-header")
    expect(band.get_by_role("heading", level=1)).to_have_text("Checkout")
    # Its status chips, its actions on the right, its line of facts.
    expect(band.locator(".page-header-chips")).to_contain_text("Development")
    expect(band.locator(".page-header-actions").get_by_role("link", name="Delete")).to_be_visible()
    expect(band.locator(".page-header-facts")).to_contain_text("Checkout API - Payments")


def test_values_are_neutral_monospace_with_a_copy_button_each(visitor, live_server):
    page, javascript = visitor
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(_checkout_page(live_server.url))

    codes = _colors_of(page, "main code")
    assert codes and all(_is_neutral(color) for color in codes), codes

    # Every environment variable and every value shown in the clear.
    variables = page.locator("section.card td").filter(has_text=re.compile(r"^CHOREO_"))
    expect(variables).to_have_count(8)
    values = page.locator("section.card td.value-cell").filter(has=page.locator("code.value"))
    expect(values).to_have_count(6)  # ServiceURL, ConsumerKey, TokenURL in each environment
    for cell in variables.all() + values.all():
        button = cell.get_by_role("button", name=re.compile("^Copy "))
        # Copying needs JavaScript: without it there is no button that cannot work.
        expect(button).to_be_visible(visible=javascript)

    if javascript:
        button = page.get_by_role("button", name="Copy CHOREO_CHECKOUT_SERVICEURL in Development")
        button.click()
        assert page.evaluate("navigator.clipboard.readText()") == "CHOREO_CHECKOUT_SERVICEURL"


def test_times_say_how_long_ago_with_the_exact_time_on_hover(visitor, live_server):
    page, _ = visitor
    for url in (f"{live_server.url}{STOREFRONT}/connections/", _checkout_page(live_server.url)):
        page.goto(url)
        times = page.locator("main time")
        expect(times.first).to_be_visible()
        for time in times.all():
            expect(time).to_have_text(re.compile(r"ago|now"))
            # The exact moment, to the second, and for machines in datetime.
            expect(time).to_have_attribute("title", re.compile(r"\d{4}, \d\d:\d\d:\d\d UTC$"))
            expect(time).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))


def test_people_show_by_their_names(visitor, live_server):
    page, _ = visitor
    page.goto(f"{live_server.url}{STOREFRONT}/connections/")
    expect(page.locator("header.topbar")).to_contain_text("Demo User")
    created_by = page.locator(".connections-table tbody tr").filter(has_text="Checkout")
    expect(created_by).to_contain_text("Priya Raman")
    expect(created_by.get_by_text("priya", exact=True)).to_have_count(0)
    page.goto(_checkout_page(live_server.url))
    expect(page.locator(".page-header-facts")).to_contain_text("by Priya Raman")


@pytest.mark.parametrize(
    ("path", "links"),
    [
        (f"{STOREFRONT}/connections/", ".connections-table tbody a"),
        ("/orgs/acme/third-party-services/", ".third-party-table tbody a:not(.btn)"),
        # The activity log is a list laid out as a table.
        ("/orgs/acme/projects/payments/activity/", ".activity-list a"),
    ],
)
def test_links_in_tables_are_not_underlined(visitor, live_server, path, links):
    page, _ = visitor
    page.goto(f"{live_server.url}{path}")
    links = page.locator(links)
    expect(links.first).to_be_visible()
    decorations = links.evaluate_all(
        "links => links.map(a => getComputedStyle(a).textDecorationLine)"
    )
    assert set(decorations) == {"none"}, decorations


def test_the_activity_log_names_people_in_full_on_a_wide_screen(visitor, live_server):
    page, _ = visitor
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/activity/")
    who = page.locator(".activity-list > li").filter(has_text="Customer SMS").locator("div[title]")
    expect(who).to_contain_text("Priya Raman")
    assert who.evaluate("cell => cell.scrollWidth <= cell.clientWidth"), "the name is cut off"


def test_service_cards_show_the_type_and_tell_versions_apart(visitor, live_server):
    page, _ = visitor
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/marketplace/?q=checkout")
    cards = page.locator("#browse-body article").filter(has_text="Checkout API - Payments")
    expect(cards).to_have_count(2)
    for card in cards.all():
        expect(card.locator(".service-icon .bi")).to_have_count(1)
        expect(card.locator(".service-icon")).to_have_attribute("title", "REST")
    v1 = cards.locator(".version-badge", has_text=re.compile("^v1$"))
    v2 = cards.locator(".version-badge", has_text=re.compile("^v2$"))
    colors = [badge.evaluate("b => getComputedStyle(b).backgroundColor") for badge in (v1, v2)]
    assert colors[0] != colors[1], colors


def test_an_overview_never_outranks_the_page_title(visitor, live_server):
    from marketplace.models import Service

    page, _ = visitor
    checkout = Service.objects.get(name="Checkout API - Payments", major=1)
    page.goto(f"{live_server.url}/orgs/acme/projects/payments/marketplace/services/{checkout.pk}/")
    title = page.get_by_role("heading", level=1)
    title_size = title.evaluate("h => parseFloat(getComputedStyle(h).fontSize)")
    overview_headings = page.locator(".markdown-body").locator("h1, h2, h3, h4, h5, h6")
    expect(overview_headings.first).to_be_visible()
    sizes = overview_headings.evaluate_all(
        "hs => hs.map(h => parseFloat(getComputedStyle(h).fontSize))"
    )
    assert max(sizes) < title_size, (sizes, title_size)
