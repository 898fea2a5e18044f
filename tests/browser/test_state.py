"""State that never slips (#17, items 1 to 7): what a click, the address bar,
Back, Forward, reload, an expired session and the keyboard's focus do to
the marketplace, the lists, a service's tabs and the create wizard. With
JavaScript on and off."""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route, expect

MARKETPLACE = "/orgs/acme/projects/payments/marketplace/"
CONNECTIONS = "/orgs/acme/projects/payments/connections/"
CREATE = "/orgs/acme/projects/payments/connections/create/"


class HeldSearch:
    """Holds the first request of a search in the browser, as a slow
    network would, until the test lets it go."""

    def __init__(self, page: Page, text: str) -> None:
        self.page = page
        self.route: Route | None = None
        self.seen = False
        page.route(re.compile(rf"[?&]q={re.escape(text)}(&|$)"), self._handle)

    def _handle(self, route: Route) -> None:
        if self.seen:
            route.continue_()
            return
        self.seen, self.route = True, route

    def wait_until_sent(self) -> None:
        for _ in range(200):
            if self.route is not None:
                return
            self.page.wait_for_timeout(25)
        raise AssertionError("the search was never sent")

    def release(self) -> None:
        # htmx may have aborted it meanwhile (a newer request replaced it).
        if self.route is not None:
            with contextlib.suppress(PlaywrightError):
                self.route.continue_()


def _cards(page: Page):
    return page.locator("#browse-body article")


def _submit_search(page: Page, javascript: bool) -> None:
    if not javascript:
        page.get_by_role("button", name="Search").click()


def _apply_filters(page: Page, javascript: bool) -> None:
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()


# 1. The first click on a facet counts, even while a search is on its way.


def test_a_facet_ticked_while_a_search_is_on_its_way_stays_ticked(visitor, live_server):
    page, javascript = visitor
    page.goto(live_server.url + MARKETPLACE)
    expect(_cards(page).first).to_be_visible()
    held = HeldSearch(page, "api") if javascript else None

    page.get_by_label("Search services").fill("api")
    _submit_search(page, javascript)
    if held:
        held.wait_until_sent()
    third_party = page.get_by_role("checkbox", name="Third-party")
    third_party.check()
    if held:
        held.release()
    _apply_filters(page, javascript)

    expect(page).to_have_url(re.compile(r"type=third-party"))
    expect(third_party).to_be_checked()
    expect(page.get_by_label("Search services")).to_have_value("api")
    expect(_cards(page).filter(has_text="Stripe API")).to_have_count(1)
    expect(_cards(page).filter(has_text="Internal")).to_have_count(0)


# 2 and 3. A change of search, filter or sort returns to the first page; the
# address holds each parameter once and nothing at its default.


def test_a_filter_after_page_two_of_the_marketplace_starts_again_at_page_one(visitor, live_server):
    page, javascript = visitor
    page.goto(live_server.url + MARKETPLACE)
    # Without JavaScript a form writes all its fields into the address; the
    # page redirects to its own, and the links it draws are as clean.
    _submit_search(page, javascript)
    expect(page).to_have_url(live_server.url + MARKETPLACE)
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("Page 1 of 2")
    expect(pager.get_by_role("link", name="Next")).to_have_attribute(
        "href", re.compile(rf"^{re.escape(MARKETPLACE)}\?page=2&after=[\w-]+$")
    )
    count = page.locator("#browse-count")
    everything = count.inner_text()
    pager.get_by_role("link", name="Next").click()
    expect(pager).to_contain_text("Page 2 of 2")

    page.get_by_role("checkbox", name="Internal").check()
    _apply_filters(page, javascript)

    expect(count).not_to_have_text(everything)
    expect(count).to_have_text(re.compile(r"^\d+ services?$"))
    expect(_cards(page)).to_have_count(min(12, int(count.inner_text().split()[0])))
    expect(page).to_have_url(f"{live_server.url}{MARKETPLACE}?type=internal")
    page.get_by_label("Search services").fill("employee")
    _submit_search(page, javascript)
    expect(page).to_have_url(f"{live_server.url}{MARKETPLACE}?q=employee&type=internal")
    page.get_by_role("checkbox", name="Internal").uncheck()
    _apply_filters(page, javascript)
    expect(page).to_have_url(f"{live_server.url}{MARKETPLACE}?q=employee")

    page.reload()
    expect(_cards(page).first).to_be_visible()
    expect(page.locator("#browse-body")).not_to_contain_text("No service matches")


@pytest.fixture
def many_connections(demo):
    """More connections in Payments than one page of the list holds."""
    from console.models import Project
    from marketplace.models import Service
    from tests.factories import bulk_connections

    payments = Project.objects.get(organization__handle="acme", handle="payments")
    twilio = Service.objects.get(organization=payments.organization, name="Twilio SMS")
    bulk_connections(payments, twilio, 25, "Text alerts")


def test_a_sort_after_page_two_of_a_list_starts_again_at_page_one(
    visitor, live_server, many_connections
):
    page, javascript = visitor
    page.goto(live_server.url + CONNECTIONS)
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("Page 1 of 2")
    pager.get_by_role("link", name="Next").click()
    expect(pager).to_contain_text("Page 2 of 2")

    page.get_by_label("Sort").select_option("Newest first")
    if not javascript:
        page.get_by_role("button", name="Apply").click()

    expect(pager).to_contain_text("Page 1 of 2")
    expect(page).to_have_url(f"{live_server.url}{CONNECTIONS}?sort=-created")
    expect(pager.get_by_role("link", name="Next")).to_have_attribute(
        "href", f"{CONNECTIONS}?sort=-created&page=2"
    )
    pager.get_by_role("link", name="Next").click()
    expect(pager).to_contain_text("Page 2 of 2")
    expect(pager.get_by_role("link", name="Previous")).to_have_attribute(
        "href", f"{CONNECTIONS}?sort=-created"
    )

    page.get_by_label("Sort").select_option("Name, A to Z")
    if not javascript:
        page.get_by_role("button", name="Apply").click()
    expect(pager).to_contain_text("Page 1 of 2")
    expect(page).to_have_url(f"{live_server.url}{CONNECTIONS}")


