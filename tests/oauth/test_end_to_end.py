"""End to end, with real processes (issue #13): Junction served over HTTP, a
provider (tests/oauth/provider_app.py) in its own process that verifies what
it is sent using only what Junction publishes, and a consumer that runs
exactly the sample code the connection page shows, with that connection's
values in its environment.

Junction runs as gunicorn on PostgreSQL. SQLite's test database lives in
this process's memory, which gunicorn cannot open: there Junction is
pytest-django's live server, a real HTTP server on a loopback port in a
thread of this process, sharing the test database; the provider and the
consumer are separate processes either way.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass

import httpx
import pytest
from django.db import connection as db_connection
from joserfc import jwt as jose_jwt

from connections.models import Connection
from connections.services import connection_create, connection_delete, credentials_rotate
from marketplace.models import Security
from oauth import signing
from oauth.models import IntrospectionClient
from tests import factories
from tests.oauth.processes import ConsumerProgram, Provider, refused_at
from tests.serving import served_database
from tooling.loadtest.serving import free_port

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

INTROSPECTION_ID = "ledger-introspection"
INTROSPECTION_SECRET = "ledger-introspection-secret-0123456789"
# The audiences the providers are started with, module-wide, before any
# service exists: the resource references of the services the scene
# publishes (test_the_scene_publishes_the_audiences_the_providers_expect).
BOOKS = "service:/ledger/ledger-api/v1/books/ORGANIZATION"
KEYS = "service:/ledger/ledger-api/v1/keys/ORGANIZATION"


@pytest.fixture(scope="module")
def junction_url(request) -> str:
    """Junction's public address for the module: the live server's on
    SQLite; on PostgreSQL a port each test's gunicorn binds again."""
    if db_connection.vendor == "sqlite":
        request.getfixturevalue("django_db_setup")
        live_server = request.getfixturevalue("live_server")
        # The live server binds the IPv4 loopback; "localhost" may name ::1 to Node.
        return live_server.url.replace("://localhost:", "://127.0.0.1:")
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def junction(junction_url, settings, request) -> str:
    """Junction serving the test database at ``junction_url``, which is also
    its JUNCTION_PUBLIC_URL (the issuer, the TokenURL's base) here and there."""
    settings.JUNCTION_PUBLIC_URL = junction_url
    if db_connection.vendor != "sqlite":
        port = int(junction_url.rsplit(":", 1)[1])
        request.getfixturevalue("servers").start(port=port, JUNCTION_PUBLIC_URL=junction_url)
    return junction_url


@pytest.fixture(scope="module")
def providers(junction_url, tmp_path_factory):
    """The books provider (OAuth 2.0, verifies JWTs offline) and the keys
    provider (API keys, asks introspection), once for the module."""
    folder = tmp_path_factory.mktemp("providers")
    started = []
    try:
        started.append(Provider(folder / "books.log", junction_url, BOOKS, "--mode", "jwt"))
        started.append(
            Provider(
                folder / "keys.log",
                junction_url,
                KEYS,
                "--mode",
                "api-key",
                "--introspection-client-id",
                INTROSPECTION_ID,
                "--introspection-secret",
                INTROSPECTION_SECRET,
            )
        )
        yield started
    finally:
        for provider in started:
            provider.stop()


@dataclass
class Scene:
    books: object
    journal: object
    keys: object
    audit: object
    books_provider: Provider
    keys_provider: Provider


@pytest.fixture
def scene(junction, providers, organization, project, component, developer) -> Scene:
    """The Ledger project publishes two OAuth 2.0 services and two API-key
    services. books and keys are deployed at their providers; journal and
    audit at the same providers, as a misrouted call would reach them, so
    that a credential for another service arrives at a provider that
    verifies it."""
    books_provider, keys_provider = providers
    ledger = factories.make_project(organization, "Ledger", "ledger")
    provider = factories.make_component(ledger, "Ledger API", "ledger-api")
    IntrospectionClient.objects.create(
        project=ledger, client_id=INTROSPECTION_ID, client_secret=INTROSPECTION_SECRET
    )

    def publish(endpoint: str, security: Security, at: Provider):
        return factories.make_internal_service(
            provider, endpoint, security=security, url=f"{at.url}/{endpoint}"
        )

    return Scene(
        books=publish("books", Security.OAUTH2, books_provider),
        journal=publish("journal", Security.OAUTH2, books_provider),
        keys=publish("keys", Security.API_KEY, keys_provider),
        audit=publish("audit", Security.API_KEY, keys_provider),
        books_provider=books_provider,
        keys_provider=keys_provider,
    )


