"""Per-environment bindings: generated credentials, environments that
appeared after a connection was made (every connection at once when an
Admin adds one), and one binding read under the project lock for a writer."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError

from console.models import WRITER_ROLES, Environment, Membership, Project
from marketplace.models import SECURITY_KEYS, Endpoint, ServiceKind

from ..models import (
    BINDING_FIELDS,
    Connection,
    ConnectionBinding,
    api_key_digest,
)
from .rules import default_endpoints

_GENERATORS = {
    "consumer_key": lambda: secrets.token_urlsafe(18),
    "consumer_secret": lambda: secrets.token_urlsafe(32),
    "api_key": lambda: "jct_" + secrets.token_urlsafe(32),
}


def generated_credentials(scheme: str) -> dict[str, object]:
    """Fresh values, by binding field, for the keys of ``scheme`` that a
    connection holds per environment (SECURITY_KEYS, BINDING_FIELDS), with
    the digest an API key is found by."""
    fields = [BINDING_FIELDS[key] for key, _ in SECURITY_KEYS[scheme] if key in BINDING_FIELDS]
    values = {field: _GENERATORS[field]() for field in fields}
    if "api_key" in values:
        values["api_key_digest"] = api_key_digest(values["api_key"])
    return values


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


def bindings_for_new_environment(*, environment: Environment) -> list[ConnectionBinding]:
    """A binding in ``environment`` for every connection of its organization
    that has none there: a third-party connection gets the default endpoint
    (default_endpoints' rule, the first by name that serves it), every one
    fresh credentials. Internal services resolve through their deployments,
    so where none is deployed the connection page says so
    (connections/resolution.py).

    Called by the console's environment_create in its transaction
    (settings.ENVIRONMENT_CREATED_HOOKS), which holds every project of the
    organization locked: a connection_create in progress (it locks its
    project, then reads the environments) has committed and is read here,
    and one that comes later reads the new environment itself. The same
    queries whatever the number of connections: two reads and one bulk
    insert (which Django splits on SQLite, at 999 variables a statement).
    """
    connections = list(
        Connection.objects.filter(organization_id=environment.organization_id)
        .exclude(bindings__environment=environment)
        .values_list("pk", "auth_scheme", "service_id", "service__kind")
        .order_by("pk")
    )
    if not connections:
        return []
    defaults: dict[int, int] = {}
    for service_id, endpoint_id in (
        Endpoint.objects.filter(environments=environment, service__kind=ServiceKind.THIRD_PARTY)
        .order_by("service_id", "name")
        .values_list("service_id", "pk")
    ):
        defaults.setdefault(service_id, endpoint_id)
    return ConnectionBinding.objects.bulk_create(
        ConnectionBinding(
            connection_id=connection_id,
            environment=environment,
            endpoint_id=defaults.get(service_id) if kind == ServiceKind.THIRD_PARTY else None,
            **generated_credentials(scheme),
        )
        for connection_id, scheme, service_id, kind in connections
    )


def lock_binding_for_writer(
    *, connection: Connection, binding: ConnectionBinding, actor, refusal: str
) -> ConnectionBinding:
    """``binding`` read again, with its environment, once ``actor`` is shown
    to be an Admin or Developer (else PermissionDenied with ``refusal``) and
    the connection's project is locked; a ValidationError if it is gone.

    For the writes that reveal or replace a secret: checked here too, not
    only in the views, as these hand out plaintext. The project lock orders
    them after a delete in progress, so an event never points at a
    connection that is gone, and a rotation after another one.
    """
    if not Membership.objects.filter(
        user_id=getattr(actor, "pk", None),
        organization_id=connection.organization_id,
        role__in=WRITER_ROLES,
    ).exists():
        raise PermissionDenied(refusal)
    Project.objects.select_for_update().filter(pk=connection.project_id).first()
    locked = (
        ConnectionBinding.objects.select_related("environment")
        .filter(pk=binding.pk, connection_id=connection.pk)
        .first()
    )
    if locked is None:
        raise ValidationError("This connection has no such environment.", code="no_binding")
    return locked
