"""Per-environment bindings: generated credentials, and environments that
appeared after a connection was made."""

from __future__ import annotations

import secrets

from console.models import Environment
from marketplace.models import ServiceKind

from ..models import (
    AuthScheme,
    Connection,
    ConnectionBinding,
)
from .rules import default_endpoints


def generated_credentials(scheme: str) -> dict[str, object]:
    if scheme == AuthScheme.OAUTH2:
        return {
            "consumer_key": secrets.token_urlsafe(18),
            "consumer_secret": secrets.token_urlsafe(32),
        }
    if scheme == AuthScheme.API_KEY:
        return {"api_key": "jct_" + secrets.token_urlsafe(32)}
    return {}


def add_missing_bindings(connection: Connection) -> list[ConnectionBinding]:
    """Bindings for environments created after the connection (an Admin
    added Staging, say): default endpoint, fresh credentials."""
    environments = list(
        Environment.objects.filter(organization_id=connection.organization_id).exclude(
            connection_bindings__connection=connection
        )
    )
    if not environments:
        return []
    service = connection.service
    defaults = (
        default_endpoints(service, environments) if service.kind == ServiceKind.THIRD_PARTY else {}
    )
    return ConnectionBinding.objects.bulk_create(
        ConnectionBinding(
            connection=connection,
            environment=environment,
            endpoint=defaults.get(environment.pk),
            **generated_credentials(connection.auth_scheme),
        )
        for environment in environments
    )