def _connect(service, project, component, developer, name: str) -> Connection:
    return connection_create(
        project=project, component=component, service=service, name=name, created_by=developer
    )


@pytest.fixture
def connect(project, component, developer):
    """``connect(service, name)``: a component connection, as the console makes it."""
    return lambda service, name: _connect(service, project, component, developer, name)


def _development(connection: Connection):
    return connection.bindings.get(environment__handle="development")


def test_the_scene_publishes_the_audiences_the_providers_expect(scene):
    assert scene.books.resource_reference == BOOKS
    assert scene.keys.resource_reference == KEYS
    assert scene.journal.resource_reference not in (BOOKS, KEYS)
    assert scene.audit.resource_reference not in (BOOKS, KEYS)


# OAuth 2.0: the provider verifies the JWT offline with the discovered JWKS.


def test_the_python_sample_gets_a_token_and_the_provider_accepts_it(scene, connect, junction):
    connection = connect(scene.books, "Ledger books")
    program = ConsumerProgram.of(connection)
    assert program.value("_TOKENURL") == junction + "/oauth2/token"
    assert program.value("_SERVICEURL") == scene.books_provider.url + "/books"

    claims = program.run().claims

    assert claims["aud"] == BOOKS
    assert claims["connection"] == str(connection.public_id)
    assert claims["client_id"] == _development(connection).consumer_key
    assert (claims["organization"], claims["project"], claims["component"]) == (
        "acme",
        "payments",
        "checkout-api",
    )
    assert claims["environment"] == "development"


def test_the_node_sample_gets_a_token_and_the_provider_accepts_it(scene, connect, tmp_path):
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the Node.js sample cannot run")
    connection = connect(scene.books, "Ledger books")

    outcome = ConsumerProgram.of(connection).run("javascript", tmp_path)

    assert outcome.returncode == 0, outcome.stderr
    claims = json.loads(outcome.stdout)
    assert claims["aud"] == BOOKS
    assert claims["connection"] == str(connection.public_id)


def test_a_token_for_another_service_is_refused(scene, connect):
    # journal's token is genuine, signed by Junction, and reaches the books
    # provider (journal is deployed there): only its audience is wrong.
    program = ConsumerProgram.of(connect(scene.journal, "Ledger journal"))

    refused_at(program.run(), f"{scene.books_provider.url}/journal")


def test_an_expired_token_is_refused_and_the_same_token_unexpired_accepted(scene, connect):
    program = ConsumerProgram.of(connect(scene.books, "Ledger books"))
    issued = httpx.post(
        program.value("_TOKENURL"),
        data={"grant_type": "client_credentials"},
        auth=(program.value("_CONSUMERKEY"), program.value("_CONSUMERSECRET")),
    )
    claims = jose_jwt.decode(
        issued.json()["access_token"], signing.public_key_set(signing.published_keys())
    ).claims
    # Signed with Junction's real current key, as the issued one was.
    key = signing.signing_key()
    header = {"alg": "ES256", "typ": "at+jwt", "kid": key.kid}
    now = int(time.time())
    service_url = f"{scene.books_provider.url}/books"

    def call(**times: int) -> httpx.Response:
        token = jose_jwt.encode(header, {**claims, **times}, signing.private_key_set(key))
        return httpx.get(service_url, headers={"Authorization": f"Bearer {token}"})

    expired = call(iat=now - 1000, exp=now - 60)
    assert expired.status_code == 401
    assert "expired" in expired.json()["error_description"].lower()
    # The control: the same claims with time left pass, so expiry alone refused it.
    assert call(iat=now, exp=now + 300).status_code == 200
    assert httpx.get(service_url).status_code == 401


def test_deleting_the_connection_stops_the_program(scene, connect, developer):
    # The same program as test_the_python_sample_..., which gets its 200.
    connection = connect(scene.books, "Ledger books")
    program = ConsumerProgram.of(connection)

    connection_delete(connection=connection, actor=developer)

    refused_at(program.run(), program.value("_TOKENURL"))


def test_a_rotation_without_grace_stops_the_old_secret_at_once(scene, connect, developer):
    connection = connect(scene.books, "Ledger books")
    before = ConsumerProgram.of(connection)
    generation = _development(connection).credentials_generation

    credentials_rotate(
        connection=connection, binding=_development(connection), grace="none", actor=developer
    )

    refused_at(before.run(), before.value("_TOKENURL"))
    after = ConsumerProgram.of(connection)
    assert after.value("_CONSUMERSECRET") != before.value("_CONSUMERSECRET")
    assert after.run().claims["credentials_generation"] == generation + 1


