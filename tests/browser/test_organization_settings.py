"""Issue #16's browser test: an organization run from the console by its
own Admin. As demo: create a project and a component, add Staging between
Development and Production and find it on an existing connection's page,
add a member as Viewer, who then signs in and sees no write action."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

ACME = "/orgs/acme/"


@pytest.mark.parametrize("visitor", ["javascript", "no-javascript"], indirect=True)
def test_an_admin_runs_the_organization_from_the_console(visitor, live_server, browser):
    page, _ = visitor

    # A project, then a component in it.
    page.goto(live_server.url + ACME)
    page.get_by_role("link", name="+ Create project").click()
    page.get_by_label("Name").fill("Loyalty")
    page.get_by_label("Description").fill("Points and rewards.")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Loyalty")
    page.get_by_role("link", name="+ Create component").click()
    page.get_by_label("Name").fill("Points API")
    page.get_by_label("Type").select_option(label="Service")
    page.get_by_role("button", name="Create component").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Points API")
    assert page.url.endswith("/orgs/acme/projects/loyalty/components/points-api/")

    # Staging, between Development and Production.
    page.goto(live_server.url + ACME)
    page.locator("summary", has_text="Settings").click()
    page.get_by_role("link", name="Environments").click()
    page.get_by_role("link", name="+ Add environment").click()
    page.get_by_label("Name").fill("Staging")
    page.get_by_label("Place in promotion order").select_option(label="After Development")
    page.get_by_role("button", name="Add environment").click()
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Development")
    expect(rows.nth(1)).to_contain_text("Staging")
    expect(rows.nth(2)).to_contain_text("Production")

    # An existing connection is set up there at once: no Edit needed.
    page.goto(live_server.url + "/orgs/acme/projects/payments/connections/")
    page.get_by_role("link", name="Stripe", exact=True).click()
    expect(page.get_by_role("heading", name="Staging")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("created before Staging existed")

    # A member added as Viewer signs in and finds nothing to change.
    page.goto(live_server.url + ACME)
    page.locator("summary", has_text="Settings").click()
    page.get_by_role("link", name="Members").click()
    page.get_by_role("link", name="+ Add member").click()
    page.get_by_label("Username or e-mail").fill("hank@globex.example")
    page.get_by_label("Viewer").check()
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("main")).to_contain_text("hank")

    context = browser.new_context()
    viewer = context.new_page()
    sign_in(viewer, live_server.url, "hank", "hank")
    for path in (
        ACME,
        "/orgs/acme/projects/loyalty/",
        "/orgs/acme/projects/loyalty/components/points-api/",
        "/orgs/acme/projects/payments/connections/",
    ):
        viewer.goto(live_server.url + path)
        main = viewer.locator("main")
        expect(main).to_be_visible()
        for action in ("+ Create", "Edit", "Delete", "+ Add", "Revoke", "Settings"):
            expect(viewer.get_by_role("link", name=action)).to_have_count(0)
            expect(viewer.get_by_role("button", name=action)).to_have_count(0)
    expect(viewer.get_by_role("link", name="Members")).to_have_count(0)
    context.close()
