"""Issues #13's and #14's "done when": a connection created in the browser
by following the seed gives values with which a real program gets a token
from Junction and calls a provider that verifies it; the program is started
by `junction run` with a runtime token made on the component's page; and
deleting the connection stops that program. The provider, the CLI and the
program are processes of their own (tests/oauth/processes.py); Junction is
the live server the browser uses."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from connections.models import Connection
from connections.services import connection_delete
from marketplace.models import Deployment, Service
from tests.browser.test_create_connection import (
    choose_service,
    open_connections,
    set_visibility_level,
)
from tests.oauth.processes import ConsumerProgram, Provider, refused_at

pytestmark = pytest.mark.processes


def loopback(live_server) -> str:
    # The live server binds the IPv4 loopback; "localhost" may name ::1.
    return live_server.url.replace("://localhost:", "://127.0.0.1:")


@pytest.fixture
def identity_provider(live_server, settings, tmp_path):
    """The seed's OAuth 2.0 service "Identity Service - Users", deployed at
    a provider process that verifies tokens for it."""
    junction = loopback(live_server)
    settings.JUNCTION_PUBLIC_URL = junction
    service = Service.objects.get(
        provider_component__handle="identity-service", endpoint_handle="users"
    )
    provider = Provider(tmp_path / "provider.log", junction, service.resource_reference)
    Deployment.objects.filter(service=service).update(url=f"{provider.url}/users")
    yield service
    provider.stop()


# The seed's steps need JavaScript on for nothing here; once is enough, as
# the processes after them are the point.
@pytest.mark.parametrize("visitor", ["javascript"], indirect=True)
def test_a_connection_made_in_the_browser_works_until_it_is_deleted(
    visitor, identity_provider, live_server
):
    page, javascript = visitor
    set_visibility_level(page, "Payments", "Storefront")
    open_connections(page)
    choose_service(page, javascript, "identity", "Identity Service - Users")
    page.get_by_label("Name").fill("Sign in")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")

    connection = Connection.objects.get(service=identity_provider, name="Sign in")
    program = ConsumerProgram.of(connection)

    # The component's page makes a runtime token for Development; `junction
    # run` (cli/) fetches the values with it and starts the page's program.
    page.goto(live_server.url + "/orgs/acme/projects/payments/components/storefront/")
    page.get_by_role("link", name="+ Create token").click()
    page.get_by_label("Name").fill("Laptop")
    page.get_by_label("Environment").select_option(label="Development")
    page.get_by_role("button", name="Create token").click()
    runtime_token = page.locator("#runtime-token-value").inner_text()
    claims = program.run_with_junction(loopback(live_server), runtime_token).claims

    assert claims["aud"] == identity_provider.resource_reference
    assert claims["connection"] == str(connection.public_id)
    assert (claims["project"], claims["component"]) == ("payments", "storefront")

    # Who took which secrets: the component's page lists the pull.
    page.get_by_role("link", name="Done").click()
    expect(page.locator(".recent-pulls")).to_contain_text("“Laptop” pulled Development (json)")
    expect(page.locator(".recent-pulls")).to_contain_text("Sign in, Stripe · 4 connections")

    connection_delete(connection=connection, actor=connection.created_by)

    # The program keeps the values it was started with, as a running one does.
    refused_at(program.run(), program.value("_TOKENURL"))
