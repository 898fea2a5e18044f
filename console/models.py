"""Tenancy and structure: organizations, their members, environments,
projects and components."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .names import NameField


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user) -> OrganizationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Organization(models.Model):
    name = NameField(max_length=100)
    handle = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    DEVELOPER = "developer", "Developer"
    VIEWER = "viewer", "Viewer"


# Roles that may change things (create connections, reveal secrets).
WRITER_ROLES = frozenset({Role.ADMIN, Role.DEVELOPER})


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_unique_user_organization"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class Environment(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="environments"
    )
    name = NameField(max_length=60)
    handle = models.SlugField(max_length=60)
    # Promotion order: Development (1) comes before Production (2).
    order = models.PositiveSmallIntegerField()
    is_production = models.BooleanField(default=False)

    class Meta:
        ordering = ["organization", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "handle"], name="environment_unique_handle"
            ),
            models.UniqueConstraint(
                fields=["organization", "order"], name="environment_unique_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="projects"
    )
    name = NameField(max_length=100)
    handle = models.SlugField(max_length=60)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "handle"], name="project_unique_handle"
            ),
        ]
        indexes = [
            # The Project menu lists an organization's projects by name.
            models.Index(fields=["organization", "name"], name="project_org_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ComponentType(models.TextChoices):
    SERVICE = "service", "Service"
    WEB_APPLICATION = "web-application", "Web Application"
    SCHEDULED_TASK = "scheduled-task", "Scheduled Task"
    MANUAL_TASK = "manual-task", "Manual Task"
    WEBHOOK = "webhook", "Webhook"
    EVENT_HANDLER = "event-handler", "Event Handler"
    API_PROXY = "api-proxy", "API Proxy"


class Component(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="components")
    name = NameField(max_length=100)
    handle = models.SlugField(max_length=60)
    type = models.CharField(max_length=20, choices=ComponentType.choices)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "handle"], name="component_unique_handle"),
            models.CheckConstraint(
                condition=models.Q(type__in=ComponentType.values), name="component_type_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "name"], name="component_project_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PasswordChangeRequired(models.Model):
    """A local account made with a one-time password: until its user chooses
    their own, every page sends them to the change-password page."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="password_change_required",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} must change their password"
