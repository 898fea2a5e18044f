"""The configuration endpoint over HTTP (httpx): one GET, and every way it
can fail turned into one of errors.py's exceptions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import version

import httpx

from junction_cli.errors import (
    JunctionError,
    RateLimited,
    TokenRefused,
    UnexpectedAnswer,
    Unreachable,
    UsageProblem,
)

CONFIG_PATH = "/api/v1/runtime/config"
FORMATS = ("dotenv", "json", "k8s-secret", "shell")
# Connecting is quick or never happens; reading waits for the server to
# resolve every connection, which takes longer on a busy database.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
PENDING_COMMENT = "# pending: "


@dataclass(frozen=True)
class Pending:
    connection: str
    reason: str


@dataclass(frozen=True)
class Configuration:
    """The json format, as ``junction run`` needs it."""

    environment: str
    variables: dict[str, str]
    pending: list[Pending]


def _one_line(text: str, limit: int = 300) -> str:
    """A server's text for a one-line message: no line breaks, bounded."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _base(url: str) -> httpx.URL:
    base = httpx.URL(url.strip())
    if base.scheme not in ("http", "https") or not base.host:
        raise UsageProblem(
            "JUNCTION_URL must be Junction's address, such as https://junction.example.com"
        )
    if base.userinfo:
        # httpx would send them as Basic credentials instead of the token.
        raise UsageProblem("JUNCTION_URL must not hold a user name or password")
    return base


def _bearer(token: str) -> str:
    """The Authorization header; a token that could not be one (a pasted
    line break, a non-ASCII character) is said so without showing it."""
    token = token.strip()
    if not token.isascii() or not token.isprintable() or " " in token:
        raise UsageProblem("JUNCTION_TOKEN is not a runtime token: copy it again from Junction")
    return f"Bearer {token}"


def _shown(base: httpx.URL) -> str:
    return str(base.copy_with(query=None, fragment=None)).rstrip("/")


def _description(response: httpx.Response) -> str:
    """The endpoint's errors are JSON {"error", "error_description"}; a proxy's may be anything."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    text = body.get("error_description") or body.get("error") or ""
    return _one_line(text) if isinstance(text, str) else ""


def retry_hint(retry_after: str | None, now: datetime | None = None) -> str:
    """Retry-After is seconds or an HTTP date (RFC 9110, 10.2.3)."""
    value = (retry_after or "").strip()
    if value.isdigit():
        return f"retry in {int(value)} s"
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return "retry later"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return f"retry in {max(0, round(seconds))} s"


def _failure(response: httpx.Response, shown: str) -> JunctionError:
    status = response.status_code
    description = _description(response)
    if status == 401:
        return TokenRefused(
            f"the token was refused: {description}"
            if description
            else "the token was refused (HTTP 401): check JUNCTION_TOKEN"
        )
    if status == 429:
        return RateLimited(
            f"too many pulls with this token: {retry_hint(response.headers.get('Retry-After'))}"
        )
    if response.is_redirect or status == 404:
        # The console redirects to its log-in page, a web server answers 404:
        # either way the address is not the endpoint's.
        return UnexpectedAnswer(
            f"{shown} answered HTTP {status} for {CONFIG_PATH}: "
            "is JUNCTION_URL the address of Junction?"
        )
    suffix = f": {description}" if description else ""
    return UnexpectedAnswer(f"{shown} answered HTTP {status}{suffix}")


def pull(
    url: str,
    token: str,
    output_format: str = "dotenv",
    *,
    transport: httpx.BaseTransport | None = None,
) -> bytes:
    """The configuration in ``output_format``, exactly as the server sent it."""
    if output_format not in FORMATS:
        raise UsageProblem(f"unknown format {output_format!r}: one of {', '.join(FORMATS)}")
    base = _base(url)
    shown = _shown(base)
    endpoint = base.copy_with(path=base.path.rstrip("/") + CONFIG_PATH, query=None, fragment=None)
    headers = {
        "Authorization": _bearer(token),
        "User-Agent": f"junction-cli/{version('junction-cli')}",
    }
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport) as client:
            response = client.get(endpoint, params={"format": output_format}, headers=headers)
    except httpx.ConnectTimeout:
        raise Unreachable(
            f"cannot reach {shown}: no connection in {TIMEOUT.connect:.0f} s"
        ) from None
    except httpx.TimeoutException:
        raise Unreachable(f"{shown} did not answer in {TIMEOUT.read:.0f} s") from None
    except (httpx.NetworkError, httpx.ProxyError) as error:
        raise Unreachable(
            f"cannot reach {shown}: {_one_line(str(error)) or 'no connection'}"
        ) from None
    except httpx.TransportError as error:
        raise UnexpectedAnswer(f"{shown} did not answer in HTTP: {_one_line(str(error))}") from None
    if response.status_code != 200:
        raise _failure(response, shown)
    if response.headers.get("Content-Type", "").startswith("text/html"):
        # A proxy's or a log-in page: never written out as configuration.
        raise UnexpectedAnswer(
            f"{shown} answered with a web page: is JUNCTION_URL the address of Junction?"
        )
    return response.content


def parse_configuration(body: bytes) -> Configuration:
    """The json format, checked: a program must not start on half a configuration."""
    try:
        document = json.loads(body)
        variables = document["variables"]
        pending = [Pending(str(p["connection"]), str(p["reason"])) for p in document["pending"]]
        environment = str(document["environment"])
    except (ValueError, KeyError, TypeError) as error:
        raise UnexpectedAnswer(f"the configuration is not the expected JSON ({error})") from None
    if not isinstance(variables, dict) or not all(
        isinstance(name, str) and isinstance(value, str) for name, value in variables.items()
    ):
        raise UnexpectedAnswer("the configuration's variables are not names and text values")
    return Configuration(environment=environment, variables=variables, pending=pending)


def configuration(
    url: str, token: str, *, transport: httpx.BaseTransport | None = None
) -> Configuration:
    return parse_configuration(pull(url, token, "json", transport=transport))


def pending_in(body: bytes, output_format: str) -> list[Pending]:
    """What a pulled body says is pending: the json format's list, or the
    other formats' "# pending: <name>: <reason>" comment lines."""
    if output_format == "json":
        return parse_configuration(body).pending
    found = []
    for line in body.decode("utf-8", "replace").splitlines():
        if line.startswith(PENDING_COMMENT):
            name, _, reason = line.removeprefix(PENDING_COMMENT).partition(": ")
            found.append(Pending(name, reason))
    return found
