"""Django admin for delivery: look at runtime tokens, their pulls and the
saved component.yaml files, and revoke tokens. Tokens are made in the
console (their value is shown once, there); the admin shows only their hint
and never a value that was delivered."""

from __future__ import annotations

from django.contrib import admin, messages

from .models import ComponentManifest, ConfigPull, RuntimeToken
from .services import runtime_token_revoke


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RuntimeToken)
class RuntimeTokenAdmin(ReadOnly):
    list_display = (
        "name",
        "hint",
        "project",
        "component",
        "environment",
        "created_by_name",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("organization", "environment__name")
    search_fields = ("name", "project__name", "component__name")
    list_select_related = ("project", "component", "environment")
    exclude = ("digest",)
    actions = ["revoke"]

    @admin.action(description="Revoke the selected runtime tokens")
    def revoke(self, request, queryset) -> None:
        revoked = sum(
            runtime_token_revoke(runtime_token=token, actor=request.user) for token in queryset
        )
        messages.success(request, f"Revoked {revoked} runtime token{'s' if revoked != 1 else ''}.")

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("delivery.change_runtimetoken")


@admin.register(ConfigPull)
class ConfigPullAdmin(ReadOnly):
    list_display = ("token", "project", "component", "environment_name", "pulled_at", "address")
    list_select_related = ("token", "project", "component")
    search_fields = ("token__name", "project__name", "component__name")


@admin.register(ComponentManifest)
class ComponentManifestAdmin(ReadOnly):
    list_display = ("component", "saved_by_name", "saved_at")
    list_select_related = ("component",)
    search_fields = ("component__name",)
