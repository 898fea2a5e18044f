"""The keys access tokens are signed with: which one signs, which ones are
published, and rotation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from joserfc.jwk import ECKey, KeySet

from console.crypto import SecretValue

from .models import SigningKey

ALGORITHM = "ES256"


def _publication_window() -> timedelta:
    # A superseded key stays published as long as a token it signed may
    # live, plus a minute for clocks that disagree.
    return timedelta(seconds=settings.JUNCTION_ACCESS_TOKEN_LIFETIME + 60)


def signing_key_create() -> SigningKey:
    """A new key pair that signs from now on; the keys before it stop
    signing and stay published until their tokens have expired."""
    key = ECKey.generate_key("P-256", private=True, auto_kid=True)
    with transaction.atomic():
        now = timezone.now()
        SigningKey.objects.filter(superseded_at=None).update(superseded_at=now)
        return SigningKey.objects.create(
            kid=key.kid,
            algorithm=ALGORITHM,
            private_jwk=SecretValue(json.dumps(key.as_dict(private=True))),
            public_jwk={**key.as_dict(private=False), "use": "sig", "alg": ALGORITHM},
        )


def published_keys(now: datetime | None = None) -> list[SigningKey]:
    """The keys a token may be signed with: the signing key and those
    superseded less than a token lifetime ago."""
    now = now or timezone.now()
    return list(
        SigningKey.objects.filter(
            Q(superseded_at=None) | Q(superseded_at__gt=now - _publication_window())
        )
    )


def signing_key() -> SigningKey:
    """The key that signs: the newest not superseded, made on first use."""
    current = SigningKey.objects.filter(superseded_at=None).first()
    return current or signing_key_create()


def private_key_set(key: SigningKey) -> KeySet:
    return KeySet([ECKey.import_key(json.loads(key.private_jwk.reveal()))])


def public_jwks(keys: list[SigningKey]) -> dict:
    """The JWK Set document (RFC 7517, section 5)."""
    return {"keys": [key.public_jwk for key in keys]}


def public_key_set(keys: list[SigningKey]) -> KeySet:
    return KeySet.import_key_set(public_jwks(keys))
