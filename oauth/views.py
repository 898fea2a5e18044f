"""HTTP endpoints of the authorization server. Each answers JSON, never
HTML or a redirect to the log-in page, whatever it is sent."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from urllib.parse import unquote

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import ratelimit, signing
from .server import JunctionAuthorizationServer
from .server import metadata as server_metadata

# The largest form a client has reason to send: a client id, a secret and
# a token of a few hundred bytes each.
MAX_BODY_BYTES = 8 * 1024
FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(status: int, error: str, description: str, **headers: str) -> JsonResponse:
    """An RFC 6749 section 5.2 error body."""
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    for name, value in {**NO_STORE, **headers}.items():
        response[name] = value
    return response


def _basic_client_id(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""
    return unquote(decoded.partition(":")[0])


def _refused(request: HttpRequest) -> JsonResponse | None:
    """What the form endpoints refuse before Authlib reads the request."""
    if request.method != "POST":
        return _error(405, "invalid_request", "Send a POST request.", Allow="POST")
    if request.GET:
        return _error(
            400, "invalid_request", "Send the parameters in the body, not in the address."
        )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY_BYTES + 1
    if length > MAX_BODY_BYTES:
        return _error(413, "invalid_request", f"The body is larger than {MAX_BODY_BYTES} bytes.")
    if request.content_type != FORM:
        return _error(400, "invalid_request", f"Send the parameters as {FORM}.")
    try:
        form = request.POST
    except (RequestDataTooBig, TooManyFieldsSent, BadRequest):
        return _error(400, "invalid_request", "The body cannot be read as a form.")
    repeated = sorted(name for name, values in form.lists() if len(values) > 1)
    if repeated:
        # RFC 6749, section 3.2: no parameter may be sent more than once.
        return _error(400, "invalid_request", f"Parameter sent more than once: {repeated[0]}.")
    return None


def _rate_limited(request: HttpRequest, endpoint: str) -> JsonResponse | None:
    """Per address, then per client id, shared by every app server."""
    address = get_client_ip_address(request) or "unknown"
    client_id = _basic_client_id(request) or request.POST.get("client_id", "")
    checks = [(f"{endpoint}:address:{address}", settings.JUNCTION_OAUTH_RATE_PER_ADDRESS)]
    if client_id:
        checks.append((f"{endpoint}:client:{client_id}", settings.JUNCTION_OAUTH_RATE_PER_CLIENT))
    for key, limit in checks:
        if not ratelimit.hit(key, limit):
            return _error(
                429,
                "slow_down",
                "Too many requests: wait before trying again.",
                **{"Retry-After": str(ratelimit.retry_after())},
            )
    return None


def _form_endpoint(
    endpoint: str, answer: Callable[[JunctionAuthorizationServer, HttpRequest], HttpResponse]
) -> Callable[[HttpRequest], HttpResponse]:
    @login_not_required
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        refusal = _refused(request) or _rate_limited(request, endpoint)
        if refusal is not None:
            return refusal
        return answer(JunctionAuthorizationServer(), request)

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
        return _error(405, "invalid_request", "Send a GET request.", Allow="GET, HEAD")
    return _public_json(server_metadata())


@login_not_required
def jwks(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        return _error(405, "invalid_request", "Send a GET request.", Allow="GET, HEAD")
    keys = signing.published_keys()
    if not keys:
        keys = [signing.signing_key()]
    return _public_json(signing.public_jwks(keys))
