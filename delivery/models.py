"""Delivery: how a component's connections reach it at run time. Runtime
tokens (a component's or a project's, for one environment), the pulls made
with them, and the component.yaml a component declares its connections in
(docs/delivery.md)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models

from console.models import Component, Environment, Organization, Project
from console.names import NameField

# What a runtime token starts with: a person or a secret scanner can tell it
# from any other string (as GitHub's ghp_ or Stripe's sk_ prefixes do).
TOKEN_PREFIX = "jrt_"


def token_digest(token: str) -> str:
    """How a token is stored and found: its SHA-256. Tokens are 256 random
    bits, so an unsalted hash cannot be reversed by guessing
    (docs/credentials.md, the same argument as for API keys)."""
    return hashlib.sha256(token.encode()).hexdigest()


class RuntimeTokenQuerySet(models.QuerySet):
    def at(self, project: Project, component: Component | None) -> RuntimeTokenQuerySet:
        """A component's tokens, or (component None) the project's own."""
        if component is None:
            return self.filter(project_id=project.pk, component__isnull=True)
        return self.filter(component_id=component.pk)


class RuntimeToken(models.Model):
    """A bearer token with which whatever deploys a component (a pipeline,
    Kubernetes, a developer's shell) reads the values of its connections in
    one environment. A project's token (no component) reads the project's
    connections only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="runtime_tokens"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="runtime_tokens")
    component = models.ForeignKey(
        Component, on_delete=models.CASCADE, null=True, blank=True, related_name="runtime_tokens"
    )
    environment = models.ForeignKey(
        Environment, on_delete=models.CASCADE, related_name="runtime_tokens"
    )
    name = NameField(max_length=60)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, to tell tokens apart in a list without the rest.
    hint = models.CharField(max_length=12, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runtime_tokens_created",
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=150, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_address = models.GenericIPAddressField(null=True, blank=True)

    objects = RuntimeTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["project", "component", "-created_at"], name="runtime_token_scope"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "Expired"
        return "Active"


class ConfigPull(models.Model):
    """One answer of the configuration endpoint that carried values (a 304
    carries none and only marks the token used): who took which secrets when."""

    token = models.ForeignKey(RuntimeToken, on_delete=models.CASCADE, related_name="pulls")
    # The scope, copied so that a component's page lists its pulls with one
    # indexed read whatever became of the token.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    component = models.ForeignKey(
        Component, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    environment_name = models.CharField(max_length=60)
    pulled_at = models.DateTimeField(auto_now_add=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    output_format = models.CharField(max_length=16)
    # [{"id": connection public id, "name": ..., "secrets": [key, ...]}], for
    # every connection delivered; kept as written, since connections change.
    connections = models.JSONField(default=list)

    class Meta:
        ordering = ["-pulled_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "component", "-pulled_at"], name="config_pull_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.token} at {self.pulled_at:%Y-%m-%d %H:%M}"

    @property
    def secret_connections(self) -> list[str]:
        return [entry["name"] for entry in self.connections if entry.get("secrets")]


class ComponentManifest(models.Model):
    """The component.yaml a component declares its connections in, as last
    saved (valid against the console when saved), and what delivery reads
    of it: the declared connections and the custom variable names."""

    component = models.OneToOneField(
        Component, on_delete=models.CASCADE, primary_key=True, related_name="manifest"
    )
    text = models.TextField()
    # {"references": [{"name": ..., "resourceRef": ...}],
    #  "env": [{"name": variable, "connection": connection name, "key": key}]}
    # by name, as the file says: delivery matches them to the connections
    # when it pulls, so a renamed connection shows as pending, as it would
    # break in Choreo (delivery/config.py).
    declared = models.JSONField(default=dict)
    saved_by_name = models.CharField(max_length=150, blank=True)
    saved_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"component.yaml of {self.component}"


class DeliveryVersion(models.Model):
    """Changes with every write to what an organization's runtime tokens
    receive; kept by database triggers (delivery/version.py)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.version}"
