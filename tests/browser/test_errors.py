"""Errors inside the console (issue #17, items 8 and 9), with JavaScript on
and off: a form whose service leaves the marketplace comes back with why and
what was typed; a missing page or a failed swap shows a page of the console
that says why and links onwards, never nothing or a bare "Not Found"."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from marketplace.models import Service, Visibility
from tests.browser.test_create_connection import choose_service

PAYMENTS = "/orgs/acme/projects/payments/"


def test_create_after_the_service_left_the_marketplace_says_why_and_keeps_the_input(
    visitor, live_server
):
    page, javascript = visitor
    page.goto(f"{live_server.url}{PAYMENTS}connections/")
    choose_service(page, javascript, "twilio", "Twilio SMS")
    page.get_by_label("Name").fill("Order texts")
    page.get_by_label("Description").fill("Tells shoppers their order shipped")

    # Its Admin removes it from the marketplace while the form is open.
    Service.objects.filter(name="Twilio SMS").update(listed=False)
    page.get_by_role("button", name="Create").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Twilio SMS v1 was removed from the marketplace"
    )
    expect(page.get_by_label("Name")).to_have_value("Order texts")
    expect(page.get_by_label("Description")).to_have_value("Tells shoppers their order shipped")
    page.get_by_role("link", name="Choose another service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create Connection")
    expect(page.get_by_label("Search services")).to_be_visible()


def test_a_missing_page_is_a_page_of_the_console_with_a_way_on(visitor, live_server):
    page, _ = visitor
    page.goto(f"{live_server.url}{PAYMENTS}connections/00000000-0000-0000-0000-000000000000/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("No such connection here.")).to_be_visible()
    expect(page.get_by_role("complementary", name="Console navigation")).to_be_visible()
    page.locator("#main").get_by_role("link", name="Connections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connections")


def test_a_tab_of_a_service_that_vanished_shows_why_instead_of_nothing(visitor, live_server):
    page, _ = visitor
    page.goto(f"{live_server.url}{PAYMENTS}marketplace/?q=directory")
    page.locator("#browse-body").get_by_role("link", name="Employee Service - Directory").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Employee Service - Directory")

    # Its provider narrows it to its own project: Payments no longer sees it.
    Service.objects.filter(name="Employee Service - Directory").update(
        visibility=Visibility.PROJECT
    )
    page.get_by_role("link", name="How to use").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("No such service here.")).to_be_visible()
    page.locator("#main").get_by_role("link", name="Marketplace").click()
    expect(page).to_have_url(re.compile(r"/marketplace/$"))
