"""A provider's change as an Admin makes it: narrowing a visibility lists
the consumers it hides the service from, takes effect once their number is
typed, and the consumer's connection page then says why it is pending.
With JavaScript on and off."""

from __future__ import annotations

from playwright.sync_api import expect

from marketplace.models import Service, Visibility

EMPLOYEE_SERVICE = "/orgs/acme/projects/hr/components/employee-service/"
DATA_CONNECTIONS = "/orgs/acme/projects/data/connections/"


def test_an_admin_narrows_a_visibility_after_seeing_its_consumers(visitor, live_server):
    page, _ = visitor
    page.goto(live_server.url + EMPLOYEE_SERVICE)
    page.get_by_role("link", name="Edit Employee Service - Directory v1").click()
    page.get_by_label("Network Visibility").select_option("project")
    page.get_by_role("button", name="Save").click()

    impact = page.locator(".impact")
    expect(impact).to_contain_text("1 connection is affected")
    expect(impact).to_contain_text("Employee Directory")
    expect(impact).to_contain_text("project connection of Data")
    directory = Service.objects.get(name="Employee Service - Directory", major=1)
    assert directory.visibility == Visibility.ORGANIZATION

    page.get_by_label("To confirm, type the number of affected connections (1)").fill("1")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status").filter(has_text="Saved Employee Service")).to_be_visible()
    directory.refresh_from_db()
    assert directory.visibility == Visibility.PROJECT

    page.goto(live_server.url + DATA_CONNECTIONS)
    page.locator("#connection-results").get_by_role(
        "link", name="Employee Directory", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Employee Directory")
    expect(page.get_by_text("Pending").first).to_be_visible()
    expect(
        page.get_by_text("its provider narrowed its network visibility to Project").first
    ).to_be_visible()
    expect(
        page.get_by_text(
            "demo changed Employee Service - Directory v1: narrowed its network visibility "
            "from Organization to Project"
        )
    ).to_be_visible()
