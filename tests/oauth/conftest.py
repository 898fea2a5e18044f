"""A provider project publishing an OAuth 2.0 service and an API-key
service, a consumer project with a connection to each, the provider's
introspection client, and helpers to call the five endpoints."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt as pyjwt
import pytest
from django.urls import reverse

from connections.models import ConnectionBinding
from connections.services import connection_create
from console.crypto import SecretValue
from marketplace.models import Security
from oauth.models import IntrospectionClient
from tests import factories

FORM = "application/x-www-form-urlencoded"
PROVIDER_ID = "provider-payments"
PROVIDER_SECRET = "provider-secret-value-1234567890"


def basic(client_id: str, secret: str) -> str:
    """An RFC 6749 section 2.3.1 Basic header (ids and secrets here are
    URL-safe, so form-encoding them changes nothing)."""
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@dataclass
class Consumer:
    binding: ConnectionBinding

    @property
    def key(self) -> str:
        return self.binding.consumer_key

    @property
    def secret(self) -> str:
        return self.binding.consumer_secret.reveal()

    def refresh(self) -> Consumer:
        self.binding.refresh_from_db()
        return self


@pytest.fixture
def provider_component(organization):
    project = factories.make_project(organization, "Ledger", "ledger")
    return factories.make_component(project, "Ledger API", "ledger-api")


@pytest.fixture
def oauth_service(provider_component):
    return factories.make_internal_service(
        provider_component, endpoint="books", security=Security.OAUTH2
    )


@pytest.fixture
def api_key_service(provider_component):
    return factories.make_internal_service(
        provider_component, endpoint="keys", security=Security.API_KEY
    )


@pytest.fixture
def introspection_client(provider_component):
    return IntrospectionClient.objects.create(
        project=provider_component.project,
        client_id=PROVIDER_ID,
        client_secret=SecretValue(PROVIDER_SECRET),
    )


@pytest.fixture
def oauth_connection(project, component, oauth_service, developer):
    return connection_create(
        project=project,
        component=component,
        service=oauth_service,
        name="Ledger books",
        created_by=developer,
    )


@pytest.fixture
def consumer(oauth_connection):
    """The OAuth 2.0 connection's binding in Development."""
    return Consumer(oauth_connection.bindings.get(environment__handle="development"))


@pytest.fixture
def api_key_connection(project, oauth_service, api_key_service, developer):
    return connection_create(
        project=project, service=api_key_service, name="Ledger keys", created_by=developer
    )


@pytest.fixture
def api_key_binding(api_key_connection):
    return api_key_connection.bindings.get(environment__handle="development")


@pytest.fixture
def post(client):
    """``post(name, data, auth=None, **extra)``: a form POST to oauth:<name>."""

    def _post(name: str, data: dict | None = None, auth: str | None = None, **extra):
        headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
        return client.post(
            reverse(f"oauth:{name}"), urlencode(data or {}, doseq=True), FORM, **headers, **extra
        )

    return _post


@pytest.fixture
def get_token(post):
    """A fresh access token for a consumer (HTTP Basic)."""

    def _get(consumer: Consumer, secret: str | None = None) -> str:
        response = post(
            "token",
            {"grant_type": "client_credentials"},
            auth=basic(consumer.key, secret or consumer.secret),
        )
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    return _get


@pytest.fixture
def introspect(post, introspection_client):
    """Introspection by the publishing project's client: the JSON answer."""

    def _introspect(token: str) -> dict:
        response = post("introspect", {"token": token}, auth=basic(PROVIDER_ID, PROVIDER_SECRET))
        assert response.status_code == 200, response.content
        return response.json()

    return _introspect


@pytest.fixture
def verify(client):
    """Decode a token with PyJWT against the published JWKS."""

    def _verify(token: str, audience: str | None = None) -> dict:
        jwks = client.get(reverse("oauth:jwks")).json()
        kid = pyjwt.get_unverified_header(token)["kid"]
        (jwk,) = [key for key in jwks["keys"] if key["kid"] == kid]
        key = pyjwt.PyJWK.from_json(json.dumps(jwk))
        return pyjwt.decode(
            token,
            key,
            algorithms=["ES256"],
            audience=audience,
            options={"verify_aud": audience is not None},
        )

    return _verify
