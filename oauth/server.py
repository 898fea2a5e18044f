"""Junction's OAuth 2.0 authorization server, on Authlib: the client
credentials grant (RFC 6749, section 4.4) issuing JWT access tokens
(RFC 9068), introspection (RFC 7662) of those tokens and of API keys, and
revocation (RFC 7009). docs/credentials.md describes it for people."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError

from connections.models import ConnectionBinding, api_key_digest

from . import signing
from .clients import AUTH_METHODS, ConsumerClient, ProviderClient, bindings_with_consumer
from .clients import query_client as find_client
from .models import RevokedToken


def issuer() -> str:
    """Junction's public address, as tokens name it (``iss``)."""
    return settings.JUNCTION_PUBLIC_URL


def endpoint_url(name: str) -> str:
    return settings.JUNCTION_PUBLIC_URL + reverse(f"oauth:{name}")


def consumer_claims(binding: ConnectionBinding, generation: int) -> dict:
    """Who the consumer is, as tokens and introspection name it."""
    connection = binding.connection
    claims = {
        "organization": connection.organization.handle,
        "project": connection.project.handle,
        "connection": str(connection.public_id),
        "connection_name": connection.name,
        "environment": binding.environment.handle,
        "credentials_generation": generation,
    }
    if connection.component is not None:
        claims["component"] = connection.component.handle
    return claims


def audience(binding: ConnectionBinding) -> str:
    """The service's resource reference, exactly as the connection page shows it."""
    return binding.connection.service.resource_reference


class AccessTokenGenerator(JWTBearerTokenGenerator):
    def get_jwks(self):
        return signing.private_key_set(signing.signing_key())

    def get_audiences(self, client: ConsumerClient, user, scope) -> str:
        return audience(client.binding)

    def get_extra_claims(self, client: ConsumerClient, grant_type, user, scope) -> dict:
        return consumer_claims(client.binding, client.generation)


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)

    def create_token_response(self):
        # Authlib's own logs the whole token at DEBUG; this one logs nothing.
        token = self.generate_token(scope=self.request.payload.scope, include_refresh_token=False)
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


@dataclass
class PresentedToken:
    """A token or API key presented for introspection or revocation, with
    the binding it belongs to and whether that binding still accepts it."""

    binding: ConnectionBinding
    accepted: bool
    claims: dict = field(default_factory=dict)
    expires_at: int | None = None

    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= time.time()

    def is_revoked(self) -> bool:
        return not self.accepted

    def check_client(self, client) -> bool:
        return self.claims.get("client_id") == client.get_client_id()


def _generation_accepted(binding: ConnectionBinding, generation: object, now: datetime) -> bool:
    if generation == binding.credentials_generation:
        return True
    return generation == binding.credentials_generation - 1 and binding.grace_is_running(now)


def _access_token(token_string: str, now: datetime) -> PresentedToken | None:
    """A JWT this server signed with a published key, whatever its state."""
    keys = signing.published_keys(now)
    if not keys:
        return None
    try:
        token = jwt.decode(token_string, signing.public_key_set(keys), algorithms=["ES256"])
        if token.header.get("typ") != "at+jwt":
            return None
        claims = dict(token.claims)
        jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            iss={"essential": True, "value": issuer()},
            exp={"essential": True},
            client_id={"essential": True},
            jti={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError):
        # Malformed, forged, foreign or expired: this is not a token Junction
        # stands behind. Only joserfc's refusals: a broader except once hid a
        # TypeError here that made every token inactive.
        return None
    binding = bindings_with_consumer().filter(consumer_key=str(claims["client_id"])).first()
    if binding is None:
        return None
    accepted = (
        _generation_accepted(binding, claims.get("credentials_generation"), now)
        and not RevokedToken.objects.filter(jti=str(claims["jti"])).exists()
    )
    return PresentedToken(binding, accepted, claims, int(claims["exp"]))


