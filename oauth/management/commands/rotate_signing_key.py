"""manage.py rotate_signing_key: a new key signs access tokens from now on."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from oauth.signing import signing_key_create


class Command(BaseCommand):
    help = (
        "Create a new signing key for access tokens. It signs from now on; the "
        "previous keys stay published in the JWKS until the tokens they signed "
        "have expired (JUNCTION_ACCESS_TOKEN_LIFETIME), then drop out."
    )

    def handle(self, *args, **options) -> None:
        key = signing_key_create()
        lifetime = settings.JUNCTION_ACCESS_TOKEN_LIFETIME
        self.stdout.write(
            f"Signing key {key.kid} signs from now on. The previous keys stay "
            f"published for {lifetime + 60} seconds, until their tokens have expired."
        )
