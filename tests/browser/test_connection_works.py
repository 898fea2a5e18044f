"""Issue #13's "done when": a connection created in the browser by following
the seed gives values with which a real program gets a token from Junction
and calls a provider that verifies it, and deleting the connection stops
that program. The provider and the program are processes of their own
(tests/oauth/processes.py); Junction is the live server the browser uses."""

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


@pytest.fixture
def identity_provider(live_server, settings, tmp_path):
    """The seed's OAuth 2.0 service "Identity Service - Users", deployed at
    a provider process that verifies tokens for it."""
    # The live server binds the IPv4 loopback; "localhost" may name ::1.
    junction = live_server.url.replace("://localhost:", "://127.0.0.1:")
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
def test_a_connection_made_in_the_browser_works_until_it_is_deleted(visitor, identity_provider):
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
    claims = program.run().claims

    assert claims["aud"] == identity_provider.resource_reference
    assert claims["connection"] == str(connection.public_id)
    assert (claims["project"], claims["component"]) == ("payments", "storefront")

    connection_delete(connection=connection, actor=connection.created_by)

    refused_at(program.run(), program.value("_TOKENURL"))
