"""Django admin for the marketplace: services, their deployments (internal)
or endpoints and parameters (third-party), and tags."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from console.admin import ConstraintCheckedForm
from console.admin_activity import RecordsActivity
from console.models import Environment

from .documentation import documentation_fields
from .forms import validate_parameter_name
from .models import (
    Deployment,
    Endpoint,
    EndpointParameterValue,
    Service,
    ServiceKind,
    ServiceParameter,
    Tag,
)
from .services import endpoint_delete, service_parameters_check
from .versions import parse_version


def _environment_label(environment: Environment) -> str:
    # Every organization has a "Development": say whose it is.
    return f"{environment.organization.name} / {environment.name}"


def _scope_environments(form_class: type[forms.BaseForm], organization_id: int | None) -> None:
    """Offer only the environments of the service's organization, when known.

    ``form_class`` is built afresh by the admin on every request, so changing
    its fields does not leak into other requests.
    """
    for name in ("environment", "environments"):
        field = form_class.base_fields.get(name)
        if field is None:
            continue
        queryset = Environment.objects.select_related("organization").order_by(
            "organization__name", "order"
        )
        if organization_id is not None:
            queryset = queryset.filter(organization_id=organization_id)
        field.queryset = queryset
        field.label_from_instance = _environment_label


@admin.register(Tag)
class TagAdmin(RecordsActivity, admin.ModelAdmin):
    form = ConstraintCheckedForm
    list_display = ("name", "organization")
    list_filter = ("organization",)
    list_select_related = ("organization",)
    search_fields = ("name",)
    ordering = ("organization__name", "name")

    def get_readonly_fields(self, request, obj=None):
        # Services of the organization carry its tags.
        return ("organization",) if obj is not None else ()


class UniqueNameFormSet(forms.BaseInlineFormSet):
    """Rows saved together must differ in name ignoring case, as the database
    requires; each form alone cannot see the others."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            name = getattr(form, "cleaned_data", {}).get("name")
            if not name:
                continue
            if name.lower() in seen:
                raise ValidationError(f"Two rows are named “{name}”; names must differ.")
            seen.add(name.lower())


class ServiceAdminForm(ConstraintCheckedForm):
    # Shown, never typed: it follows the version (see clean).
    major = forms.IntegerField(
        disabled=True, required=False, help_text="Follows the major part of the version."
    )

    class Meta:
        model = Service
        fields = (
            "organization",
            "project",
            "kind",
            "name",
            "version",
            "major",
            "summary",
            "listed",
            "service_type",
            "security",
            "tags",
            "provider_component",
            "endpoint_handle",
            "visibility",
            "overview",
            "definition_format",
            "api_definition",
        )

    def clean(self):
        cleaned_data = super().clean()
        version = cleaned_data.get("version")
        if version:
            try:
                cleaned_data["major"] = parse_version(version).major
            except ValidationError as error:
                self.add_error("version", error)
        self._check_same_organization(cleaned_data)
        return cleaned_data

    def _check_same_organization(self, cleaned_data) -> None:
        # Autocomplete offers rows of every organization; a service must not
        # point into another tenant. Read-only fields come from the instance.
        def value(name):
            return cleaned_data.get(name) if name in self.fields else getattr(self.instance, name)

        organization, project = value("organization"), value("project")
        component = value("provider_component")
        if (
            "project" in self.fields
            and organization
            and project
            and project.organization_id != organization.pk
        ):
            self.add_error("project", "This project belongs to another organization.")
        if (
            "provider_component" in self.fields
            and component
            and project
            and component.project_id != project.pk
        ):
            self.add_error("provider_component", "The provider component must be in the project.")
        tags = cleaned_data.get("tags")
        if organization and tags and any(tag.organization_id != organization.pk for tag in tags):
            self.add_error("tags", "Choose tags of the service's organization.")


class DeploymentInline(admin.TabularInline):
    model = Deployment
    fields = ("environment", "url")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("environment__organization")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        _scope_environments(formset.form, obj.organization_id if obj else None)
        return formset


