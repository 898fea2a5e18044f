"""The runtime-token form: a name, an environment of the organization and
an expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from console.models import Environment, Organization
from console.names import NameFormField

# Offered lifetimes, as GitHub offers them for its tokens: a finite one by
# default, so that a forgotten token stops working on its own.
EXPIRY_CHOICES = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    ("never", "No expiry"),
]


class RuntimeTokenForm(forms.Form):
    name = NameFormField(
        label="Name",
        max_length=60,
        help_text="What uses it, e.g. “GitHub Actions deploy” or “Alice's laptop”.",
    )
    environment = forms.ModelChoiceField(
        label="Environment",
        queryset=Environment.objects.none(),
        empty_label=None,
        help_text="The token reads the values of this environment only.",
    )
    expiry = forms.ChoiceField(label="Expiry", choices=EXPIRY_CHOICES, initial="90")

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["environment"].queryset = Environment.objects.filter(
            organization_id=organization.pk
        ).order_by("order")
        self.helper = FormHelper()
        self.helper.add_input(Submit("create", "Create token"))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if len(name) < 3:
            raise forms.ValidationError("Give the token a name of 3 to 60 characters.")
        return name

    @property
    def expires_at(self) -> datetime | None:
        days = self.cleaned_data["expiry"]
        return None if days == "never" else timezone.now() + timedelta(days=int(days))
