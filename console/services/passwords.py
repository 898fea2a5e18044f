"""A user's own password."""

from __future__ import annotations

from django.db import transaction

from ..models import PasswordChangeRequired


@transaction.atomic
def own_password_change(*, user, new_password: str) -> None:
    """Set the password the user chose; a one-time password's obligation
    to change it ends with it."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    PasswordChangeRequired.objects.filter(user_id=user.pk).delete()
