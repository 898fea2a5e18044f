"""The configuration endpoint's formats: the same values as dotenv, JSON,
a Kubernetes Secret or shell ``export`` lines."""

from __future__ import annotations

import json
import re

import yaml

from .config import Configuration

FORMATS = {
    "dotenv": "text/plain; charset=utf-8",
    "json": "application/json",
    "k8s-secret": "application/yaml; charset=utf-8",
    "shell": "text/x-shellscript; charset=utf-8",
}
# What an Accept header may ask for instead of ?format=.
ACCEPTED = {
    "application/json": "json",
    "application/yaml": "k8s-secret",
    "application/x-yaml": "k8s-secret",
    "text/x-shellscript": "shell",
    "application/x-sh": "shell",
}
_NOT_DNS_LABEL = re.compile(r"[^a-z0-9-]+")


def _comment(text: str) -> str:
    # One line: a reason never breaks out of its comment.
    return " ".join(text.split())


def _header(configuration: Configuration) -> list[str]:
    lines = [f"# Junction: the {configuration.consumer} in {configuration.environment}."]
    lines += [
        f"# pending: {_comment(p.connection)}: {_comment(p.reason)}" for p in configuration.pending
    ]
    return lines


def _dotenv_value(value: str) -> str:
    """Quoted so that any value survives docker compose's and
    python-dotenv's readers: single quotes are literal there; a value with a
    single quote or a line break is double-quoted with backslash escapes."""
    if "'" not in value and "\n" not in value and "\r" not in value:
        return f"'{value}'"
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def dotenv(configuration: Configuration) -> str:
    lines = _header(configuration)
    lines += [f"{name}={_dotenv_value(value)}" for name, value in configuration.variables.items()]
    return "\n".join(lines) + "\n"


def shell(configuration: Configuration) -> str:
    """POSIX shell: single quotes keep everything literal; a single quote
    inside ends the quoting, adds an escaped quote and starts it again."""
    lines = _header(configuration)
    lines += [
        "export {}='{}'".format(name, value.replace("'", "'\\''"))
        for name, value in configuration.variables.items()
    ]
    return "\n".join(lines) + "\n"


def as_json(configuration: Configuration) -> str:
    return json.dumps(
        {
            "environment": configuration.environment,
            "variables": configuration.variables,
            "connections": [
                {
                    "name": delivered.connection.name,
                    "resourceRef": delivered.resource_ref,
                    "keys": delivered.keys,
                }
                for delivered in configuration.connections
            ],
            "pending": [
                {"connection": p.connection, "reason": p.reason} for p in configuration.pending
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


def secret_name(configuration: Configuration) -> str:
    """A DNS-1123 name from the component (or project) and environment:
    lower-case letters, digits and dashes, at most 253 characters."""
    token = configuration.token
    owner = token.component.handle if token.component is not None else token.project.handle
    name = _NOT_DNS_LABEL.sub("-", f"{owner}-{token.environment.name}".lower()).strip("-")
    return name[:253].rstrip("-") or "junction"


def k8s_secret(configuration: Configuration) -> str:
    manifest = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": secret_name(configuration),
            "labels": {"app.kubernetes.io/managed-by": "junction"},
            "annotations": {
                "junction/environment": configuration.environment,
                "junction/pending": str(len(configuration.pending)),
            },
        },
        "type": "Opaque",
        "stringData": configuration.variables,
    }
    return (
        "\n".join(_header(configuration))
        + "\n"
        + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True)
    )


RENDERERS = {"dotenv": dotenv, "json": as_json, "k8s-secret": k8s_secret, "shell": shell}
