"""Tenancy and structure: organizations, their members, environments,
projects and components."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

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


# Run on a schedule or by hand: nothing can call them, so they publish no
# endpoints (docs/domain.md, The models).
NON_SERVING_TYPES = frozenset({ComponentType.SCHEDULED_TASK, ComponentType.MANUAL_TASK})


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

    @property
    def serves_requests(self) -> bool:
        return self.type not in NON_SERVING_TYPES


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


class ObjectKind(models.TextChoices):
    """What an activity event is about. The console names the other apps'
    kinds too: a word each, so that one model holds every app's history
    without importing any of them (docs/domain.md, Activity)."""

    ORGANIZATION = "organization", "Organization"
    MEMBER = "member", "Member"
    ENVIRONMENT = "environment", "Environment"
    PROJECT = "project", "Project"
    COMPONENT = "component", "Component"
    SERVICE = "service", "Service"
    ENDPOINT = "endpoint", "Endpoint"
    PARAMETER = "parameter", "Parameter"
    LABEL = "label", "Label"
    CONNECTION = "connection", "Connection"
    RUNTIME_TOKEN = "runtime-token", "Runtime token"
    COMPONENT_YAML = "component-yaml", "component.yaml"
    INTROSPECTION_CREDENTIALS = "introspection-credentials", "Introspection credentials"


class Action(models.TextChoices):
    CREATED = "created", "Created"
    ADDED = "added", "Added"
    PUBLISHED = "published", "Published"
    REGISTERED = "registered", "Registered"
    UPDATED = "updated", "Updated"
    RENAMED = "renamed", "Renamed"
    DESCRIPTION_CHANGED = "description-changed", "Description changed"
    MAPPING_CHANGED = "mapping-changed", "Mapping changed"
    MOVED = "moved", "Moved"
    LISTED = "listed", "Listed"
    UNLISTED = "unlisted", "Unlisted"
    DEPRECATED = "deprecated", "Deprecated"
    UNDEPRECATED = "undeprecated", "Deprecation withdrawn"
    SECRET_REVEALED = "secret-revealed", "Secret revealed"
    CREDENTIALS_ROTATED = "credentials-rotated", "Credentials rotated"
    # A runtime token's pull carried a connection's secrets (delivery); the
    # actor is the token.
    VALUES_PULLED = "values-pulled", "Values pulled"
    # The provider changed the service in a way that reaches the connection
    # (marketplace/changes.py); the actor is the provider's Admin or Developer.
    PROVIDER_CHANGED = "provider-changed", "Provider changed the service"
    REVOKED = "revoked", "Revoked"
    REMOVED = "removed", "Removed"
    DELETED = "deleted", "Deleted"


class ActivityEventQuerySet(models.QuerySet):
    def of_object(
        self, organization_id: int, kind: str, object_id: object
    ) -> ActivityEventQuerySet:
        """One object's history, newest first (the connection page's History)."""
        return self.filter(
            organization_id=organization_id, object_kind=kind, object_id=str(object_id)
        ).order_by("-created_at", "-pk")


class ActivityEvent(models.Model):
    """One write in an organization: who did what to which object, and what
    changed. The one history of every app (console/activity.py records it).
    It outlives what it is about (a "deleted" event must): it keeps the
    names it shows, and no foreign key to a higher app's rows."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="activity_events"
    )
    # Empty for an organization's own objects (members, environments); kept
    # by name once the project is deleted.
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="activity_events"
    )
    project_name = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity_events",
    )
    # Kept when the user is deleted; a runtime token's pull names the token
    # ("runtime token “ci”"); empty for a script (the demo data, the shell).
    actor_name = models.CharField(max_length=200, blank=True)
    object_kind = models.CharField(max_length=32, choices=ObjectKind.choices)
    # The id that names the object in its URLs: the public UUID where it has
    # one (connections, runtime tokens), else its primary key.
    object_id = models.CharField(max_length=64)
    object_name = models.CharField(max_length=200)
    action = models.CharField(max_length=32, choices=Action.choices)
    # {field: [before, after]}, as people read them (names, labels); never a
    # secret's value. Before is None for a field set by a create.
    changes = models.JSONField(default=dict, blank=True)
    # What else the event keeps: a deleted object's last state under
    # "state", the environment of a reveal, the provider's change...
    detail = models.JSONField(default=dict, blank=True)
    # A default rather than auto_now_add, so that a migration that copies
    # older history keeps its times.
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActivityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(object_kind__in=ObjectKind.values),
                name="activity_object_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="activity_action_valid"
            ),
        ]
        indexes = [
            # The organization's and the project's Activity, newest first.
            models.Index(
                fields=["organization", "-created_at", "-id"], name="activity_organization"
            ),
            models.Index(fields=["project", "-created_at", "-id"], name="activity_project"),
            # One object's history (the connection page).
            models.Index(
                fields=["organization", "object_kind", "object_id", "-created_at", "-id"],
                name="activity_object",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_object_kind_display()} {self.object_name}: {self.get_action_display()}"
