"""The JSON errors of Junction's machine endpoints (RFC 6749, section 5.2
shape: ``error`` and ``error_description``), never HTML: the authorization
server's and the configuration endpoint's (delivery)."""

from __future__ import annotations

from django.http import JsonResponse

from . import ratelimit

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def json_error(status: int, error: str, description: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    for name, value in {**NO_STORE, **headers}.items():
        response[name] = value
    return response


def slow_down(description: str) -> JsonResponse:
    """429 with the seconds until the rate limit's window ends."""
    return json_error(
        429, "slow_down", description, **{"Retry-After": str(ratelimit.retry_after())}
    )
