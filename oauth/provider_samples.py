"""What the team that publishes a service needs to verify its callers: the
facts (issuer, audience, JWKS and metadata URLs, the header a caller sends)
and the code samples the "Verify callers" page shows, filled with the real
values. The end-to-end tests run exactly these programs (tests/oauth/), so
they are complete modules, not fragments:

- ``python_verify``: defines ``verify(token: str) -> dict`` (PyJWT's
  PyJWKClient; ES256, audience, issuer, typ at+jwt, exp required; raises
  ``jwt.PyJWTError``) and ``verify_authorization_header(header) -> dict``.
- ``node_verify``: an ES module exporting ``verify(token)`` and
  ``verifyAuthorizationHeader(header)`` (jose: createRemoteJWKSet, jwtVerify).
- ``python_introspect``: defines ``introspect(token: str) -> dict | None``
  (httpx; the secret read from the environment variable SECRET_VARIABLE).
- ``curl_introspect``: one shell command, TOKEN and the secret from the
  environment.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from marketplace.models import Security, Service

from .server import endpoint_url, issuer

# The environment variable the introspection samples read the secret from:
# a secret belongs in the provider's secret store, never in its code.
SECRET_VARIABLE = "JUNCTION_INTROSPECTION_SECRET"
API_KEY_HEADER = "Choreo-API-Key"
CLIENT_ID_PLACEHOLDER = "<your introspection client id>"

_PLACEHOLDER = re.compile(r"__([A-Z_]+)__")


def _fill(template: str, **values: str) -> str:
    """The template with each ``__NAME__`` replaced by a string literal that
    Python and JavaScript both read back as the value (JSON strings are
    valid in both, escapes included); ``__NAME_TEXT__`` by plain text, for
    comments and docstrings."""
    filled = {
        name: _plain(value) if name.endswith("_TEXT") else json.dumps(value)
        for name, value in values.items()
    }
    return _PLACEHOLDER.sub(lambda match: filled[match.group(1)], template).lstrip("\n")


PYTHON_VERIFY = '''
"""Verify the callers of __TITLE_TEXT__: Junction's access tokens.

Needs PyJWT with its cryptography extra: pip install "pyjwt[crypto]"
"""

import jwt

ISSUER = __ISSUER__
AUDIENCE = __AUDIENCE__
JWKS_URL = __JWKS_URL__

# Fetches Junction's public keys and keeps them; a token signed with a key it
# has not seen yet (Junction rotated its keys) makes it fetch them again.
jwks_client = jwt.PyJWKClient(JWKS_URL)


def verify(token: str) -> dict:
    """The claims of an access token Junction issued for this service.

    Raises jwt.PyJWTError for an expired, forged or foreign token, a token
    meant for another service, or keys that cannot be fetched: answer 401.
    """
    # RFC 9068: an access token says so in its header; an ID token does not.
    if jwt.get_unverified_header(token).get("typ") != "at+jwt":
        raise jwt.InvalidTokenError("Not an access token.")
    signing_key = jwks_client.get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        signing_key.key,
        algorithms=["ES256"],
        audience=AUDIENCE,
        issuer=ISSUER,
        options={"require": ["exp", "iat", "iss", "aud"]},
    )


def verify_authorization_header(header: str | None) -> dict:
    """verify() for the Authorization header's value, "Bearer <token>"."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise jwt.InvalidTokenError('Expected "Authorization: Bearer <token>".')
    return verify(token.strip())
'''

NODE_VERIFY = """
// Verify the callers of __TITLE_TEXT__: Junction's access tokens.
// An ES module (save it as .mjs); needs jose: npm install jose
import { createRemoteJWKSet, jwtVerify } from "jose";

const ISSUER = __ISSUER__;
const AUDIENCE = __AUDIENCE__;
// Fetches Junction's public keys and keeps them; a token signed with a key it
// has not seen yet (Junction rotated its keys) makes it fetch them again.
const JWKS = createRemoteJWKSet(new URL(__JWKS_URL__));

// The claims of an access token Junction issued for this service. Throws for
// an expired, forged or foreign token or one meant for another service:
// answer 401.
export async function verify(token) {
  const { payload } = await jwtVerify(token, JWKS, {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ["ES256"],
    typ: "at+jwt",
    requiredClaims: ["exp", "iat"],
  });
  return payload;
}

// verify() for the Authorization header's value, "Bearer <token>".
export async function verifyAuthorizationHeader(header) {
  const [scheme, token, ...rest] = (header ?? "").trim().split(/\\s+/);
  if (scheme?.toLowerCase() !== "bearer" || !token || rest.length) {
    throw new Error('Expected "Authorization: Bearer <token>".');
  }
  return verify(token);
}
"""

PYTHON_INTROSPECT = '''
"""Ask Junction about the __WHAT_TEXT__ presented to __TITLE_TEXT__
(RFC 7662 introspection). Needs httpx: pip install httpx
"""

import os

import httpx