class EndpointInline(admin.StackedInline):
    model = Endpoint
    form = ConstraintCheckedForm
    formset = UniqueNameFormSet
    fields = ("name", "url", "environments")
    show_change_link = True
    extra = 0
    # Deleted on its own page, where the connections mapped to it keep it
    # (EndpointAdmin), as the console does.
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        _scope_environments(formset.form, obj.organization_id if obj else None)
        return formset


class ServiceParameterForm(ConstraintCheckedForm):
    """A parameter as the console names it. Once it exists, its secret flag
    and its service are fixed: flipping the flag shows its values to
    Viewers (or hides them), moving it hands its values to another
    service, maybe another organization's, and neither is recorded."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in ("is_secret", "service"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        validate_parameter_name(name)
        return name


class ServiceParameterAdminForm(ServiceParameterForm):
    def clean(self):
        cleaned_data = super().clean()
        service = cleaned_data.get("service") if "service" in self.fields else None
        service = service or getattr(self.instance, "service", None)
        name = cleaned_data.get("name")
        if service is None or not name or self.errors:
            return cleaned_data
        if service.kind != ServiceKind.THIRD_PARTY:
            self.add_error("service", "Only a third-party service has parameters.")
            return cleaned_data
        if self.instance.pk is None or name != self.instance.name:
            others = service.parameters.exclude(pk=self.instance.pk)
            try:
                # Under the locks connection writes take, held until the
                # admin's transaction commits the save.
                service_parameters_check(
                    service=service, names=[*others.values_list("name", flat=True), name]
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class ServiceParameterFormSet(UniqueNameFormSet):
    """Parameters added or renamed on the service's page pass the same
    environment-variable check as in the console."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.non_form_errors():
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("name") and not self._should_delete_form(form)
        ]
        renamed = [form for form in kept if "name" in form.changed_data]
        if not renamed:
            return
        try:
            service_parameters_check(
                service=self.instance, names=[form.cleaned_data["name"] for form in kept]
            )
        except ValidationError as error:
            renamed[0].add_error(None, error)


class ServiceParameterInline(admin.TabularInline):
    model = ServiceParameter
    form = ServiceParameterForm
    formset = ServiceParameterFormSet
    fields = ("name", "is_secret")
    extra = 0


