"""Forms of the marketplace's write screens: registering third-party services
and their endpoints, and publishing a component's endpoints.

Forms validate and convert; the writes are in ``services.py``.
"""

from __future__ import annotations

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from console.models import Component, Environment, Organization, Project
from console.names import NameFormField

from .definitions import DEFINITION_MAX_BYTES, read_definition
from .form_fields import HttpUrlField, LabelsField
from .models import (
    DEPRECATION_MESSAGE_MAX_LENGTH,
    OVERVIEW_MAX_LENGTH,
    SECURITY_KEYS,
    Endpoint,
    Security,
    Service,
    ServiceKind,
    ServiceParameter,
    ServiceType,
    Visibility,
)
from .versions import parse_version

PARAMETER_VALUE_MAX_LENGTH = 4000
# Sent by the button that saves an endpoint its form said was incomplete.
INCOMPLETE_CONFIRMATION = "save_incomplete"
PARAMETER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Every connection already provides these keys; a parameter of the same name
# would give two values the same environment variable.
RESERVED_KEYS = {key.lower(): key for keys in SECURITY_KEYS.values() for key, _ in keys}
PARAMETER_RULES = (
    "Letters, digits and _, starting with a letter (e.g. apiKey): a connection reads the "
    "value as an environment variable of that name. Every endpoint gives each one a value."
)


def _helper() -> FormHelper:
    # Templates write the <form> tag: several forms and formsets share one.
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ServiceDetailsForm(forms.Form):
    """What every marketplace card says about itself."""

    version = forms.CharField(
        label="Version",
        max_length=64,
        help_text="A semantic version such as 1.2.0. The marketplace card shows its major, v1.",
    )
    service_type = forms.ChoiceField(label="Service Type", choices=ServiceType.choices)
    security = forms.ChoiceField(label="Security", choices=Security.choices)
    summary = forms.CharField(label="Summary", max_length=300, required=False)
    overview = forms.CharField(
        label="Overview",
        max_length=OVERVIEW_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown.",
    )
    labels = LabelsField(label="Labels", help_text="Comma separated, e.g. payments, pci.")
    definition = forms.FileField(
        label="Definition file",
        required=False,
        help_text=(
            "Optional. OpenAPI or AsyncAPI (JSON or YAML), GraphQL SDL, .proto or WSDL, "
            f"at most {DEFINITION_MAX_BYTES // (1024 * 1024)} MB."
        ),
    )

    def __init__(self, *args, service: Service | None = None, **kwargs) -> None:
        self.service = service
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        if service is not None and service.api_definition:
            self.fields["remove_definition"] = forms.BooleanField(
                label="Remove the current definition",
                required=False,
                help_text=f"Now: {service.get_definition_format_display() or 'unrecognized'}"
                " text. Uploading a new file replaces it.",
            )

    def clean_version(self) -> str:
        version = self.cleaned_data["version"].strip()
        self.major = parse_version(version).major
        return version

    def clean_definition(self) -> tuple[str, str] | None:
        upload = self.cleaned_data.get("definition")
        return read_definition(upload) if upload else None

    def definition_values(self) -> dict[str, str]:
        """``api_definition`` and ``definition_format`` after this form: the
        upload, nothing if asked to remove it, else what the service had."""
        uploaded = self.cleaned_data.get("definition")
        if uploaded:
            return {"api_definition": uploaded[0], "definition_format": uploaded[1]}
        if self.cleaned_data.get("remove_definition") or self.service is None:
            return {"api_definition": "", "definition_format": ""}
        return {
            "api_definition": self.service.api_definition,
            "definition_format": self.service.definition_format,
        }

    def details(self) -> dict:
        data = self.cleaned_data
        return {
            "version": data["version"],
            "service_type": data["service_type"],
            "security": data["security"],
            "summary": data["summary"],
            "overview": data["overview"],
            "tags": data["labels"],
            **self.definition_values(),
        }

    @staticmethod
    def initial_for(service: Service) -> dict:
        return {
            "version": service.version,
            "service_type": service.service_type,
            "security": service.security,
            "summary": service.summary,
            "overview": service.overview,
            "labels": ", ".join(tag.name for tag in service.tags.all()),
        }


