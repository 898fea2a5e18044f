"""Introspection credentials of the teams that publish services: one pair
per providing project, with which it asks Junction about the tokens and API
keys presented to its services (docs/credentials.md, For providers).

Only Admins and Developers of the project's organization may create, rotate
or reveal them: checked here, not only in the views, because these are the
functions that hand out a plaintext secret."""

from __future__ import annotations

import logging
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from console.activity import record
from console.crypto import SecretValue
from console.models import WRITER_ROLES, Action, Membership, ObjectKind, Project

from .models import IntrospectionClient

CLIENT_ID_PREFIX = "jpi_"

logger = logging.getLogger(__name__)


def _new_client_id() -> str:
    # "jpi_" tells a reader (and a secret scanner) what the value is: a
    # Junction provider introspection client id, never a consumer key.
    return CLIENT_ID_PREFIX + secrets.token_urlsafe(18)


def _new_secret() -> SecretValue:
    # Masked in memory too, as it is once read back from the database.
    return SecretValue(secrets.token_urlsafe(32))


def _require_writer(project: Project, actor) -> None:
    if not Membership.objects.filter(
        user_id=getattr(actor, "pk", None),
        organization_id=project.organization_id,
        role__in=WRITER_ROLES,
    ).exists():
        raise PermissionDenied("Only Admins and Developers can manage introspection credentials.")


def _record(project: Project, *, actor, action: Action) -> None:
    # Neither the secret nor the client id: that they were made, rotated or read.
    record(
        organization=project.organization_id,
        project=project,
        actor=actor,
        kind=ObjectKind.INTROSPECTION_CREDENTIALS,
        object_id=project.pk,
        object_name=f"introspection credentials of {project.name}",
        action=action,
    )


def _locked(project: Project) -> IntrospectionClient | None:
    """The project's credentials, if any, after locking the project row: two
    clicks at once create one pair, and a rotation never races another."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    return IntrospectionClient.objects.filter(project_id=project.pk).first()


@transaction.atomic
def introspection_client_create(*, project: Project, actor) -> IntrospectionClient:
    """The project's first introspection credentials. A project has one
    pair: creating a second is refused (rotate the first instead)."""
    _require_writer(project, actor)
    if _locked(project) is not None:
        raise ValidationError(
            f"{project.name} already has introspection credentials: "
            "rotate them to get a new secret.",
            code="exists",
        )
    client = IntrospectionClient.objects.create(
        project=project,
        client_id=_new_client_id(),
        client_secret=_new_secret(),
        created_by=actor,
    )
    _record(project, actor=actor, action=Action.CREATED)
    logger.info(
        "introspection credentials %s created for project %s by user %s",
        client.client_id,
        project.pk,
        actor.pk,
    )
    return client


@transaction.atomic
def introspection_client_rotate(*, project: Project, actor) -> IntrospectionClient:
    """A new secret for the project's introspection credentials, in force at
    once: the old secret stops working (there is no grace period; a provider
    deploys the new one, then rotates, or accepts a short gap). The client id
    stays, so only the secret has to be redeployed."""
    _require_writer(project, actor)
    client = _locked(project)
    if client is None:
        raise ValidationError(
            f"{project.name} has no introspection credentials to rotate: create them first.",
            code="missing",
        )
    client.client_secret = _new_secret()
    client.rotated_at = timezone.now()
    client.save(update_fields=["client_secret", "rotated_at"])
    _record(project, actor=actor, action=Action.CREDENTIALS_ROTATED)
    logger.info(
        "introspection secret of %s rotated for project %s by user %s",
        client.client_id,
        project.pk,
        actor.pk,
    )
    return client


@transaction.atomic
def introspection_secret_reveal(*, project: Project, actor) -> str:
    """The plaintext secret, for an Admin or Developer. The reveal is logged
    (who and which client, never the value)."""
    _require_writer(project, actor)
    client = IntrospectionClient.objects.filter(project_id=project.pk).first()
    if client is None:
        raise IntrospectionClient.DoesNotExist("This project has no introspection credentials.")
    _record(project, actor=actor, action=Action.SECRET_REVEALED)
    logger.info(
        "introspection secret of %s revealed to user %s",
        client.client_id,
        getattr(actor, "pk", None),
    )
    return client.client_secret.reveal()
