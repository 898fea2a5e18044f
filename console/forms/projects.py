"""The forms of projects, components and new organizations: they validate
and convert; the writes, and the same checks again under a lock, are in
console/services/projects.py."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

from ..handles import HANDLE_HELP, HandleFormField
from ..models import Component, ComponentType, Organization, Project
from ..names import NameFormField
from ..services.projects import DESCRIPTION_MAX_LENGTH
from ..siblings import sibling_errors

NEW_HANDLE_HELP = HANDLE_HELP + " Leave it empty to make one from the name."


def _name_field(model: type[Model]) -> NameFormField:
    return NameFormField(label="Name", max_length=model._meta.get_field("name").max_length)


def _description_field() -> forms.CharField:
    return forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _helper(submit: str, fields: list[str]) -> FormHelper:
    helper = FormHelper()
    helper.form_method = "post"
    helper.form_class = "form-panel"
    helper.attrs = {"novalidate": ""}
    helper.layout = Layout(
        *fields,
        Div(
            Submit("save", submit),
            # Rendered with the page's context, where the view puts cancel_url.
            HTML('<a class="btn btn-outline-secondary" href="{{ cancel_url }}">Cancel</a>'),
            # The one form pattern: static/junction/junction.css, form-panel and form-actions.
            css_class="form-actions",
        ),
    )
    return helper


class ServiceErrorsMixin:
    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service function's errors next to the field they are about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class _SiblingForm(ServiceErrorsMixin, forms.Form):
    """A project or a component, new or edited (``instance``), among its
    ``siblings``. An edited one shows its handle, which cannot change."""

    noun = ""
    edited_fields: tuple[str, ...] = ()

    def __init__(self, *args, siblings: QuerySet, instance: Model | None = None, **kwargs) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial", {name: getattr(instance, name) for name in self.edited_fields}
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is None:
            self.siblings = siblings
            submit = f"Create {self.noun}"
        else:
            self.siblings = siblings.exclude(pk=instance.pk)
            # Not a HandleFormField: a handle made before today's rules
            # must not stop an edit of the name.
            self.fields["handle"] = forms.CharField(
                label="Handle",
                required=False,
                disabled=True,
                initial=instance.handle,
                help_text=(
                    f"Fixed when the {self.noun} was created: its URLs and resource "
                    "references use it."
                ),
            )
            submit = "Save"
        self.helper = _helper(submit, list(self.fields))

    def clean(self) -> dict:
        data = super().clean()
        errors = sibling_errors(
            self.siblings,
            noun=self.noun,
            name=data.get("name"),
            handle=data.get("handle") if self.instance is None else None,
        )
        for field, error in errors.items():
            self.add_error(field, error)
        return data


class ProjectForm(_SiblingForm):
    noun = "project"
    edited_fields = ("name", "description")

    name = _name_field(Project)
    handle = HandleFormField(required=False, help_text=NEW_HANDLE_HELP)
    description = _description_field()

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        siblings = Project.objects.filter(organization_id=organization.pk)
        super().__init__(*args, siblings=siblings, **kwargs)


class ComponentForm(_SiblingForm):
    noun = "component"
    edited_fields = ("name", "type", "description")

    name = _name_field(Component)
    handle = HandleFormField(required=False, help_text=NEW_HANDLE_HELP)
    type = forms.ChoiceField(label="Type", choices=ComponentType.choices)
    description = _description_field()

    def __init__(self, *args, project: Project, **kwargs) -> None:
        siblings = Component.objects.filter(project_id=project.pk)
        super().__init__(*args, siblings=siblings, **kwargs)


class OrganizationForm(ServiceErrorsMixin, forms.Form):
    name = _name_field(Organization)
    handle = HandleFormField(required=False, help_text=NEW_HANDLE_HELP)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Create organization", ["name", "handle"])

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"]
        # Unique in the whole installation; the message does not name the
        # organization that has it, which belongs to another tenant.
        if handle and Organization.objects.filter(handle__iexact=handle).exists():
            raise ValidationError(
                f"The handle “{handle}” is taken. Choose another.", code="duplicate_handle"
            )
        return handle