class ThirdPartyServiceForm(ServiceDetailsForm):
    """Register a third-party service, or edit one (``service`` given)."""

    name = NameFormField(label="Name", max_length=120)

    field_order = ["name", "version", "service_type", "security", "registered_for"]

    def __init__(
        self,
        *args,
        organization: Organization,
        project: Project | None = None,
        service: Service | None = None,
        **kwargs,
    ) -> None:
        self.organization = organization
        if service is not None:
            kwargs.setdefault("initial", {"name": service.name, **self.initial_for(service)})
        super().__init__(*args, service=service, **kwargs)
        if service is None and project is None:
            # Where it is registered is chosen once: moving a service would
            # take it away from the connections of the projects that lose it.
            self.fields["registered_for"] = forms.ModelChoiceField(
                label="Registered for",
                queryset=organization.projects.order_by("name"),
                required=False,
                empty_label="The whole organization (every project)",
                help_text="Cannot be changed later.",
            )
            self.order_fields(self.field_order)

    def clean(self) -> dict:
        data = super().clean()
        name, major = data.get("name"), getattr(self, "major", None)
        if name is None or major is None:
            return data
        if self.service is not None and major != self.service.major:
            self.add_error(
                "version",
                f"This card is v{self.service.major}: keep a {self.service.major}.x.y version. "
                f"To offer {data['version']}, register it as a new service.",
            )
            return data
        existing = Service.objects.filter(
            organization=self.organization,
            kind=ServiceKind.THIRD_PARTY,
            name__iexact=name,
            major=major,
        )
        if self.service is not None:
            existing = existing.exclude(pk=self.service.pk)
        if existing.exists():
            self.add_error(
                "name",
                f"{self.organization.name} already has a third-party service named “{name}” "
                f"v{major}. Choose another name, or another major version.",
            )
        return data


def validate_parameter_name(name: str) -> None:
    """A parameter's name becomes an environment variable key
    (docs/domain.md): the console's forms and the admin check it alike."""
    if not PARAMETER_NAME.match(name):
        raise ValidationError(
            "Use letters, digits and _ only, starting with a letter (e.g. apiKey).",
            code="parameter_name",
        )
    if name.lower() in RESERVED_KEYS:
        raise ValidationError(
            f"Every connection already provides {RESERVED_KEYS[name.lower()]}: "
            "choose another name.",
            code="reserved",
        )


class ParameterForm(forms.Form):
    # The rules are said once above the rows (see PARAMETER_RULES), not per row.
    name = NameFormField(label="Parameter name", max_length=60)
    is_secret = forms.BooleanField(label="Secret", required=False)

    def __init__(self, *args, service: Service | None = None, **kwargs) -> None:
        self.service = service
        super().__init__(*args, **kwargs)
        self.helper = parameter_helper()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            return name
        validate_parameter_name(name)
        if (
            self.service is not None
            and ServiceParameter.objects.filter(service=self.service, name__iexact=name).exists()
        ):
            raise ValidationError(
                "This service already has a parameter of that name (names ignore case).",
                code="duplicate",
            )
        return name


class ParameterRenameForm(forms.Form):
    """A new name for one parameter, under the rules of a new one."""

    name = NameFormField(label="New name", max_length=60)

    def __init__(self, *args, parameter: ServiceParameter, **kwargs) -> None:
        self.parameter = parameter
        kwargs.setdefault("initial", {"name": parameter.name})
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if name == self.parameter.name:
            raise ValidationError("That is its name already: type the new one.", code="unchanged")
        validate_parameter_name(name)
        others = ServiceParameter.objects.filter(service_id=self.parameter.service_id).exclude(
            pk=self.parameter.pk
        )
        if others.filter(name__iexact=name).exists():
            raise ValidationError(
                "This service already has a parameter of that name (names ignore case).",
                code="duplicate",
            )
        return name


class BaseParameterFormSet(forms.BaseFormSet):
    """The parameter rows of the register form; rows left empty are ignored."""

    def _construct_form(self, i: int, **kwargs) -> ParameterForm:
        form = super()._construct_form(i, **kwargs)
        form.fields["name"].required = False
        return form

    def clean(self) -> None:
        seen: set[str] = set()
        for form in self.forms:
            name = form.cleaned_data.get("name") if form.is_valid() else None
            if not name:
                if form.is_valid() and form.cleaned_data.get("is_secret"):
                    form.add_error("name", "Enter the name of this secret parameter.")
                continue
            if name.lower() in seen:
                form.add_error(
                    "name", "Another parameter is already named this (names ignore case)."
                )
            seen.add(name.lower())

    def parameters(self) -> list[tuple[str, bool]]:
        return [
            (form.cleaned_data["name"], form.cleaned_data["is_secret"])
            for form in self.forms
            if form.cleaned_data.get("name")
        ]