@admin.register(Service)
class ServiceAdmin(RecordsActivity, admin.ModelAdmin):
    form = ServiceAdminForm
    list_display = (
        "name",
        "version",
        "kind",
        "visibility",
        "service_type",
        "organization",
        "project",
        "listed",
    )
    list_filter = ("kind", "visibility", "service_type", "security", "listed", "organization")
    list_select_related = ("organization", "project")
    search_fields = ("name", "summary", "endpoint_handle")
    ordering = ("name", "-major")
    # Counting 200,000 rows on every page view buys nothing.
    show_full_result_count = False
    autocomplete_fields = ("project", "provider_component", "tags")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "organization",
                    "project",
                    "kind",
                    "name",
                    ("version", "major"),
                    "summary",
                    "listed",
                )
            },
        ),
        ("Interface", {"fields": ("service_type", "security", "tags")}),
        ("Internal service", {"fields": ("provider_component", "endpoint_handle", "visibility")}),
        ("Documentation", {"fields": ("overview", "definition_format", "api_definition")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("created_at", "updated_at")
        # Connections derive their scope, credentials and resource reference
        # from these when they are created; changing them here would leave
        # existing connections inconsistent.
        return (
            "organization",
            "project",
            "kind",
            "provider_component",
            "endpoint_handle",
            "security",
            "created_at",
            "updated_at",
        )

    def get_inlines(self, request, obj):
        # Internal services have deployments, third-party ones endpoints and
        # parameters; which applies is known once the service exists.
        if obj is None:
            return ()
        if obj.is_internal:
            return (DeploymentInline,)
        return (EndpointInline, ServiceParameterInline)

    def save_model(self, request, obj, form, change):
        # What the service page shows is derived here as on every other
        # write (documentation.py); the overview's length is the model's.
        fields = documentation_fields(
            overview=obj.overview,
            api_definition=obj.api_definition,
            definition_format=obj.definition_format,
        )
        for field, value in fields.items():
            setattr(obj, field, value)
        super().save_model(request, obj, form, change)


@admin.register(Deployment)
class DeploymentAdmin(RecordsActivity, admin.ModelAdmin):
    list_display = ("service", "environment", "url")
    list_filter = ("environment__is_production", "service__organization")
    list_select_related = ("service", "environment")
    search_fields = ("service__name", "url")
    ordering = ("service__name", "environment__order")
    readonly_fields = ("service", "environment")

    def has_add_permission(self, request):
        # Added from the service's page, where the environments offered are
        # the service's organization's.
        return False


# A secret parameter's value is a SecretValue whose str() is a mask; an
# ordinary parameter's is shown, as on the connection page. The value field
# itself is never a form field, so neither plaintext nor ciphertext of a
# secret reaches a page.
@admin.display(description="value")
def parameter_value(value: EndpointParameterValue) -> str:
    return str(value.shown_value)


@admin.display(description="secret", boolean=True, ordering="parameter__is_secret")
def parameter_is_secret(value: EndpointParameterValue) -> bool:
    return value.parameter.is_secret


class EndpointParameterValueInline(admin.TabularInline):
    model = EndpointParameterValue
    fields = ("parameter", parameter_value, parameter_is_secret)
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parameter")

    def has_add_permission(self, request, obj=None):
        # Values are encrypted and set through the console; the admin cannot
        # type a secret without showing it, so it only shows them.
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Endpoint)
class EndpointAdmin(RecordsActivity, admin.ModelAdmin):
    form = ConstraintCheckedForm
    list_display = ("name", "service", "url")
    list_filter = ("service__organization",)
    list_select_related = ("service",)
    search_fields = ("name", "url", "service__name")
    ordering = ("service__name", "name")
    readonly_fields = ("service",)
    fields = ("service", "name", "url", "environments")
    inlines = (EndpointParameterValueInline,)

    def has_add_permission(self, request):
        # Added from the service's page, where the environments offered are
        # the service's organization's.
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        _scope_environments(form, obj.service.organization_id if obj else None)
        return form

    def get_deleted_objects(self, objs, request):
        # The console refuses to delete an endpoint connections are mapped
        # to (endpoint_delete); here they are what protects it, so the
        # confirmation names them and offers no delete.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for endpoint in objs:
            bindings = endpoint.connection_bindings.select_related("connection", "environment")
            protected += [
                f"Connection {binding.connection.name} ({binding.environment.name})"
                for binding in bindings.order_by("connection__name", "environment__order")
            ]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        self._delete(request, [obj])

    def delete_queryset(self, request, queryset):
        self._delete(request, list(queryset))

    def _delete(self, request, endpoints) -> None:
        # Through the console's delete: it takes the lock connection creates
        # take, and refuses one mapped since the confirmation was shown.
        for endpoint in endpoints:
            try:
                endpoint_delete(endpoint=endpoint, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)


@admin.register(ServiceParameter)
class ServiceParameterAdmin(RecordsActivity, admin.ModelAdmin):
    form = ServiceParameterAdminForm
    list_display = ("name", "service", "is_secret")
    list_filter = ("is_secret", "service__organization")
    list_select_related = ("service",)
    search_fields = ("name", "service__name")
    ordering = ("service__name", "name")
    autocomplete_fields = ("service",)

    def get_readonly_fields(self, request, obj=None):
        # See ServiceParameterForm: fixed once the parameter exists.
        return ("service", "is_secret") if obj is not None else ()


@admin.register(EndpointParameterValue)
class EndpointParameterValueAdmin(admin.ModelAdmin):
    list_display = ("parameter", "endpoint", parameter_value, parameter_is_secret)
    list_filter = ("parameter__is_secret", "endpoint__service__organization")
    list_select_related = ("parameter", "endpoint__service")
    search_fields = ("parameter__name", "endpoint__name", "endpoint__service__name")
    ordering = ("endpoint__service__name", "endpoint__name", "parameter__name")
    fields = ("endpoint", "parameter", parameter_value, parameter_is_secret)
    readonly_fields = fields

    def has_add_permission(self, request):
        # endpoint_create gives every parameter a value; the admin cannot
        # type a secret without showing it.
        return False

    def has_change_permission(self, request, obj=None):
        return False