# 4. A service's tabs mark the tab that is shown.


def test_the_tab_shown_is_the_tab_marked_current(visitor, live_server):
    page, _ = visitor
    page.goto(live_server.url + MARKETPLACE + "?q=checkout")
    page.locator("#browse-body").get_by_role("link", name="Checkout API - Payments").first.click()
    tabs = page.locator("#service-tabs")
    expect(tabs.locator("[aria-current=page]")).to_have_text("Overview")

    for label in ("API Definition", "How to use", "Used by", "Overview"):
        tabs.get_by_role("link", name=label).click()
        expect(tabs.locator("[aria-current=page]")).to_have_text(label)
        expect(tabs.locator(".active")).to_have_text(label)
    expect(page).to_have_url(re.compile(r"/services/\d+/$"))


# 5. Back, Forward and reload keep the wizard's state.


def _open_the_directory_form(page: Page, live_server, javascript: bool) -> None:
    page.goto(live_server.url + CREATE)
    page.get_by_label("Search services").fill("directory")
    _submit_search(page, javascript)
    expect(_cards(page)).to_have_count(1)
    page.locator("#browse-body").get_by_role("link", name="Employee Service - Directory").click()
    expect(page.get_by_label("Name")).to_be_visible()


def _expect_step_two(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", name="Service URL")).to_be_visible()
    expect(page.locator("#wizard dl")).to_contain_text(name)


def test_back_forward_and_reload_keep_the_wizard_s_state(visitor, live_server):
    page, javascript = visitor
    _open_the_directory_form(page, live_server, javascript)
    form_url = page.url
    page.get_by_label("Name").fill("Staff directory")
    page.get_by_label("Description").fill("Who works here")
    page.get_by_role("button", name="Next").click()
    _expect_step_two(page, "Staff directory")
    expect(page).not_to_have_url(form_url)

    page.go_back()
    expect(page).to_have_url(form_url)
    expect(page.get_by_label("Name")).to_have_value("Staff directory")
    expect(page.get_by_label("Description")).to_have_value("Who works here")

    page.go_forward()
    _expect_step_two(page, "Staff directory")
    page.reload()
    _expect_step_two(page, "Staff directory")
    expect(page.locator("#wizard dl")).to_contain_text("Who works here")

    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Staff directory")
    expect(page.get_by_text("Who works here")).to_be_visible()


# 6. An expired session sends the whole page to log in, and back afterwards.


def test_an_expired_session_logs_in_again_and_returns_to_the_wizard(visitor, live_server):
    from django.contrib.sessions.models import Session

    page, javascript = visitor
    _open_the_directory_form(page, live_server, javascript)
    form_url = page.url
    page.get_by_label("Name").fill("Staff directory")
    Session.objects.all().delete()

    page.get_by_role("button", name="Next").click()

    path = form_url.removeprefix(live_server.url)
    expect(page).to_have_url(re.compile(rf"/accounts/login/\?next={re.escape(path)}$"))
    expect(page.locator("#wizard")).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(form_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Create Connection")


# 7. Focus: the form's first field when it opens, the first error, the new
# step's heading; never the page's body after a swap.


def test_focus_goes_to_the_first_field_the_first_error_and_the_new_step(visitor, live_server):
    page, javascript = visitor
    _open_the_directory_form(page, live_server, javascript)
    expect(page.get_by_label("Name")).to_be_focused()

    page.get_by_label("Description").fill("Who works here")
    page.get_by_label("Name").fill("")
    page.get_by_label("Description").focus()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#wizard .invalid-feedback").first).to_be_visible()
    expect(page.get_by_label("Name")).to_be_focused()

    page.get_by_label("Name").fill("Staff directory")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Service URL")).to_be_focused()

    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("Name")).to_be_focused()


def test_a_card_the_keyboard_is_on_keeps_the_focus_through_a_swap(browser, live_server, demo):
    from tests.browser.conftest import sign_in

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url)
    page.goto(live_server.url + MARKETPLACE)
    stripe = page.locator("#browse-body").get_by_role("link", name="Stripe API")
    expect(stripe).to_be_visible()
    held = HeldSearch(page, "api")

    page.get_by_label("Search services").fill("api")
    held.wait_until_sent()
    stripe.focus()
    _release_and_wait_for_the_swap(page, held)
    expect(stripe).to_be_focused()

    # A card that the new results leave out: the focus stays in the results.
    datadog = page.locator("#browse-body").get_by_role("link", name="Datadog")
    page.get_by_label("Search services").fill("")
    expect(datadog).to_be_visible()
    held = HeldSearch(page, "stripe")
    page.get_by_label("Search services").fill("stripe")
    held.wait_until_sent()
    datadog.focus()
    _release_and_wait_for_the_swap(page, held)
    expect(datadog).to_have_count(0)
    assert page.evaluate("document.activeElement.closest('#browse-body') !== null")
    context.close()


def _release_and_wait_for_the_swap(page: Page, held: HeldSearch) -> None:
    page.locator("#browse-body").evaluate("element => element.dataset.before = 'yes'")
    held.release()
    expect(page.locator("#browse-body[data-before]")).to_have_count(0)
