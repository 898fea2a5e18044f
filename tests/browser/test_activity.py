"""Issue #15's activity log in a browser, with and without JavaScript: an
Admin deletes a connection, then finds it in the project's Activity with
its last state, narrows the log to deletions, exports it, and follows a
row that still exists to its page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

PAYMENTS = "/orgs/acme/projects/payments/connections/"


@pytest.mark.parametrize("visitor", ["javascript", "no-javascript"], indirect=True)
def test_an_admin_finds_a_deleted_connection_in_the_projects_activity(visitor, live_server):
    page, _ = visitor
    page.goto(live_server.url + PAYMENTS)
    page.locator("#connection-results").get_by_role("link", name="Datadog", exact=True).click()
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("The connection “Datadog” was deleted.")).to_be_visible()

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity")
    page.get_by_label("Action").select_option(label="Deleted")
    page.get_by_role("button", name="Apply").click()

    events = page.locator(".activity-list > li")
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text("Connection Datadog")
    expect(events.first).to_contain_text("Demo User")
    expect(events.first).to_contain_text("Last state:")
    expect(events.first).to_contain_text("service: Datadog v2")
    # Gone: its name is no link.
    expect(events.first.get_by_role("link", name="Datadog")).to_have_count(0)
    export = page.get_by_role("link", name="Export CSV")
    assert export.get_attribute("href").endswith("/activity/export/?action=deleted")
    # The address holds the one filter chosen, with JavaScript or without.
    expect(page).to_have_url(
        f"{live_server.url}/orgs/acme/projects/payments/activity/?action=deleted"
    )

    page.get_by_label("Action").select_option(label="Created")
    page.get_by_label("Kind").select_option(label="Connection")
    page.get_by_role("button", name="Apply").click()
    page.locator("#activity-results").get_by_role("link", name="Stripe", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stripe")