INTROSPECTION_URL = __INTROSPECTION_URL__
CLIENT_ID = __CLIENT_ID__
# The secret (Reveal it on the Verify callers page) comes from your secret
# store through the environment, never from the code.
CLIENT_SECRET = os.environ[__SECRET_VARIABLE__]
AUDIENCE = __AUDIENCE__


def introspect(token: str) -> dict | None:
    """What Junction says of the __WHAT_TEXT__ presented to this service: its
    claims if it is valid and meant for this service, else None (answer 401).
    Junction limits how often a client may ask: keep answers for a minute.
    """
    response = httpx.post(
        INTROSPECTION_URL,
        data={"token": token},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    response.raise_for_status()
    claims = response.json()
    # Active for any service your project publishes: check it is this one.
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if not claims.get("active") or AUDIENCE not in audiences:
        return None
    return claims
'''

CURL_INTROSPECT = """
# TOKEN holds the __WHAT_TEXT__ a caller sent (__HEADER_TEXT__), and
# __SECRET_VARIABLE_TEXT__ the introspection secret.
curl --silent --show-error --user __CLIENT_ID_AND_SECRET__ \\
  --data-urlencode "token=$TOKEN" \\
  __INTROSPECTION_URL_TEXT__
"""


@dataclass(frozen=True)
class CallerFacts:
    """What a provider checks, and where Junction publishes its keys."""

    issuer: str
    audience: str
    jwks_url: str
    metadata_url: str
    introspection_url: str
    security: str
    # What a caller sends: "Authorization: Bearer <access token>" or the API key header.
    header: str

    @property
    def uses_tokens(self) -> bool:
        return self.security == Security.OAUTH2

    @property
    def uses_api_keys(self) -> bool:
        return self.security == Security.API_KEY

    @property
    def has_credentials(self) -> bool:
        return self.uses_tokens or self.uses_api_keys


def caller_facts(service: Service) -> CallerFacts:
    """The facts for one internal service (its provider component and
    project selected with it: the audience is its resource reference)."""
    if service.security == Security.API_KEY:
        header = f"{API_KEY_HEADER}: <API key>"
    elif service.security == Security.OAUTH2:
        header = "Authorization: Bearer <access token>"
    else:
        header = ""
    return CallerFacts(
        issuer=issuer(),
        audience=service.resource_reference,
        jwks_url=endpoint_url("jwks"),
        metadata_url=endpoint_url("metadata"),
        introspection_url=endpoint_url("introspect"),
        security=service.security,
        header=header,
    )


def _title(service: Service) -> str:
    return f"{service.name} v{service.major}"


def python_verify(service: Service, facts: CallerFacts) -> str:
    return _fill(
        PYTHON_VERIFY,
        ISSUER=facts.issuer,
        AUDIENCE=facts.audience,
        JWKS_URL=facts.jwks_url,
        TITLE_TEXT=_title(service),
    )


def node_verify(service: Service, facts: CallerFacts) -> str:
    return _fill(
        NODE_VERIFY,
        ISSUER=facts.issuer,
        AUDIENCE=facts.audience,
        JWKS_URL=facts.jwks_url,
        TITLE_TEXT=_title(service),
    )


def _what(facts: CallerFacts) -> str:
    return "API key" if facts.uses_api_keys else "access token"


def python_introspect(service: Service, facts: CallerFacts, client_id: str | None) -> str:
    return _fill(
        PYTHON_INTROSPECT,
        INTROSPECTION_URL=facts.introspection_url,
        CLIENT_ID=client_id or CLIENT_ID_PLACEHOLDER,
        SECRET_VARIABLE=SECRET_VARIABLE,
        AUDIENCE=facts.audience,
        TITLE_TEXT=_title(service),
        WHAT_TEXT=_what(facts),
    )


def curl_introspect(service: Service, facts: CallerFacts, client_id: str | None) -> str:
    header = (
        f"the {API_KEY_HEADER} header" if facts.uses_api_keys else "after Bearer in Authorization"
    )
    # Shell words: the values are double-quoted; $ and backquotes in them
    # (there are none in ids and URLs Junction makes) would still be escaped.
    # The secret's variable goes inside the same quotes, expanded by the shell.
    client_part = _shell_quoted(f"{client_id or CLIENT_ID_PLACEHOLDER}:").removesuffix('"')
    user = f'{client_part}${SECRET_VARIABLE}"'
    return (
        CURL_INTROSPECT.replace("__WHAT_TEXT__", _what(facts))
        .replace("__HEADER_TEXT__", header)
        .replace("__SECRET_VARIABLE_TEXT__", SECRET_VARIABLE)
        .replace("__CLIENT_ID_AND_SECRET__", user)
        .replace("__INTROSPECTION_URL_TEXT__", _shell_quoted(facts.introspection_url))
        .lstrip("\n")
    )


def _plain(text: str) -> str:
    """A name inside a comment or docstring: no line breaks, no quotes that
    would end the docstring."""
    return " ".join(text.replace('"""', "'''").replace("\\", "/").split())


def _shell_quoted(text: str) -> str:
    return '"' + re.sub(r'([\\$`"])', r"\\\1", text) + '"'
