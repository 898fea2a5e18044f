"""What Junction's authorization server keeps: the keys it signs access
tokens with, the introspection credentials of the teams that publish
services, the tokens revoked before they expire, and rate-limit counters."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from console.crypto import EncryptedTextField
from console.models import Project


class SigningKey(models.Model):
    """An ES256 key pair. The newest key that has not been superseded signs;
    every key is published in the JWKS until the tokens it signed have
    expired (docs/credentials.md, Signing keys)."""

    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=8, default="ES256")
    # The private JWK as JSON, encrypted like every other secret.
    private_jwk = EncryptedTextField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When a newer key took over signing; published until this plus the
    # longest token lifetime.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid


class IntrospectionClient(models.Model):
    """The credentials with which the team that publishes services (a
    project) asks Junction about the tokens and API keys presented to them.
    Introspection answers only for tokens meant for this project's services."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="introspection_client"
    )
    client_id = models.CharField(max_length=64, unique=True)
    client_secret = EncryptedTextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.client_id


class RevokedToken(models.Model):
    """An access token revoked (RFC 7009) before its expiry. Kept until it
    would have expired anyway, then deleted."""

    jti = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.jti


class RateCounter(models.Model):
    """A fixed-window request counter shared by every app server, for when
    no Redis is configured (oauth/ratelimit.py)."""

    key = models.CharField(max_length=200)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="rate_counter_unique_window")
        ]
        indexes = [models.Index(fields=["window"], name="rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window}: {self.count}"
