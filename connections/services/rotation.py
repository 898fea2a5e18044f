"""Rotating a connection's generated credentials in one environment, with a
grace period during which the replaced ones still work."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from console.models import Action

from ..models import BINDING_FIELDS, Connection, ConnectionBinding
from .bindings import generated_credentials, lock_binding_for_writer
from .events import record_event

# The grace periods a rotation offers, by the value the form sends.
GRACE_PERIODS: dict[str, tuple[timedelta, str]] = {
    "none": (timedelta(0), "None: the old values stop working at once"),
    "1h": (timedelta(hours=1), "1 hour"),
    "24h": (timedelta(hours=24), "24 hours"),
    "7d": (timedelta(days=7), "7 days"),
}

# The keys a rotation replaces; the consumer key (the client id) stays, so
# the provider and the logs still know the consumer.
ROTATED_FIELDS = ("consumer_secret", "api_key")


@transaction.atomic
def credentials_rotate(
    *, connection: Connection, binding: ConnectionBinding, grace: str, actor
) -> ConnectionBinding:
    """Generate a new consumer secret or API key for one environment.

    The replaced value keeps working until the grace period ends (a second
    rotation within it ends the first one's grace: only one old value is
    ever accepted). Tokens obtained with a secret stop being accepted by
    introspection when that secret is (docs/credentials.md).
    """
    binding = lock_binding_for_writer(
        connection=connection,
        binding=binding,
        actor=actor,
        refusal="Only Admins and Developers can rotate credentials.",
    )
    if grace not in GRACE_PERIODS:
        raise ValidationError({"grace": "Choose one of the grace periods offered."}, code="grace")
    fresh = generated_credentials(connection.auth_scheme)
    rotated = [field for field in ROTATED_FIELDS if field in fresh]
    if not rotated:
        raise ValidationError(
            "This connection has no generated secret to rotate.", code="nothing_to_rotate"
        )
    period, _ = GRACE_PERIODS[grace]
    now = timezone.now()
    for field in rotated:
        setattr(binding, "previous_" + field, getattr(binding, field) if period else None)
        setattr(binding, field, fresh[field])
    if "api_key" in rotated:
        binding.previous_api_key_digest = binding.api_key_digest if period else ""
        binding.api_key_digest = fresh["api_key_digest"]
    binding.previous_valid_until = now + period if period else None
    binding.credentials_generation += 1
    binding.credentials_rotated_at = now
    binding.save()
    keys = [key for key, field in BINDING_FIELDS.items() if field in rotated]
    record_event(
        connection=connection,
        actor=actor,
        action=Action.CREDENTIALS_ROTATED,
        detail={
            "environment": binding.environment.name,
            "keys": keys,
            "grace": GRACE_PERIODS[grace][1] if period else "none",
            **({"old_valid_until": binding.previous_valid_until.isoformat()} if period else {}),
        },
    )
    return binding