def _api_key(key: str, now: datetime) -> PresentedToken | None:
    """The binding whose current API key, or replaced one in its grace
    period, this is; found by digest, never by decrypting (docs/credentials.md)."""
    digest = api_key_digest(key)
    binding = bindings_with_consumer().filter(api_key_digest=digest).first()
    if binding is not None:
        generation = binding.credentials_generation
    else:
        binding = bindings_with_consumer().filter(previous_api_key_digest=digest).first()
        if binding is None or not binding.grace_is_running(now):
            return None
        generation = binding.credentials_generation - 1
    claims = {
        "iss": issuer(),
        "aud": audience(binding),
        "sub": str(binding.connection.public_id),
        **consumer_claims(binding, generation),
    }
    return PresentedToken(binding, True, claims)


def _require_token(request) -> None:
    """Both token endpoints need a token and ignore token_type_hint: the
    RFCs let a server ignore it and oblige it to search beyond it (RFC 7009,
    section 2.1; RFC 7662, section 2.1), and Authlib answers an unknown hint
    with a 401 that names no authentication scheme."""
    if not request.form.get("token"):
        raise InvalidRequestError(description="Send the token to look up.")


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = list(AUTH_METHODS)

    def check_params(self, request, client) -> None:
        _require_token(request)

    def query_token(self, token_string: str, token_type_hint: str | None):
        now = timezone.now()
        if token_string.count(".") == 2:
            return _access_token(token_string, now)
        return _api_key(token_string, now)

    def check_permission(self, token: PresentedToken, client, request) -> bool:
        # Only the team that publishes the service learns about its callers.
        if not isinstance(client, ProviderClient):
            return False
        provider = token.binding.connection.service.provider_component
        return provider is not None and provider.project_id == client.project_id

    def introspect_token(self, token: PresentedToken) -> dict:
        kind = {"token_type": "Bearer"} if token.expires_at is not None else {}
        return {"active": True, **kind, **token.claims}


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = list(AUTH_METHODS)
    SUPPORTED_TOKEN_TYPES = ("access_token",)

    def check_params(self, request, client) -> None:
        _require_token(request)

    def query_token(self, token_string: str, token_type_hint: str | None):
        if token_string.count(".") != 2:
            return None
        return _access_token(token_string, timezone.now())

    def revoke_token(self, token: PresentedToken, request) -> None:
        now = timezone.now()
        # Rows of tokens that have expired anyway are of no more use.
        RevokedToken.objects.filter(expires_at__lt=now).delete()
        RevokedToken.objects.get_or_create(
            jti=str(token.claims["jti"]),
            defaults={"expires_at": datetime.fromtimestamp(token.expires_at, tz=UTC)},
        )


class JunctionAuthorizationServer(AuthorizationServer):
    def __init__(self) -> None:
        super().__init__(client_model=None, token_model=None)
        lifetime = settings.JUNCTION_ACCESS_TOKEN_LIFETIME
        self.register_token_generator(
            "default",
            AccessTokenGenerator(
                issuer=issuer(),
                alg=signing.ALGORITHM,
                expires_generator=lambda client, grant_type: lifetime,
            ),
        )
        self.register_grant(ClientCredentialsGrant)
        self.register_endpoint(Introspection)
        self.register_endpoint(Revocation)

    def query_client(self, client_id: str):
        return find_client(client_id)

    def validate_requested_scope(self, scope: str | None) -> None:
        # Junction has no scopes: a token's audience is the one service its
        # connection points at. Granting a token without the scope a client
        # asked for would let it believe it holds that scope (RFC 6749, 5.2).
        if scope:
            raise InvalidScopeError(description="Junction's access tokens have no scopes.")

    def save_token(self, token: dict, request) -> None:
        # Access tokens are self-contained JWTs: nothing to store.
        return None


def metadata() -> dict:
    """RFC 8414 authorization server metadata."""
    methods = list(AUTH_METHODS)
    return {
        "issuer": issuer(),
        "token_endpoint": endpoint_url("token"),
        "jwks_uri": endpoint_url("jwks"),
        "introspection_endpoint": endpoint_url("introspect"),
        "revocation_endpoint": endpoint_url("revoke"),
        "grant_types_supported": ["client_credentials"],
        # No authorization endpoint: no response type is offered.
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": methods,
        "introspection_endpoint_auth_methods_supported": methods,
        "revocation_endpoint_auth_methods_supported": methods,
    }