ParameterFormSet = forms.formset_factory(
    ParameterForm,
    formset=BaseParameterFormSet,
    extra=3,
    max_num=30,
    validate_max=True,
    absolute_max=30,
)


def parameter_helper() -> FormHelper:
    """One row per parameter: its name, and its Secret box beside it."""
    helper = _helper()
    helper.layout = Layout(
        Row(
            Column("name", css_class="col-sm-7"),
            Column("is_secret", css_class="col-sm-5 pt-sm-4 mt-sm-2"),
        )
    )
    return helper


class EndpointForm(forms.Form):
    """An endpoint of a third-party service, with its value for each of the
    service's parameters.

    An endpoint that serves no environment, or leaves a parameter without a
    value, is saved only once the person has seen so (``gaps``) and asked
    for it anyway (the button that sends INCOMPLETE_CONFIRMATION): until
    then a valid form ``asks_to_confirm_gaps`` and the view saves nothing."""

    name = NameFormField(label="Name", max_length=60, help_text="e.g. Sandbox or Live.")
    url = HttpUrlField(label="Endpoint URL")
    environments = forms.ModelMultipleChoiceField(
        label="Environments",
        queryset=Environment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The environments in which this endpoint may be used.",
    )

    def __init__(self, *args, service: Service, endpoint: Endpoint | None = None, **kwargs):
        self.service = service
        self.endpoint = endpoint
        current = {}
        if endpoint is not None:
            current = {value.parameter_id: value.value for value in endpoint.parameter_values.all()}
            kwargs.setdefault(
                "initial",
                {
                    "name": endpoint.name,
                    "url": endpoint.url,
                    "environments": list(endpoint.environments.all()),
                },
            )
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.current_values = current
        self.gaps: list[str] = []
        self.incomplete_confirmed = self.is_bound and self.data.get(INCOMPLETE_CONFIRMATION) == "1"
        self.fields["environments"].queryset = Environment.objects.filter(
            organization_id=service.organization_id
        ).order_by("order")
        self.parameters = list(service.parameters.all())
        for parameter in self.parameters:
            value = current.get(parameter.pk)
            if parameter.is_secret:
                # Never sent to the browser; typed text comes back on an error.
                field = forms.CharField(
                    max_length=PARAMETER_VALUE_MAX_LENGTH,
                    widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
                    help_text=(
                        "Secret, stored encrypted. Leave empty to keep the current value."
                        if value
                        else "Secret, stored encrypted."
                    ),
                )
            else:
                field = forms.CharField(
                    max_length=PARAMETER_VALUE_MAX_LENGTH, initial=value.reveal() if value else ""
                )
            field.label = parameter.name
            field.required = False
            self.fields[self.parameter_field(parameter)] = field

    @staticmethod
    def parameter_field(parameter: ServiceParameter) -> str:
        return f"parameter_{parameter.pk}"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = self.service.endpoints.filter(name__iexact=name)
        if self.endpoint is not None:
            others = others.exclude(pk=self.endpoint.pk)
        if others.exists():
            raise ValidationError(
                f"This service already has an endpoint named “{name}”.", code="duplicate"
            )
        return name

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:  # what is wrong first; what is missing after
            self.gaps = self._gaps(data)
        return data

    def _gaps(self, data: dict) -> list[str]:
        """What the endpoint leaves connections without, in plain words."""
        gaps = []
        if not data.get("environments"):
            gaps.append("It serves no environment: no connection can use it until you tick one.")
        for parameter in self.parameters:
            value = data.get(self.parameter_field(parameter), "")
            if value or (parameter.is_secret and self.current_values.get(parameter.pk)):
                continue
            gaps.append(
                f"{parameter.name} has no value: connections mapped to this endpoint get "
                "an empty one."
            )
        return gaps

    @property
    def asks_to_confirm_gaps(self) -> bool:
        return bool(self.gaps) and not self.incomplete_confirmed

    def parameter_values(self) -> dict[str, str]:
        """Parameter name to value; an empty secret is left out, which keeps
        the current value of an existing endpoint."""
        values = {}
        for parameter in self.parameters:
            value = self.cleaned_data.get(self.parameter_field(parameter), "")
            if parameter.is_secret and not value and self.endpoint is not None:
                continue
            values[parameter.name] = value
        return values


