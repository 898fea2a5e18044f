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
from console.activity import changed, created, record
from console.models import Action, Component, Environment, ObjectKind, Project
from console.people import display_name

from .activity import declared_state
from .models import TOKEN_PREFIX, ComponentManifest, ConfigPull, RuntimeToken, token_digest


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: ``token`` is the only time its value exists
    outside the client that receives it."""

    runtime_token: RuntimeToken
    token: str


def _actor_name(actor) -> str:
    # Kept as shown (a person's full name), so that it outlives their account.
    return display_name(actor) if actor is not None and actor.is_authenticated else ""


@transaction.atomic
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
    # Never the token, nor the first characters the list shows of it.
    _record_token(
        runtime_token,
        project=project,
        actor=actor,
        action=Action.CREATED,
        changes=created(
            {
                "name": name,
                "for": component.name if component is not None else "the project's connections",
                "environment": environment.name,
                "expires": expires_at.isoformat(timespec="minutes") if expires_at else "never",
            }
        ),
    )
    return IssuedToken(runtime_token, token)


def _record_token(runtime_token: RuntimeToken, *, project: Project, **fields) -> None:
    record(
        organization=runtime_token.organization_id,
        project=project,
        kind=ObjectKind.RUNTIME_TOKEN,
        object_id=runtime_token.public_id,
        object_name=runtime_token.name,
        **fields,
    )


def runtime_token_revoke(*, runtime_token: RuntimeToken, actor) -> bool:
    """Revoke at once (the next pull gets 401). False when it already was."""
    with transaction.atomic():
        revoked = RuntimeToken.objects.filter(pk=runtime_token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by_name=_actor_name(actor)
        )
        if revoked:
            _record_token(
                runtime_token, project=runtime_token.project, actor=actor, action=Action.REVOKED
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
            project=runtime_token.project,
            connections=[(connection, keys) for connection, keys in delivered if keys],
            token_name=runtime_token.name,
            environment=runtime_token.environment.name,
            address=address,
        )
    return pull


def _record_manifest(component: Component, **fields) -> None:
    record(
        organization=component.project.organization_id,
        project=component.project,
        kind=ObjectKind.COMPONENT_YAML,
        object_id=component.pk,
        object_name=f"component.yaml of {component.name}",
        **fields,
    )


@transaction.atomic
def component_manifest_save(*, component: Component, text: str, declared: dict, actor) -> None:
    """Save a component.yaml that delivery.manifest found valid, with what
    delivery reads of it (``declared``)."""
    stored = (
        ComponentManifest.objects.select_for_update()
        .filter(component_id=component.pk)
        .values_list("declared", flat=True)
        .first()
    )
    ComponentManifest.objects.update_or_create(
        component=component,
        defaults={"text": text, "declared": declared, "saved_by_name": _actor_name(actor)},
    )
    after = declared_state(declared)
    if stored is None:
        _record_manifest(component, actor=actor, action=Action.CREATED, changes=created(after))
    else:
        _record_manifest(
            component,
            actor=actor,
            action=Action.UPDATED,
            changes=changed(declared_state(stored), after),
        )


@transaction.atomic
def component_manifest_remove(*, component: Component, actor=None) -> bool:
    """Back to delivering every connection the component sees. False when
    it had no component.yaml."""
    stored = (
        ComponentManifest.objects.select_for_update()
        .filter(component_id=component.pk)
        .values_list("declared", flat=True)
        .first()
    )
    if stored is None:
        return False
    ComponentManifest.objects.filter(component_id=component.pk).delete()
    _record_manifest(
        component,
        actor=actor,
        action=Action.REMOVED,
        detail={"state": declared_state(stored)},
    )
    return True
