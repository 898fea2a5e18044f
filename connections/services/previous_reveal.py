"""Revealing the secret a rotation replaced, while its grace period runs:
the components that still use it may need it read back, as the current one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from console.models import WRITER_ROLES, Membership, Project

from ..models import BINDING_FIELDS, Connection, ConnectionBinding, EventAction
from .events import record_event
from .rotation import ROTATED_FIELDS


@transaction.atomic
def previous_secret_reveal(
    *, connection: Connection, binding: ConnectionBinding, key: str, actor
) -> str:
    """The plaintext of the replaced ``key`` of one environment, for someone
    who may see it, while it is still accepted; recorded as a reveal of the
    old value (which secret, never its value)."""
    # The same checks, in the same order, as connection_secret_reveal.
    if not Membership.objects.filter(
        user_id=getattr(actor, "pk", None),
        organization_id=connection.organization_id,
        role__in=WRITER_ROLES,
    ).exists():
        raise PermissionDenied("Only Admins and Developers can reveal secrets.")
    Project.objects.select_for_update().filter(pk=connection.project_id).first()
    binding = (
        ConnectionBinding.objects.select_related("environment")
        .filter(pk=binding.pk, connection_id=connection.pk)
        .first()
    )
    if binding is None:
        raise ValidationError("This connection has no such environment.", code="no_binding")
    previous = (
        binding.previous_credential(key, timezone.now())
        if BINDING_FIELDS.get(key) in ROTATED_FIELDS
        else None
    )
    if not previous:
        raise ValidationError(
            {"key": f"{connection.name} has no old {key} in {binding.environment.name}."},
            code="no_such_secret",
        )
    record_event(
        connection=connection,
        actor=actor,
        action=EventAction.SECRET_REVEALED,
        detail={"environment": binding.environment.name, "key": key, "previous": True},
    )
    return previous.reveal()
