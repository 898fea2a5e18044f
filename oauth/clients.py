"""The two kinds of OAuth 2.0 client Junction knows, as Authlib expects
them (authlib.oauth2.rfc6749.ClientMixin):

- a consumer: one connection in one environment, whose consumer key and
  secret obtain access tokens (client credentials grant) and may revoke them;
- a provider: the team that publishes services, whose introspection
  credentials ask about the tokens and keys presented to its services.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from authlib.oauth2.rfc6749 import ClientMixin
from django.utils import timezone

from connections.models import ConnectionBinding
from console.crypto import SecretValue

from .models import IntrospectionClient

AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def _same(stored: SecretValue | None, presented: str) -> bool:
    if not stored or not presented:
        return False
    return hmac.compare_digest(stored.reveal().encode(), presented.encode())


def bindings_with_consumer():
    """Bindings with everything a token names: the connection's scope, its
    service's resource reference and the environment (one query)."""
    return ConnectionBinding.objects.select_related(
        "environment",
        "connection__organization",
        "connection__project",
        "connection__component",
        "connection__service__provider_component__project",
    )


class _ClientCredentialsOnly(ClientMixin):
    """What both kinds share: no redirects, no scopes, no grant unless a kind
    allows one. Only the client credentials grant is served, so the
    redirect and response type checks always refuse."""

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        # No scopes: a token's audience is the one service it was made for.
        return ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return False


class ConsumerClient(_ClientCredentialsOnly):
    def __init__(self, binding: ConnectionBinding, now: datetime | None = None) -> None:
        self.binding = binding
        self.now = now or timezone.now()
        # Which credentials generation the presented secret belongs to; set
        # by check_client_secret and written into the token.
        self.generation: int | None = None

    def get_client_id(self) -> str:
        return self.binding.consumer_key

    def check_client_secret(self, client_secret: str) -> bool:
        binding = self.binding
        if _same(binding.consumer_secret, client_secret):
            self.generation = binding.credentials_generation
            return True
        if _same(binding.previous_credential("ConsumerSecret", self.now), client_secret):
            self.generation = binding.credentials_generation - 1
            return True
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint in ("token", "revocation") and method in AUTH_METHODS

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class ProviderClient(_ClientCredentialsOnly):
    def __init__(self, record: IntrospectionClient) -> None:
        self.record = record

    @property
    def project_id(self) -> int:
        return self.record.project_id

    def get_client_id(self) -> str:
        return self.record.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        return _same(self.record.client_secret, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # At the token endpoint too, so that a provider that authenticated
        # learns that it may not obtain tokens (unauthorized_client: it is
        # allowed no grant type) rather than that its secret is wrong.
        return endpoint in ("introspection", "token") and method in AUTH_METHODS


def query_client(client_id: str) -> ConsumerClient | ProviderClient | None:
    """The client a client id names, consumer or provider; None if unknown."""
    # No NUL: PostgreSQL refuses it in a query (a 500), and no id holds one.
    if not client_id or len(client_id) > 64 or "\x00" in client_id:
        return None
    binding = bindings_with_consumer().filter(consumer_key=client_id).first()
    if binding is not None:
        return ConsumerClient(binding)
    record = IntrospectionClient.objects.filter(client_id=client_id).first()
    return ProviderClient(record) if record is not None else None
