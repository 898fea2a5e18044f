"""Messages, warnings and confirmations before a change, with JavaScript on
and off (issue #17, items 10 and 11): the name rule said plainly, the
description's limit counted, "No endpoint" warned of before Create and
before an edit saves, Remove from Marketplace confirmed first, new endpoints at Project, and no
"+ Add endpoint" on a component that serves no requests."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from connections.models import Connection
from marketplace.models import Service

PAYMENTS = "/orgs/acme/projects/payments/"


def _open_create_form(page, base_url: str, service: str) -> None:
    service_id = Service.objects.get(name=service).pk
    page.goto(f"{base_url}{PAYMENTS}connections/create/{service_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create Connection")


def test_a_name_in_other_letters_is_told_the_rule_and_the_description_counts(visitor, live_server):
    page, javascript = visitor
    _open_create_form(page, live_server.url, "Twilio SMS")

    description = page.get_by_label("Description")
    if javascript:
        description.fill("Texts")
        expect(page.get_by_text("5 / 1,000")).to_be_visible()
        description.fill("x" * 1_000)
        expect(page.get_by_text("1,000 / 1,000")).to_be_visible()
    else:
        expect(page.get_by_text("At most 1,000 characters.")).to_be_visible()
        description.fill("Texts")

    page.get_by_label("Name").fill("Ünïcödé")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("may only use ASCII letters (A to Z, without accents)")).to_be_visible()
    expect(page.get_by_text("“Ü” is not one of them")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Ünïcödé")


def test_no_endpoint_is_warned_of_before_create(visitor, live_server):
    page, javascript = visitor
    _open_create_form(page, live_server.url, "Twilio SMS")
    page.get_by_label("Name").fill("Order texts")
    page.get_by_text("Environment to Endpoint Mapping").click()
    warning = page.locator("#no-endpoint-production")
    expect(warning).to_be_hidden()

    page.get_by_label("Production").select_option(label="No endpoint")
    if javascript:
        # Seen as soon as it is chosen: Create goes ahead.
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("the connection is Pending there")
    else:
        # Nothing can show it before the page is sent: Create asks once more.
        page.get_by_role("button", name="Create").click()
        expect(
            page.get_by_text("Choose an endpoint, or click Create again to create it without one.")
        ).to_be_visible()
        expect(warning).to_be_visible()
        expect(page.get_by_label("Production")).to_have_value("")
        assert not Connection.objects.filter(name="Order texts").exists()

    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order texts")
    binding = Connection.objects.get(name="Order texts").bindings.get(
        environment__handle="production"
    )
    assert binding.endpoint is None


def test_no_endpoint_is_warned_of_before_an_edit_saves(visitor, live_server):
    page, javascript = visitor
    datadog = Connection.objects.get(name="Datadog", project__handle="payments", component=None)
    page.goto(f"{live_server.url}{PAYMENTS}connections/{datadog.public_id}/edit/")
    warning = page.locator("#no-endpoint-production")
    expect(warning).to_be_hidden()

    page.get_by_label("Production").select_option(label="No endpoint")
    if javascript:
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("the connection is Pending there")
    else:
        page.get_by_role("button", name="Save").click()
        expect(
            page.get_by_text("Choose an endpoint, or click Save again to save it without one.")
        ).to_be_visible()
        expect(warning).to_be_visible()
        assert datadog.bindings.get(environment__handle="production").endpoint is not None

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The connection was saved.")).to_be_visible()
    assert datadog.bindings.get(environment__handle="production").endpoint is None


def test_remove_from_marketplace_asks_first(visitor, live_server):
    page, _ = visitor
    stripe = Service.objects.get(name="Stripe API", major=1, organization__handle="acme")
    page.goto(f"{live_server.url}/orgs/acme/third-party-services/{stripe.pk}/")

    page.get_by_role("link", name="Remove from Marketplace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove Stripe API v1 from the marketplace?"
    )
    expect(page.locator(".affected-connections")).to_contain_text("Stripe")
    assert Service.objects.get(pk=stripe.pk).listed  # nothing done yet

    page.get_by_role("button", name="Remove from Marketplace").click()
    expect(page.get_by_text("Removed from the marketplace").first).to_be_visible()
    assert not Service.objects.get(pk=stripe.pk).listed


def test_a_new_endpoint_starts_at_project_and_a_task_offers_none(visitor, live_server):
    page, _ = visitor
    page.goto(f"{live_server.url}{PAYMENTS}components/checkout-api/")
    page.get_by_role("link", name="+ Add endpoint").click()
    expect(page.get_by_label("Network Visibility")).to_have_value("project")

    page.goto(f"{live_server.url}{PAYMENTS}components/ledger-worker/")
    expect(page.get_by_text("A Scheduled Task serves no requests")).to_be_visible()
    expect(page.get_by_role("link", name="+ Add endpoint")).to_have_count(0)

    page.goto(f"{live_server.url}{PAYMENTS}components/ledger-worker/endpoints/add/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_text(re.compile("it serves no requests"))).to_be_visible()
