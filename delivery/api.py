"""The configuration endpoint: GET /api/v1/runtime/config with a runtime
token. It answers JSON errors, never HTML or a redirect to the log-in page,
and logs no value it delivers."""

from __future__ import annotations

import hashlib
import hmac

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from oauth import ratelimit
from oauth.errors import NO_STORE, json_error, slow_down

from . import formats, services, version
from .access import token_for_bearer
from .config import configuration_for
from .models import RuntimeToken


def _unauthorized(description: str) -> JsonResponse:
    # RFC 6750, section 3: the scheme to use and why this token failed.
    return json_error(
        401,
        "invalid_token",
        description,
        **{
            "WWW-Authenticate": f'Bearer realm="Junction", error="invalid_token", '
            f'error_description="{description}"'
        },
    )


def _presented_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _format(request: HttpRequest) -> str | None:
    """?format= first, then Accept, then dotenv; None for an unknown format."""
    asked = request.GET.get("format")
    if asked is not None:
        return asked if asked in formats.FORMATS else None
    for media_range in request.headers.get("Accept", "").split(","):
        media_type = media_range.split(";")[0].strip().lower()
        if media_type in formats.ACCEPTED:
            return formats.ACCEPTED[media_type]
    return "dotenv"


def _refusal(token: RuntimeToken | None, address: str) -> JsonResponse | None:
    """Why a presented token is refused, counted per address so that
    guessing costs the guesser; None for a token that may pull."""
    if token is not None and token.is_active(timezone.now()):
        if not ratelimit.hit(
            f"runtime:token:{token.public_id}", settings.JUNCTION_RUNTIME_RATE_PER_TOKEN
        ):
            return slow_down("Too many pulls: wait before trying again.")
        return None
    if not ratelimit.hit(f"runtime:address:{address}", settings.JUNCTION_RUNTIME_RATE_PER_ADDRESS):
        return slow_down("Too many pulls: wait before trying again.")
    if token is None:
        return _unauthorized("No valid runtime token: send Authorization: Bearer <token>.")
    if token.revoked_at is not None:
        return _unauthorized("This runtime token was revoked.")
    return _unauthorized("This runtime token has expired.")


def _etag(body: bytes) -> str:
    # Keyed, so that the tag says nothing about the values to whoever sees it.
    digest = hmac.new(settings.SECRET_KEY.encode(), body, hashlib.sha256).hexdigest()
    return f'"{digest[:32]}"'


def _with_headers(response: HttpResponse, etag: str) -> HttpResponse:
    for name, value in {**NO_STORE, "ETag": etag, "Vary": "Accept, Authorization"}.items():
        response[name] = value
    return response


def _not_modified(token: RuntimeToken, address: str | None, etag: str) -> HttpResponse:
    # No values leave, so no pull is recorded; the token was used.
    services.token_mark_used(runtime_token=token, address=address)
    return _with_headers(HttpResponse(status=304), etag)


@login_not_required
@csrf_exempt
def runtime_config(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return json_error(405, "invalid_request", "Use GET.", Allow="GET")
    address = get_client_ip_address(request) or None
    token = token_for_bearer(_presented_token(request))
    refusal = _refusal(token, address or "unknown")
    if refusal is not None:
        return refusal
    output_format = _format(request)
    if output_format is None:
        return json_error(
            400,
            "invalid_request",
            f"Unknown format. Use one of: {', '.join(formats.FORMATS)}.",
        )
    presented = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    remembered = version.remembered_etag(token, output_format)
    if remembered is not None and remembered in presented:
        # Nothing it reads has changed since the answer this tag names.
        return _not_modified(token, address, remembered)
    configuration = configuration_for(token)
    body = formats.RENDERERS[output_format](configuration).encode()
    etag = _etag(body)
    version.remember_etag(token, output_format, etag)
    if etag in presented:
        return _not_modified(token, address, etag)
    services.pull_record(
        runtime_token=token,
        address=address,
        output_format=output_format,
        delivered=[(d.connection, d.secrets) for d in configuration.connections],
    )
    return _with_headers(HttpResponse(body, content_type=formats.FORMATS[output_format]), etag)