def test_during_a_grace_period_the_old_secret_still_works(scene, connect, developer):
    connection = connect(scene.books, "Ledger books")
    before = ConsumerProgram.of(connection)
    generation = _development(connection).credentials_generation

    credentials_rotate(
        connection=connection, binding=_development(connection), grace="1h", actor=developer
    )

    assert before.run().claims["credentials_generation"] == generation
    assert ConsumerProgram.of(connection).run().claims["credentials_generation"] == generation + 1


# API keys: the provider asks Junction's introspection endpoint.


def test_the_api_key_sample_is_accepted_through_introspection(scene, connect, tmp_path):
    connection = connect(scene.keys, "Ledger keys")
    program = ConsumerProgram.of(connection)

    claims = program.run().claims

    assert claims["active"] is True
    assert claims["aud"] == KEYS
    assert claims["connection"] == str(connection.public_id)
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the Node.js sample cannot run")
    assert json.loads(program.run("javascript", tmp_path).stdout)["aud"] == KEYS


def test_an_api_key_for_another_service_is_refused(scene, connect):
    # Introspection answers for audit's key (the same project publishes
    # both): the provider refuses it for its audience.
    program = ConsumerProgram.of(connect(scene.audit, "Ledger audit"))

    refused_at(program.run(), f"{scene.keys_provider.url}/audit")


def test_deleting_an_api_key_connection_stops_the_program(scene, connect, developer):
    # The same program as test_the_api_key_sample_..., which gets its 200.
    connection = connect(scene.keys, "Ledger keys")
    program = ConsumerProgram.of(connection)

    connection_delete(connection=connection, actor=developer)

    refused_at(program.run(), f"{scene.keys_provider.url}/keys")


def test_an_api_key_rotation_without_grace_stops_the_old_key(scene, connect, developer):
    connection = connect(scene.keys, "Ledger keys")
    before = ConsumerProgram.of(connection)

    credentials_rotate(
        connection=connection, binding=_development(connection), grace="none", actor=developer
    )

    refused_at(before.run(), f"{scene.keys_provider.url}/keys")
    assert ConsumerProgram.of(connection).run().claims["active"] is True


def test_during_a_grace_period_the_old_api_key_still_works(scene, connect, developer):
    connection = connect(scene.keys, "Ledger keys")
    before = ConsumerProgram.of(connection)
    generation = _development(connection).credentials_generation

    credentials_rotate(
        connection=connection, binding=_development(connection), grace="1h", actor=developer
    )

    assert before.run().claims["credentials_generation"] == generation
    assert ConsumerProgram.of(connection).run().claims["credentials_generation"] == generation + 1


# Two app servers on one PostgreSQL.


@served_database
def test_a_token_issued_by_one_server_verifies_against_the_jwks_of_the_other(
    servers, settings, organization, project, component, developer, tmp_path
):
    second_port = free_port()
    public = f"http://127.0.0.1:{second_port}"
    settings.JUNCTION_PUBLIC_URL = public
    # One public address for both, as behind a load balancer; the consumer
    # reaches the first directly, the provider discovers through the second.
    first = servers.start(JUNCTION_PUBLIC_URL=public)
    second = servers.start(port=second_port, JUNCTION_PUBLIC_URL=public)
    provider = Provider(tmp_path / "provider.log", second.base_url, BOOKS, "--mode", "jwt")
    try:
        ledger = factories.make_project(organization, "Ledger", "ledger")
        books = factories.make_internal_service(
            factories.make_component(ledger, "Ledger API", "ledger-api"),
            "books",
            security=Security.OAUTH2,
            url=f"{provider.url}/books",
        )
        program = ConsumerProgram.of(_connect(books, project, component, developer, "Books"))
        (token_variable,) = [name for name in program.variables if name.endswith("_TOKENURL")]
        program.variables[token_variable] = first.base_url + "/oauth2/token"

        claims = program.run().claims
    finally:
        provider.stop()

    assert claims["aud"] == BOOKS
    assert claims["iss"] == public
    # The first server made the signing key when it signed; the second
    # published it from the database it shares.
    jwks = httpx.get(second.base_url + "/oauth2/jwks").json()
    assert signing.signing_key().kid in {key["kid"] for key in jwks["keys"]}
