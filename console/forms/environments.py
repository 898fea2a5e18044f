"""The environment forms: add one (name, handle, production, its place in
promotion order), edit one (its handle shown, fixed) and move one."""

from __future__ import annotations

from django import forms

from ..handles import HANDLE_HELP, HandleFormField
from ..models import Environment, Organization
from ..names import NameFormField

NAME_MAX_LENGTH = Environment._meta.get_field("name").max_length
PRODUCTION_HELP = (
    "Production environments are marked in red wherever environments are listed, so that "
    "nobody mistakes them for a test stage."
)


class _AfterField(forms.ModelChoiceField):
    def label_from_instance(self, environment: Environment) -> str:
        return f"After {environment.name}"


class EnvironmentAddForm(forms.Form):
    name = NameFormField(label="Name", max_length=NAME_MAX_LENGTH)
    handle = HandleFormField(
        required=False,
        help_text=f"{HANDLE_HELP} Leave it empty to have one made from the name.",
    )
    is_production = forms.BooleanField(
        label="Production environment", required=False, help_text=PRODUCTION_HELP
    )
    after = _AfterField(
        label="Place in promotion order",
        queryset=Environment.objects.none(),
        empty_label=None,
        help_text="Components are promoted through the environments in this order.",
    )

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        environments = Environment.objects.filter(organization_id=organization.pk).order_by("order")
        self.fields["after"].queryset = environments
        if not self.is_bound:
            # Last by default: a new stage is most often added at the end.
            self.fields["after"].initial = environments.last()


class EnvironmentEditForm(forms.Form):
    name = NameFormField(label="Name", max_length=NAME_MAX_LENGTH)
    # Disabled: shown, never taken from the request.
    handle = forms.CharField(
        label="Handle",
        disabled=True,
        required=False,
        help_text="Fixed once created: URLs and resource references use it.",
    )
    is_production = forms.BooleanField(
        label="Production environment", required=False, help_text=PRODUCTION_HELP
    )

    def __init__(self, *args, environment: Environment, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": environment.name,
                "handle": environment.handle,
                "is_production": environment.is_production,
            },
        )
        super().__init__(*args, **kwargs)


class EnvironmentMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Move up"), ("down", "Move down")])
