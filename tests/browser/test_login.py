"""A person opens the console and logs in as demo."""

from __future__ import annotations

from playwright.sync_api import expect


def test_it_logs_demo_in_and_lands_on_acme_corp(demo, log_in, live_server):
    page = log_in("demo", "demo")

    expect(page).to_have_url(f"{live_server.url}/orgs/acme/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Corp")
    expect(page.get_by_role("link", name="Payments")).to_be_visible()


def test_it_shows_a_clear_message_for_a_wrong_password(demo, log_in, live_server):
    page = log_in("demo", "not-the-password")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("demo")


def test_it_goes_back_to_the_login_page_after_logging_out(demo, log_in, live_server):
    page = log_in("demo", "demo")
    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/orgs/acme/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/orgs/acme/")
