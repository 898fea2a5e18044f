"""Django admin for the tenancy models: organizations, members, environments,
projects and components."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from .admin_activity import RecordsActivity
from .models import (
    ActivityEvent,
    Component,
    Environment,
    Membership,
    Organization,
    Project,
    Role,
)
from .services import default_environments_create

admin.site.site_header = "Junction administration"
admin.site.site_title = "Junction admin"
admin.site.index_title = "Console data"


class ConstraintCheckedForm(forms.ModelForm):
    """Checks every database constraint before the save.

    Django skips the constraints that mention a field the form leaves out (a
    read-only field, the parent of an inline row), so without this a new
    handle, name or version could pass the form and fail in the database.
    """

    def validate_unique(self):
        super().validate_unique()
        if not self.errors:
            try:
                self.instance.validate_constraints()
            except ValidationError as error:
                self.add_error(None, error)


def _read_only_on_change(obj, *fields: str) -> tuple[str, ...]:
    # Moving a row to another tenant (or project) would strand what hangs
    # off it (connections, services, bindings) in the old one.
    return fields if obj is not None else ()


class MembershipFormSet(forms.BaseInlineFormSet):
    """The console's rule holds here too: an organization keeps an Admin
    (console/services/members.py)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        admins = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == Role.ADMIN
        ]
        had_admins = (
            self.instance.pk is not None
            and self.instance.memberships.filter(role=Role.ADMIN).exists()
        )
        if had_admins and not admins:
            raise ValidationError(
                "An organization keeps at least one Admin: make another member an Admin first."
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    # An installation can have thousands of users: never a <select> of all.
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class EnvironmentInline(admin.TabularInline):
    """Names and the production flag only: adding, deleting and reordering
    go through the console's Settings → Environments, which sets every
    connection up in a new environment and refuses to delete one in use."""

    model = Environment
    fields = ("name", "handle", "order", "is_production")
    readonly_fields = ("handle", "order")
    ordering = ("order",)
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(RecordsActivity, admin.ModelAdmin):
    list_display = ("name", "handle", "created_at")
    search_fields = ("name", "handle")
    ordering = ("name",)
    date_hierarchy = "created_at"
    prepopulated_fields = {"handle": ("name",)}
    inlines = (EnvironmentInline, MembershipInline)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        organization = form.instance
        # docs/domain.md: every new organization gets Development then Production,
        # as organization_create gives them, unless the admin typed its own.
        if not change and not organization.environments.exists():
            default_environments_create(organization=organization)


@admin.register(Membership)
class MembershipAdmin(RecordsActivity, admin.ModelAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role", "organization")
    list_select_related = ("user", "organization")
    search_fields = ("user__username", "user__email", "organization__name", "organization__handle")
    ordering = ("organization__name", "user__username")
    autocomplete_fields = ("user",)


@admin.register(Environment)
class EnvironmentAdmin(RecordsActivity, admin.ModelAdmin):
    form = ConstraintCheckedForm
    list_display = ("name", "handle", "organization", "order", "is_production")
    list_filter = ("is_production", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "handle", "organization__name", "organization__handle")
    ordering = ("organization__name", "order")

    def get_readonly_fields(self, request, obj=None):
        return _read_only_on_change(obj, "organization")


class ComponentInline(admin.TabularInline):
    model = Component
    fields = ("name", "handle", "type")
    show_change_link = True
    extra = 0


@admin.register(Project)
class ProjectAdmin(RecordsActivity, admin.ModelAdmin):
    form = ConstraintCheckedForm
    list_display = ("name", "handle", "organization", "created_at")
    list_filter = ("organization",)
    list_select_related = ("organization",)
    search_fields = ("name", "handle", "organization__name", "organization__handle")
    ordering = ("organization__name", "name")
    date_hierarchy = "created_at"
    prepopulated_fields = {"handle": ("name",)}
    inlines = (ComponentInline,)

    def get_readonly_fields(self, request, obj=None):
        return _read_only_on_change(obj, "organization")


@admin.register(Component)
class ComponentAdmin(RecordsActivity, admin.ModelAdmin):
    form = ConstraintCheckedForm
    list_display = ("name", "handle", "type", "project", "organization")
    list_filter = ("type", "project__organization")
    list_select_related = ("project__organization",)
    search_fields = ("name", "handle", "project__name", "project__handle")
    ordering = ("project__name", "name")
    date_hierarchy = "created_at"
    prepopulated_fields = {"handle": ("name",)}
    autocomplete_fields = ("project",)

    def get_readonly_fields(self, request, obj=None):
        return _read_only_on_change(obj, "project")

    @admin.display(ordering="project__organization__name")
    def organization(self, component: Component):
        return component.project.organization


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "object_kind",
        "object_name",
        "action",
        "actor_name",
        "project_name",
        "organization",
    )
    list_filter = ("object_kind", "action", "organization")
    list_select_related = ("organization",)
    search_fields = ("object_name", "=object_id", "actor_name", "project_name")
    ordering = ("-created_at", "-pk")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "created_at",
        "organization",
        "project",
        "project_name",
        "actor",
        "actor_name",
        "object_kind",
        "object_id",
        "object_name",
        "action",
        "changes",
        "detail",
    )
    readonly_fields = fields

    # An audit log: nobody writes it by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
