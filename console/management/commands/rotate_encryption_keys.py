"""Re-encrypt every stored secret with the newest key.

Key rotation, step by step (README, "Secrets"):
1. Put a new key first in JUNCTION_ENCRYPTION_KEYS, keeping the old ones
   after it, and restart: new secrets use the new key, old ones still read.
2. Run ``manage.py rotate_encryption_keys``.
3. Remove the old keys from JUNCTION_ENCRYPTION_KEYS.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from console.crypto import EncryptedTextField

BATCH_SIZE = 500


def encrypted_fields() -> list[tuple[type, str]]:
    """(model, field name) for every encrypted column of the project."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField)
    ]


def rotate_field(model: type, field_name: str, batch_size: int = BATCH_SIZE) -> int:
    """Re-save ``field_name`` of every row: reading decrypts with any listed
    key, saving encrypts with the first. Returns the number of rows."""
    rotated = 0
    last_pk = 0
    while True:
        # Keyset batches: constant memory, and each batch commits on its own
        # so a long rotation never holds one huge transaction.
        with transaction.atomic():
            rows = list(
                model.objects.filter(pk__gt=last_pk)
                .exclude(**{f"{field_name}__isnull": True})
                .order_by("pk")
                .only("pk", field_name)[:batch_size]
            )
            if not rows:
                return rotated
            model.objects.bulk_update(rows, [field_name])
        rotated += len(rows)
        last_pk = rows[-1].pk


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key of JUNCTION_ENCRYPTION_KEYS."

    def handle(self, *args, **options) -> None:
        total = 0
        for model, field_name in encrypted_fields():
            count = rotate_field(model, field_name)
            total += count
            self.stdout.write(f"{model._meta.label}.{field_name}: {count} re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"{total} secrets now use the newest key."))
