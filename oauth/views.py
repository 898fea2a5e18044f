"""HTTP endpoints of the authorization server. Each answers JSON, never
HTML or a redirect to the log-in page, whatever it is sent."""

from __future__ import annotations

import base64
from collections.abc import Callable
from urllib.parse import unquote

from authlib.oauth2 import OAuth2Error
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import ratelimit, signing
from .errors import json_error, slow_down
from .server import JunctionAuthorizationServer
from .server import metadata as server_metadata

# The largest form a client has reason to send: a client id, a secret and
# a token of a few hundred bytes each.
MAX_BODY_BYTES = 8 * 1024
FORM = "application/x-www-form-urlencoded"


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """The client id and secret of an HTTP Basic Authorization header
    (RFC 6749, section 2.3.1: each form-encoded, then base64), or None when
    the request has no Basic header. Raises ValueError when it says Basic
    but holds no such pair: Authlib's own parsing raises on some of those
    (an empty or non-UTF-8 header), a 500."""
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    # binascii.Error and UnicodeDecodeError are both ValueErrors.
    decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    client_id, colon, secret = decoded.partition(":")
    if not colon or not client_id:
        raise ValueError("not an id:secret pair")
    return unquote(client_id), unquote(secret)


def _client_id(request: HttpRequest) -> str:
    """The client id a request names, for counting it."""
    try:
        basic = _basic_credentials(request)
    except ValueError:
        return ""
    return basic[0] if basic is not None else request.POST.get("client_id", "")


def _credentials_refused(request: HttpRequest) -> JsonResponse | None:
    try:
        basic = _basic_credentials(request)
    except ValueError:
        return json_error(
            401,
            "invalid_client",
            "The Authorization header holds no HTTP Basic client id and secret.",
            **{"WWW-Authenticate": 'Basic realm="Junction"'},
        )
    if basic is not None and (
        request.POST.get("client_secret") or request.POST.get("client_id", basic[0]) != basic[0]
    ):
        # RFC 6749, section 2.3: one authentication method per request.
        # Authlib would try the form after a failed header, so guesses at
        # one client's secret could be counted against another client id.
        return json_error(
            400,
            "invalid_request",
            "Send the client's credentials one way: HTTP Basic or the form, not both.",
        )
    return None


def _refused(request: HttpRequest) -> JsonResponse | None:
    """What the form endpoints refuse before Authlib reads the request."""
    if request.method != "POST":
        return json_error(405, "invalid_request", "Send a POST request.", Allow="POST")
    if request.GET:
        return json_error(
            400, "invalid_request", "Send the parameters in the body, not in the address."
        )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY_BYTES + 1
    if length > MAX_BODY_BYTES:
        return json_error(
            413, "invalid_request", f"The body is larger than {MAX_BODY_BYTES} bytes."
        )
    if request.content_type != FORM:
        return json_error(400, "invalid_request", f"Send the parameters as {FORM}.")
    try:
        form = request.POST
    except (RequestDataTooBig, TooManyFieldsSent, BadRequest):
        return json_error(400, "invalid_request", "The body cannot be read as a form.")
    repeated = sorted(name for name, values in form.lists() if len(values) > 1)
    if repeated:
        # RFC 6749, section 3.2: no parameter may be sent more than once.
        return json_error(400, "invalid_request", f"Parameter sent more than once: {repeated[0]}.")
    return None


def _rate_limited(request: HttpRequest, endpoint: str) -> JsonResponse | None:
    """Per address, then per client id, shared by every app server."""
    address = get_client_ip_address(request) or "unknown"
    client_id = _client_id(request)
    checks = [(f"{endpoint}:address:{address}", settings.JUNCTION_OAUTH_RATE_PER_ADDRESS)]
    if client_id:
        checks.append((f"{endpoint}:client:{client_id}", settings.JUNCTION_OAUTH_RATE_PER_CLIENT))
    for key, limit in checks:
        if not ratelimit.hit(key, limit):
            return slow_down("Too many requests: wait before trying again.")
    return None


def _form_endpoint(
    endpoint: str, answer: Callable[[JunctionAuthorizationServer, HttpRequest], HttpResponse]
) -> Callable[[HttpRequest], HttpResponse]:
    @login_not_required
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        refusal = (
            _refused(request) or _rate_limited(request, endpoint) or _credentials_refused(request)
        )
        if refusal is not None:
            return refusal
        if settings.JUNCTION_HTTPS and not request.is_secure():
            return json_error(400, "invalid_request", "OAuth 2.0 requests must use HTTPS.")
        try:
            return answer(JunctionAuthorizationServer(), request)
        except OAuth2Error as error:
            # Authlib raises some errors before its own handling starts.
            return json_error(error.status_code or 400, error.error, error.get_error_description())

    view.__name__ = endpoint
    return view


token = _form_endpoint("token", lambda server, request: server.create_token_response(request))
introspect = _form_endpoint(
    "introspect",
    lambda server, request: server.create_endpoint_response("introspection", request),
)
revoke = _form_endpoint(
    "revoke", lambda server, request: server.create_endpoint_response("revocation", request)
)


def _public_json(payload: dict) -> JsonResponse:
    response = JsonResponse(payload)
    # Public documents: caches may keep them a few minutes. A verifier that
    # meets an unknown key id fetches the JWKS again whatever this says.
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_not_required
def metadata(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        return json_error(405, "invalid_request", "Send a GET request.", Allow="GET, HEAD")
    return _public_json(server_metadata())


@login_not_required
def jwks(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        return json_error(405, "invalid_request", "Send a GET request.", Allow="GET, HEAD")
    keys = signing.published_keys()
    if not keys:
        keys = [signing.signing_key()]
    return _public_json(signing.public_jwks(keys))
