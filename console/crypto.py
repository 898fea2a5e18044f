"""Encryption at rest for secrets, and a value type that will not leak them.

A secret read from the database comes back as a ``SecretValue``: printing it,
putting it in a template, a log line or an error page shows a mask. Only an
explicit ``.reveal()`` hands out the plaintext, and nothing ever hands out the
ciphertext.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

MASK = "••••••••"


class SecretValue:
    """A decrypted secret whose ``str`` and ``repr`` are masked."""

    __slots__ = ("_plaintext",)

    def __init__(self, plaintext: str) -> None:
        self._plaintext = plaintext

    def reveal(self) -> str:
        return self._plaintext

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"SecretValue({MASK!r})"

    def __bool__(self) -> bool:
        return bool(self._plaintext)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SecretValue):
            return self._plaintext == other._plaintext
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._plaintext)


def _development_key(secret_key: str) -> str:
    # A stable key derived from SECRET_KEY, so development needs no configuration.
    digest = hashlib.sha256(b"junction-encryption:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def encryption_keys() -> list[str]:
    """The keys in force: JUNCTION_ENCRYPTION_KEYS, or the development key."""
    return list(settings.JUNCTION_ENCRYPTION_KEYS) or [_development_key(settings.SECRET_KEY)]


@functools.lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        keys = (_development_key(secret_key),)
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "JUNCTION_ENCRYPTION_KEYS must hold Fernet keys "
            "(32 url-safe base64-encoded bytes), separated by commas."
        ) from error


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.JUNCTION_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with JUNCTION_ENCRYPTION_KEYS: "
            "was the key that encrypted it removed?"
        ) from error


def rotate(token: str) -> str:
    """Re-encrypt a stored token with the first (newest) key."""
    return fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python sees a ``SecretValue``.

    Not editable through ModelForms by default: a form would otherwise render
    the mask and save it back as the new secret. Forms that set secrets
    declare their own field and assign a plain ``str`` or a ``SecretValue``.
    """

    description = "Encrypted text"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(
        self, value: str | None, expression: Any, connection: Any
    ) -> SecretValue | None:
        if value is None:
            return None
        return SecretValue(decrypt(value))

    def to_python(self, value: Any) -> SecretValue | None:
        if value is None or isinstance(value, SecretValue):
            return value
        return SecretValue(str(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        plaintext = value.reveal() if isinstance(value, SecretValue) else str(value)
        return encrypt(plaintext)

    def value_to_string(self, obj: models.Model) -> str:
        # Serialization (dumpdata) keeps the masked form, never the plaintext.
        return str(self.value_from_object(obj))
