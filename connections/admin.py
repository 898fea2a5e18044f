"""Django admin for connections and their per-environment bindings (their
history is the activity log's, console/admin.py). The console owns how
connections are made; the admin looks, renames and cleans up, and never
shows a secret."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from console.crypto import SecretValue

from .models import Connection, ConnectionBinding
from .naming import validate_connection_name
from .services import check_name_is_free, connection_delete, connection_update


def _masked(secret: SecretValue | None) -> str:
    # str() of a SecretValue is a mask: neither plaintext nor ciphertext
    # reaches the page. Read-only fields would print None as "None".
    return admin.site.empty_value_display if secret is None else str(secret)


@admin.display(description="consumer secret")
def consumer_secret(binding: ConnectionBinding) -> str:
    return _masked(binding.consumer_secret)


@admin.display(description="API key")
def api_key(binding: ConnectionBinding) -> str:
    return _masked(binding.api_key)


class ScopeFilter(admin.SimpleListFilter):
    title = "scope"
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [("project", "Project"), ("component", "Component")]

    def queryset(self, request, queryset):
        if self.value() == "project":
            return queryset.filter(component__isnull=True)
        if self.value() == "component":
            return queryset.filter(component__isnull=False)
        return queryset


class ConnectionAdminForm(forms.ModelForm):
    class Meta:
        model = Connection
        fields = ("name", "description")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        validate_connection_name(name)
        return name

    def clean(self):
        cleaned_data = super().clean()
        name = cleaned_data.get("name")
        if name and self.instance.pk:
            # The same rules as the console: unique among the names the
            # scope shares, and no environment variable produced twice.
            connection = self.instance
            try:
                check_name_is_free(
                    project=connection.project,
                    component=connection.component,
                    name=name,
                    keys=[key for key, _ in connection.keys()],  # noqa: SIM118 (not a dict)
                    exclude=connection,
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class ConnectionBindingInline(admin.TabularInline):
    model = ConnectionBinding
    fields = ("environment", "endpoint", "consumer_key", consumer_secret, api_key)
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("environment", "endpoint__service")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Bindings are resolved when the connection is created; changing a
        # mapping is the console's job, which records it in the history.
        return False


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionAdminForm
    list_display = (
        "name",
        "service",
        "service_kind",
        "scope",
        "project",
        "organization",
        "auth_scheme",
        "created_by",
        "created_at",
    )
    list_filter = (ScopeFilter, "service__kind", "auth_scheme", "organization")
    list_select_related = ("service", "project", "component", "organization", "created_by")
    search_fields = (
        "name",
        "variable_stem",
        "=public_id",
        "service__name",
        "project__name",
        "component__name",
    )
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    # Counting 500,000 rows on every page view buys nothing.
    show_full_result_count = False
    fields = (
        "name",
        "description",
        "public_id",
        "organization",
        "project",
        "component",
        "service",
        "auth_scheme",
        "variable_stem",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields[2:]
    inlines = (ConnectionBindingInline,)

    def has_add_permission(self, request):
        # A connection is made by connections.services.connection_create,
        # which checks visibility, resolves an endpoint per environment,
        # generates credentials and records the event in one transaction.
        # An admin form would skip all of that, so connections are created
        # in the console only.
        return False

    @admin.display(description="scope", ordering="component")
    def scope(self, connection: Connection) -> str:
        return connection.component.name if connection.component else "Project"

    @admin.display(description="type", ordering="service__kind")
    def service_kind(self, connection: Connection) -> str:
        return connection.service_kind

    def save_model(self, request, obj, form, change):
        # The console's write path: the name checks again under the project
        # lock, variable_stem kept in step, and one event per kind of change
        # so the connection page's history shows what the admin changed too.
        connection_update(
            connection=obj, name=obj.name, description=obj.description, actor=request.user
        )

    def delete_model(self, request, obj):
        self.delete_queryset(request, Connection.objects.filter(pk=obj.pk))

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        # The console's delete, one connection at a time: under the project
        # lock, with the "deleted" event that outlives the connection.
        for connection in queryset.select_related("service", "project"):
            connection_delete(connection=connection, actor=request.user, via="admin")


@admin.register(ConnectionBinding)
class ConnectionBindingAdmin(admin.ModelAdmin):
    list_display = ("connection", "environment", "endpoint", "consumer_key")
    list_filter = ("environment__is_production", "connection__organization")
    list_select_related = ("connection", "environment", "endpoint__service")
    search_fields = ("connection__name", "=connection__public_id", "consumer_key")
    ordering = ("connection__name", "environment__order")
    show_full_result_count = False
    fields = (
        "connection",
        "environment",
        "endpoint",
        "consumer_key",
        consumer_secret,
        api_key,
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # See ConnectionBindingInline: the console changes mappings.
        return False

    def has_delete_permission(self, request, obj=None):
        # A binding lives and dies with its connection; only a superuser
        # cleans one up by hand (deleting a connection needs this too).
        return request.user.is_superuser
