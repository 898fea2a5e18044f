"""The connection page as a person uses it: reveal a secret, edit the
description, delete a connection after confirming. With JavaScript on and
off."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from connections.models import Connection
from console.models import Action, ActivityEvent

STOREFRONT = "/orgs/acme/projects/payments/components/storefront/connections/"
PAYMENTS = "/orgs/acme/projects/payments/connections/"


def _open_checkout(page: Page, base_url: str) -> None:
    page.goto(base_url + STOREFRONT)
    page.locator("#connection-results").get_by_role("link", name="Checkout", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout")


def test_a_person_reveals_an_oauth_secret(visitor, live_server):
    page, javascript = visitor
    checkout = Connection.objects.get(name="Checkout", component__handle="storefront")
    secret = checkout.bindings.get(environment__handle="development").consumer_secret.reveal()
    _open_checkout(page, live_server.url)
    detail_url = page.url
    expect(page.get_by_text(secret)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Copy component.yaml"))).to_be_visible(
        visible=javascript
    )

    page.get_by_role("button", name="Reveal ConsumerSecret in Development").click()

    expect(page.get_by_text(secret)).to_be_visible()
    if javascript:
        # htmx swapped only that cell: still the connection page's address.
        expect(page).to_have_url(detail_url)
    expect(page.get_by_role("button", name="Reveal ConsumerSecret in Production")).to_be_visible()
    event = ActivityEvent.objects.get(action=Action.SECRET_REVEALED)
    assert (event.actor_name, event.detail) == (
        "Demo User",
        {"environment": "Development", "key": "ConsumerSecret"},
    )


def test_a_person_edits_the_description(visitor, live_server):
    page, _ = visitor
    _open_checkout(page, live_server.url)

    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit connection")
    page.get_by_label("Description").fill("The shop's payment step, with 3-D Secure.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status").filter(has_text="The connection was saved.")).to_be_visible()
    expect(page.get_by_text("The shop's payment step, with 3-D Secure.")).to_be_visible()
    expect(page.get_by_text("Demo User changed the description")).to_be_visible()


def test_a_person_sees_a_name_error_and_keeps_what_was_typed(page: Page, live_server, demo, log_in):
    log_in()
    _open_checkout(page, live_server.url)
    page.get_by_role("link", name="Edit").click()

    page.get_by_label("Name").fill("Stripe")
    page.get_by_label("Description").fill("Typed, not lost")
    page.get_by_role("button", name="Save").click()

    expect(
        page.get_by_text("A connection named “Stripe” already exists in this project.")
    ).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Stripe")
    expect(page.get_by_label("Description")).to_have_value("Typed, not lost")


def test_a_person_deletes_a_connection_after_confirming(visitor, live_server):
    page, _ = visitor
    page.goto(live_server.url + PAYMENTS)
    results = page.locator("#connection-results")
    results.get_by_role("link", name="Datadog", exact=True).click()

    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the connection “Datadog”?")
    page.get_by_role("button", name="Delete").click()

    expect(page).to_have_url(live_server.url + PAYMENTS)
    expect(page.get_by_text("The connection “Datadog” was deleted.")).to_be_visible()
    expect(results.get_by_role("link", name="Datadog", exact=True)).to_have_count(0)
    expect(results.get_by_role("link", name="Stripe", exact=True)).to_have_count(1)


def test_a_person_rotates_a_secret_with_an_hour_of_grace(visitor, live_server):
    page, _ = visitor
    checkout = Connection.objects.get(name="Checkout", component__handle="storefront")
    old = checkout.bindings.get(environment__handle="development").consumer_secret.reveal()
    _open_checkout(page, live_server.url)
    detail_url = page.url

    page.get_by_role("link", name="Rotate ConsumerSecret in Development").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rotate ConsumerSecret of “Checkout”?"
    )
    expect(page.get_by_label("Environment")).to_have_value("development")
    expect(page.get_by_label("1 hour")).to_be_checked()
    page.get_by_role("button", name="Rotate", exact=True).click()

    expect(page).to_have_url(detail_url)
    expect(
        page.get_by_role("status").filter(
            has_text="A new ConsumerSecret was generated for Development. "
            "The old value is accepted until"
        )
    ).to_be_visible()
    expect(page.get_by_text("Old value, accepted until")).to_have_count(1)
    page.get_by_role("button", name="Reveal old ConsumerSecret in Development").click()
    expect(page.get_by_text(old)).to_be_visible()
    expect(
        page.get_by_text(
            "Demo User rotated ConsumerSecret in Development; the old values work for 1 hour more"
        )
    ).to_be_visible()
    binding = checkout.bindings.get(environment__handle="development")
    assert binding.credentials_generation == 2
    assert binding.previous_consumer_secret.reveal() == old
