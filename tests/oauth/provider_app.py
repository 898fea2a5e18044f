"""A service provider as a team would write one: a small WSGI app that serves
only requests carrying a valid credential for its own audience, knowing
nothing of Junction but its address.

    python tests/oauth/provider_app.py --port N --junction URL --audience AUD
        [--mode jwt|api-key --introspection-client-id X --introspection-secret Y]

It discovers the JWKS and the introspection endpoint from Junction's RFC 8414
metadata over HTTP. In ``jwt`` mode it verifies a Bearer access token offline
with PyJWT (ES256, typ at+jwt, issuer, audience, exp required); in ``api-key``
mode it asks the introspection endpoint about the ``Choreo-API-Key`` header
and requires ``active`` and its own audience. 200 with the claims as JSON,
else 401 (503 while Junction cannot be reached). The end-to-end tests
(tests/oauth/test_end_to_end.py) start it; it imports nothing of Junction.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import jwt


class Unavailable(Exception):
    """Junction could not be asked (discovery, JWKS or introspection)."""


class Refused(Exception):
    """The request carries no credential this provider accepts."""


class Verifier:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.junction = options.junction.rstrip("/")
        self._lock = threading.Lock()
        self._metadata: dict | None = None
        self._jwks: jwt.PyJWKClient | None = None

    def metadata(self) -> dict:
        # Discovered on first use and kept: the metadata names stable URLs.
        with self._lock:
            if self._metadata is None:
                url = self.junction + "/.well-known/oauth-authorization-server"
                try:
                    answer = httpx.get(url, timeout=10)
                    answer.raise_for_status()
                    found = answer.json()
                except (httpx.HTTPError, ValueError) as error:
                    raise Unavailable(f"discovery failed: {error}") from error
                # RFC 8414, section 3.3: the issuer must be the address asked.
                if found.get("issuer") != self.junction:
                    raise Unavailable(f"metadata names another issuer: {found.get('issuer')}")
                self._metadata = found
                # PyJWKClient fetches the set again when it meets an unknown
                # kid, at most once per cooldown (Junction rotated its key).
                self._jwks = jwt.PyJWKClient(
                    found["jwks_uri"],
                    timeout=10,
                    cooldown_duration=self.options.jwks_refresh_cooldown,
                )
            return self._metadata

    def verify_jwt(self, authorization: str) -> dict:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refused("send Authorization: Bearer <access token>")
        token = token.strip()
        metadata = self.metadata()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Refused(f"malformed token: {error}") from error
        # RFC 9068, section 4: an access token says so in its header.
        if str(header.get("typ", "")).lower() not in ("at+jwt", "application/at+jwt"):
            raise Refused("not an access token (typ)")
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as error:
            raise Unavailable(f"JWKS unreachable: {error}") from error
        except jwt.PyJWTError as error:
            raise Refused(f"unknown signing key: {error}") from error
        try:
            return jwt.decode(
                token,
                key,
                algorithms=["ES256"],
                audience=self.options.audience,
                issuer=metadata["issuer"],
                options={"require": ["exp", "iat", "iss", "aud", "sub", "client_id", "jti"]},
            )
        except jwt.PyJWTError as error:
            raise Refused(f"invalid token: {error}") from error

    def verify_api_key(self, api_key: str) -> dict:
        if not api_key.strip():
            raise Refused("send the Choreo-API-Key header")
        endpoint = self.metadata()["introspection_endpoint"]
        try:
            answer = httpx.post(
                endpoint,
                data={"token": api_key.strip()},
                auth=(self.options.introspection_client_id, self.options.introspection_secret),
                timeout=10,
            )
            answer.raise_for_status()
            claims = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise Unavailable(f"introspection failed: {error}") from error
        if claims.get("active") is not True:
            raise Refused("inactive API key")
        if claims.get("aud") != self.options.audience:
            raise Refused(f"API key for another service: {claims.get('aud')}")
        if claims.get("iss") != self.metadata()["issuer"]:
            raise Refused("API key of another issuer")
        return claims


def application_for(options: argparse.Namespace):
    verifier = Verifier(options)

    def application(environ, start_response):
        try:
            if options.mode == "jwt":
                claims = verifier.verify_jwt(environ.get("HTTP_AUTHORIZATION", ""))
            else:
                claims = verifier.verify_api_key(environ.get("HTTP_CHOREO_API_KEY", ""))
            status, body, extra = "200 OK", claims, []
        except Refused as error:
            # Said in the log as well, for whoever reads why a test failed.
            print(f"provider: refused: {error}", file=sys.stderr, flush=True)
            status = "401 Unauthorized"
            body = {"error": "invalid_token", "error_description": str(error)}
            extra = [("WWW-Authenticate", 'Bearer error="invalid_token"')]
        except Unavailable as error:
            print(f"provider: unavailable: {error}", file=sys.stderr, flush=True)
            status, body, extra = "503 Service Unavailable", {"error": str(error)}, []
        payload = json.dumps(body).encode()
        start_response(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), *extra],
        )
        return [payload]

    return application


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("provider: " + (format % args) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--junction", required=True, help="Junction's public URL (the issuer)")
    parser.add_argument("--audience", required=True, help="this service's resource reference")
    parser.add_argument("--mode", choices=["jwt", "api-key"], default="jwt")
    parser.add_argument(
        "--jwks-refresh-cooldown",
        type=float,
        default=30,
        help="seconds between fetches of the JWKS for an unknown key id (PyJWT's default)",
    )
    parser.add_argument("--introspection-client-id", default="")
    parser.add_argument("--introspection-secret", default="")
    options = parser.parse_args(argv)
    if options.mode == "api-key" and not (
        options.introspection_client_id and options.introspection_secret
    ):
        parser.error("--mode api-key needs --introspection-client-id and --introspection-secret")
    server = make_server(
        "127.0.0.1",
        options.port,
        application_for(options),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    print(f"provider serving on http://127.0.0.1:{options.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
