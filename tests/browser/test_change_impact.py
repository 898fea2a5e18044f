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
            "Demo User changed Employee Service - Directory v1: narrowed its network visibility "
            "from Organization to Project"
        )
    ).to_be_visible()


NOTIFICATION_CONNECTIONS = (
    "/orgs/acme/projects/platform/components/notification-service/connections/"
)


def test_an_admin_renames_a_parameter_after_seeing_the_variables_it_changes(visitor, live_server):
    page, _ = visitor
    page.goto(live_server.url + "/orgs/acme/third-party-services/")
    page.get_by_role("link", name="Twilio SMS").first.click()
    page.get_by_role("link", name="Rename accountSid").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Rename the parameter accountSid")
    impact = page.locator(".impact")
    expect(impact).to_contain_text("2 connections are affected")
    expect(impact).to_contain_text("Customer SMS")
    expect(impact).to_contain_text("component connection of Notification Service, Platform")
    expect(page.get_by_text("CHOREO_<CONNECTION>_ACCOUNTSID")).to_be_visible()

    page.get_by_label("New name").fill("account sid")
    page.get_by_role("button", name="Rename parameter").click()
    expect(page.get_by_text("Use letters, digits and _ only")).to_be_visible()
    expect(page.get_by_label("New name")).to_have_value("account sid")

    page.get_by_label("New name").fill("twilioAccountSid")
    page.get_by_role("button", name="Rename parameter").click()
    expect(page.get_by_text("Type 2, the number of affected connections")).to_be_visible()
    expect(page.get_by_label("New name")).to_have_value("twilioAccountSid")
    twilio = Service.objects.get(name="Twilio SMS")
    assert twilio.parameters.filter(name="accountSid").exists()

    page.get_by_label("To confirm, type the number of affected connections (2)").fill("2")
    page.get_by_role("button", name="Rename parameter").click()

    expect(
        page.get_by_role("status").filter(has_text="Renamed the parameter accountSid")
    ).to_be_visible()
    assert twilio.parameters.filter(name="twilioAccountSid").exists()

    page.goto(live_server.url + NOTIFICATION_CONNECTIONS)
    page.locator("#connection-results").get_by_role("link", name="SMS", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SMS")
    expect(page.get_by_text("CHOREO_SMS_TWILIOACCOUNTSID").first).to_be_visible()
    expect(
        page.get_by_text(
            "Demo User changed Twilio SMS v1: renamed the parameter accountSid to twilioAccountSid"
        )
    ).to_be_visible()
