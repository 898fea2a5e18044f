"""Writes of delivery: runtime tokens made and revoked, pulls recorded.
Keyword-only ``<thing>_<verb>`` functions (docs/architecture.md)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from connections.models import Connection
from connections.services.events import record_values_pulled
from console.models import Component, Environment, Project

from .models import TOKEN_PREFIX, ComponentManifest, ConfigPull, RuntimeToken, token_digest


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: ``token`` is the only time its value exists
    outside the client that receives it."""

    runtime_token: RuntimeToken
    token: str


def _actor_name(actor) -> str:
    return actor.get_username() if actor is not None and actor.is_authenticated else ""


def runtime_token_create(
    *,
    project: Project,
    component: Component | None,
    environment: Environment,
    name: str,
    expires_at: datetime | None,
    actor,
) -> IssuedToken:
    """A token for ``component`` (or, with None, every component of the
    project, which receives the project's connections only) in one
    environment of the project's organization."""
    if environment.organization_id != project.organization_id:
        raise ValueError("The environment is not the project's organization's.")
    if component is not None and component.project_id != project.pk:
        raise ValueError("The component is not the project's.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    runtime_token = RuntimeToken.objects.create(
        organization_id=project.organization_id,
        project=project,
        component=component,
        environment=environment,
        name=name,
        digest=token_digest(token),
        hint=token[: len(TOKEN_PREFIX) + 4],
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_by_name=_actor_name(actor),
        expires_at=expires_at,
    )
    return IssuedToken(runtime_token, token)


def runtime_token_revoke(*, runtime_token: RuntimeToken, actor) -> bool:
    """Revoke at once (the next pull gets 401). False when it already was."""
    revoked = RuntimeToken.objects.filter(pk=runtime_token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by_name=_actor_name(actor)
    )
    return bool(revoked)


def token_mark_used(*, runtime_token: RuntimeToken, address: str | None) -> None:
    RuntimeToken.objects.filter(pk=runtime_token.pk).update(
        last_used_at=timezone.now(), last_used_address=address
    )


def pull_record(
    *,
    runtime_token: RuntimeToken,
    address: str | None,
    output_format: str,
    delivered: list[tuple[Connection, list[str]]],
) -> ConfigPull:
    """One pull that carried values: on the token's scope, and a line in
    the history of each connection whose secrets it carried. The token's
    last use is the pull's, kept by a trigger (delivery/version.py)."""
    with transaction.atomic():
        pull = ConfigPull.objects.create(
            token=runtime_token,
            project_id=runtime_token.project_id,
            component_id=runtime_token.component_id,
            environment_name=runtime_token.environment.name,
            address=address,
            output_format=output_format,
            connections=[
                {"id": str(connection.public_id), "name": connection.name, "secrets": keys}
                for connection, keys in delivered
            ],
        )
        record_values_pulled(
            connections=[(connection, keys) for connection, keys in delivered if keys],
            token_name=runtime_token.name,
            environment=runtime_token.environment.name,
            address=address,
        )
    return pull


def component_manifest_save(*, component: Component, text: str, declared: dict, actor) -> None:
    """Save a component.yaml that delivery.manifest found valid, with what
    delivery reads of it (``declared``)."""
    ComponentManifest.objects.update_or_create(
        component=component,
        defaults={"text": text, "declared": declared, "saved_by_name": _actor_name(actor)},
    )


def component_manifest_remove(*, component: Component) -> bool:
    """Back to delivering every connection the component sees. False when
    it had no component.yaml."""
    deleted, _ = ComponentManifest.objects.filter(component_id=component.pk).delete()
    return bool(deleted)
