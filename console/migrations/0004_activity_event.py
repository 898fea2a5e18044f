"""The activity log (issue #15): one model of history for every app's
writes. connections 0008 moves the connections' events into it."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0003_password_change_required"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ActivityEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("project_name", models.CharField(blank=True, max_length=100)),
                ("actor_name", models.CharField(blank=True, max_length=200)),
                (
                    "object_kind",
                    models.CharField(
                        choices=[
                            ("organization", "Organization"),
                            ("member", "Member"),
                            ("environment", "Environment"),
                            ("project", "Project"),
                            ("component", "Component"),
                            ("service", "Service"),
                            ("endpoint", "Endpoint"),
                            ("parameter", "Parameter"),
                            ("connection", "Connection"),
                            ("runtime-token", "Runtime token"),
                            ("component-yaml", "component.yaml"),
                            ("introspection-credentials", "Introspection credentials"),
                        ],
                        max_length=32,
                    ),
                ),
                ("object_id", models.CharField(max_length=64)),
                ("object_name", models.CharField(max_length=200)),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("created", "Created"),
                            ("added", "Added"),
                            ("published", "Published"),
                            ("registered", "Registered"),
                            ("updated", "Updated"),
                            ("renamed", "Renamed"),
                            ("description-changed", "Description changed"),
                            ("mapping-changed", "Mapping changed"),
                            ("moved", "Moved"),
                            ("listed", "Listed"),
                            ("unlisted", "Unlisted"),
                            ("deprecated", "Deprecated"),
                            ("undeprecated", "Deprecation withdrawn"),
                            ("secret-revealed", "Secret revealed"),
                            ("credentials-rotated", "Credentials rotated"),
                            ("values-pulled", "Values pulled"),
                            ("provider-changed", "Provider changed the service"),
                            ("revoked", "Revoked"),
                            ("removed", "Removed"),
                            ("deleted", "Deleted"),
                        ],
                        max_length=32,
                    ),
                ),
                ("changes", models.JSONField(blank=True, default=dict)),
                ("detail", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="activity_events",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activity_events",
                        to="console.organization",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="activity_events",
                        to="console.project",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["organization", "-created_at", "-id"], name="activity_organization"
                    ),
                    models.Index(fields=["project", "-created_at", "-id"], name="activity_project"),
                    models.Index(
                        fields=["organization", "object_kind", "object_id", "-created_at", "-id"],
                        name="activity_object",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "object_kind__in",
                                [
                                    "organization",
                                    "member",
                                    "environment",
                                    "project",
                                    "component",
                                    "service",
                                    "endpoint",
                                    "parameter",
                                    "connection",
                                    "runtime-token",
                                    "component-yaml",
                                    "introspection-credentials",
                                ],
                            )
                        ),
                        name="activity_object_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "action__in",
                                [
                                    "created",
                                    "added",
                                    "published",
                                    "registered",
                                    "updated",
                                    "renamed",
                                    "description-changed",
                                    "mapping-changed",
                                    "moved",
                                    "listed",
                                    "unlisted",
                                    "deprecated",
                                    "undeprecated",
                                    "secret-revealed",
                                    "credentials-rotated",
                                    "values-pulled",
                                    "provider-changed",
                                    "revoked",
                                    "removed",
                                    "deleted",
                                ],
                            )
                        ),
                        name="activity_action_valid",
                    ),
                ],
            },
        ),
    ]