class InternalEndpointForm(ServiceDetailsForm):
    """Publish a component's endpoint, or edit a published one (``service``)."""

    endpoint_name = NameFormField(label="Name", max_length=100)
    handle = forms.SlugField(
        label="Handle",
        max_length=60,
        required=False,
        help_text="Part of the resource reference; made from the name when empty.",
    )
    # A new endpoint starts least exposed: widening it later is a choice.
    visibility = forms.ChoiceField(
        label="Network Visibility", choices=Visibility.choices, initial=Visibility.PROJECT
    )

    field_order = ["endpoint_name", "handle", "service_type", "visibility", "version"]

    def __init__(
        self,
        *args,
        component: Component,
        environments: list[Environment],
        service: Service | None = None,
        **kwargs,
    ) -> None:
        self.component = component
        self.environments = environments
        if service is not None:
            prefix = f"{component.name} - "
            name = service.name.removeprefix(prefix)
            urls = {d.environment_id: d.url for d in service.deployments.all()}
            initial = {
                "endpoint_name": name,
                "handle": service.endpoint_handle,
                "visibility": service.visibility,
                **self.initial_for(service),
                **{self.url_field(env): urls.get(env.pk, "") for env in environments},
            }
            kwargs.setdefault("initial", initial)
        super().__init__(*args, service=service, **kwargs)
        if service is not None:
            # Connections name the endpoint by its handle in component.yaml.
            self.fields["handle"].disabled = True
            self.fields["handle"].help_text = "Part of the resource reference; cannot change."
        url_fields = {}
        for environment in environments:
            url_fields[self.url_field(environment)] = HttpUrlField(
                label=f"URL in {environment.name}",
                required=False,
                help_text=f"Leave empty if the endpoint is not deployed in {environment.name}.",
            )
        # The URLs go right after the version, before the descriptive fields.
        ordered = [*self.field_order, *url_fields]
        self.fields.update(url_fields)
        self.order_fields(ordered)

    @staticmethod
    def url_field(environment: Environment) -> str:
        return f"url_{environment.handle}"

    def clean(self) -> dict:
        data = super().clean()
        name = data.get("endpoint_name")
        if name is None:
            return data
        full_name = f"{self.component.name} - {name}"
        if len(full_name) > 120:
            self.add_error(
                "endpoint_name",
                f"The marketplace name “{self.component.name} - …” may be at most 120 "
                f"characters: shorten this name to {max(120 - len(self.component.name) - 3, 1)}.",
            )
        handle = data.get("handle") or slugify(name)[:60].strip("-")
        if not handle:
            self.add_error(
                "handle", "Enter a handle: lowercase letters, digits and hyphens, e.g. orders-api."
            )
            return data
        data["handle"] = handle
        major = getattr(self, "major", None)
        if major is None:
            return data
        same_card = Service.objects.filter(
            kind=ServiceKind.INTERNAL,
            provider_component=self.component,
            endpoint_handle=handle,
            major=major,
        )
        if self.service is not None:
            same_card = same_card.exclude(pk=self.service.pk)
        if same_card.exists():
            field = "version" if self.service is not None else "handle"
            self.add_error(
                field,
                f"{self.component.name} already publishes “{handle}” v{major}: edit that "
                "endpoint instead.",
            )
        return data

    def urls(self) -> dict[Environment, str]:
        return {
            environment: self.cleaned_data[self.url_field(environment)]
            for environment in self.environments
            if self.cleaned_data.get(self.url_field(environment))
        }


class DeprecationForm(forms.Form):
    """Mark a major version Deprecated. A sunset date in the past is allowed
    (a version already switched off is still worth telling consumers about);
    the view says so when it is saved."""

    sunset_on = forms.DateField(
        label="Sunset date",
        # An <input type="date"> reads and writes ISO dates, whatever the locale.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The day this version stops being served.",
    )
    message = forms.CharField(
        label="Message to consumers",
        max_length=DEPRECATION_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What to move to and how, shown on every connection to this version.",
    )

    def __init__(self, *args, service: Service, **kwargs) -> None:
        if service.is_deprecated:
            kwargs.setdefault(
                "initial",
                {"sunset_on": service.sunset_on, "message": service.deprecation_message},
            )
        super().__init__(*args, **kwargs)
        self.helper = _helper()
