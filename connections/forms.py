"""Forms for connections. They validate and convert; the writes, and the
checks that need the database under a lock, are in connections/services/."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError

from console.names import NameFormField
from marketplace.models import Endpoint, ServiceKind

from .models import Connection, ConnectionBinding
from .naming import validate_connection_name
from .services import check_name_is_free, connection_keys, default_endpoints

MAPPING_LEGEND = "Environment to Endpoint Mapping"
DESCRIPTION_MAX_LENGTH = Connection._meta.get_field("description").max_length


class WarningsSeenField(forms.Field):
    """The handles of the environments whose warning was on the page: what
    the page said, not a value the person changed (Edit's "Nothing was
    changed." must not count it)."""

    widget = forms.MultipleHiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


class EndpointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, endpoint: Endpoint) -> str:
        return f"{endpoint.name} ({endpoint.url})"


@dataclass(frozen=True)
class MappingRow:
    """One environment of the Environment to Endpoint Mapping, as shown."""

    field: forms.BoundField
    environment: object
    without_endpoint: bool

    @property
    def warning_id(self) -> str:
        return f"no-endpoint-{self.environment.handle}"


class ConnectionDetailsForm(forms.Form):
    """Name and Description, and for a third-party service one select per
    environment (the Environment to Endpoint Mapping) listing only the
    service's endpoints that serve it. Shared by Create and Edit."""

    name = NameFormField(
        label="Name",
        # No max_length: a long name gets the naming rule's own message.
        # Help texts are escaped when rendered (templates/bootstrap5/).
        help_text="3 to 50 ASCII letters (A to Z), digits, spaces, _, - or . "
        "It names the environment variables: CHOREO_<NAME>_<KEY>.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        # Said here for pages without JavaScript; with it, forms.js counts as one types.
        help_text=f"At most {DESCRIPTION_MAX_LENGTH:,} characters.",
    )
    # "No endpoint" leaves the connection Pending in that environment: a
    # warning shows beside the choice (includes/no_endpoint_warning.html),
    # and the form goes ahead only for the environments whose warning was on
    # the page (their handles, sent by the warnings shown); otherwise it comes
    # back showing it. One that names no "No endpoint" is simply ignored.
    no_endpoint_in = WarningsSeenField(required=False)

    def add_mapping_fields(self, service, environments, initial: dict[int, int | None]) -> None:
        """One field per environment, named endpoint_<environment handle>."""
        self.mapping_fields: dict[str, int] = {}
        self.mapping_environments: dict[str, object] = {}
        if service.kind != ServiceKind.THIRD_PARTY:
            return
        for environment in environments:
            field_name = f"endpoint_{environment.handle}"
            # Scoped at request time to this service's endpoints that serve
            # the environment: nothing else can even be chosen.
            self.fields[field_name] = EndpointChoiceField(
                label=environment.name,
                queryset=Endpoint.objects.filter(
                    service_id=service.pk, environments=environment
                ).order_by("name"),
                required=False,
                empty_label="No endpoint",
                initial=initial.get(environment.pk),
            )
            self.mapping_fields[field_name] = environment.pk
            self.mapping_environments[field_name] = environment
            # forms.js shows the warning while "No endpoint" is chosen.
            self.fields[field_name].widget.attrs["data-empty-warning"] = (
                f"no-endpoint-{environment.handle}"
            )

    @property
    def mapping_rows(self) -> list[MappingRow]:
        return [
            MappingRow(
                field=self[name],
                environment=environment,
                without_endpoint=self[name].value() in (None, ""),
            )
            for name, environment in self.mapping_environments.items()
        ]

    def needs_no_endpoint_warning(self, field_name: str) -> bool:
        """Whether choosing "No endpoint" here must be confirmed."""
        return True

    def check_no_endpoint_warnings(self, data: dict) -> None:
        warned = set(data.get("no_endpoint_in") or ())
        for name, environment in self.mapping_environments.items():
            if (
                name in data
                and data[name] is None
                and environment.handle not in warned
                and self.needs_no_endpoint_warning(name)
            ):
                self.add_error(
                    name,
                    f"No endpoint in {environment.name}: the connection would be Pending "
                    f"there. Choose an endpoint, or {self.confirm_phrase}.",
                )

    # How the error says to go ahead anyway.
    confirm_phrase = "click Create again to create it without one"

    def endpoint_mapping(self) -> dict[int, Endpoint | None] | None:
        """Environment id -> chosen endpoint; None when the service has no
        mapping (internal services)."""
        if not self.mapping_fields:
            return None
        return {
            environment_id: self.cleaned_data.get(field_name)
            for field_name, environment_id in self.mapping_fields.items()
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service function's errors next to the field they are about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class ConnectionEditForm(ConnectionDetailsForm):
    """Rename, describe, and for a third-party connection re-map endpoints.
    Moving an environment from an endpoint to "No endpoint" must be
    confirmed; one that had none already is not asked again."""

    confirm_phrase = "click Save again to save it without one"

    def __init__(
        self,
        *args,
        connection: Connection,
        bindings: list[ConnectionBinding],
        **kwargs,
    ) -> None:
        kwargs.setdefault(
            "initial", {"name": connection.name, "description": connection.description}
        )
        super().__init__(*args, **kwargs)
        self.connection = connection
        self.add_mapping_fields(
            connection.service,
            [binding.environment for binding in bindings],
            {binding.environment_id: binding.endpoint_id for binding in bindings},
        )

        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_class = "form-panel"
        mapping = (
            [
                Fieldset(
                    MAPPING_LEGEND,
                    HTML(
                        '<p class="small text-body-secondary">Each environment uses the '
                        "endpoint chosen here. Only endpoints allowed in an environment are "
                        "offered.</p>"
                    ),
                    *(
                        part
                        for index, name in enumerate(self.mapping_fields)
                        for part in (
                            name,
                            HTML(
                                '{% include "includes/no_endpoint_warning.html" '
                                f"with row=form.mapping_rows.{index} only %}}"
                            ),
                        )
                    ),
                )
            ]
            if self.mapping_fields
            else []
        )
        self.helper.layout = Layout(
            "name",
            "description",
            *mapping,
            Div(
                Submit("save", "Save"),
                # Rendered with the page's context, where the view puts cancel_url.
                HTML('<a class="btn btn-outline-secondary" href="{{ cancel_url }}">Cancel</a>'),
                # The one form pattern: static/junction/junction.css, form-panel and form-actions.
                css_class="form-actions",
            ),
        )

    def needs_no_endpoint_warning(self, field_name: str) -> bool:
        return self.fields[field_name].initial is not None

    def clean(self) -> dict:
        data = super().clean()
        self.check_no_endpoint_warnings(data)
        return data

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        validate_connection_name(name)
        return name


class SecretRevealForm(forms.Form):
    """Which secret to reveal: an environment handle and a key."""

    environment = forms.SlugField(max_length=60)
    key = forms.CharField(max_length=60)


class ConnectionCreateForm(ConnectionDetailsForm):
    """Create Connection. The mapping is pre-selected with the endpoint that
    serves each environment. ``request_token`` travels with the form so that
    submitting it twice creates one connection. Every "No endpoint" must be
    confirmed (ConnectionDetailsForm.no_endpoint_in)."""

    request_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, project, component, service, environments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project, self.component, self.service = project, component, service
        if not self.is_bound:
            self.initial["request_token"] = uuid.uuid4()
        # Only a third-party service has endpoints to map.
        is_third_party = service.kind == ServiceKind.THIRD_PARTY
        defaults = default_endpoints(service, environments) if is_third_party else {}
        self.add_mapping_fields(
            service,
            environments,
            {env_id: getattr(endpoint, "pk", None) for env_id, endpoint in defaults.items()},
        )

    @property
    def mapping_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.mapping_fields]

    @property
    def mapping_has_errors(self) -> bool:
        return self.is_bound and (
            any(self[name].errors for name in self.mapping_fields) or bool(self.non_field_errors())
        )

    @property
    def mapping_needs_a_look(self) -> bool:
        """Open the mapping when it holds an error or a "No endpoint"."""
        return self.mapping_has_errors or any(row.without_endpoint for row in self.mapping_rows)

    def clean(self) -> dict:
        data = super().clean()
        self.check_no_endpoint_warnings(data)
        return data

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        validate_connection_name(name)
        # Checked here to answer at Next; checked again, under a lock, at Create.
        try:
            check_name_is_free(
                project=self.project,
                component=self.component,
                name=name,
                keys=connection_keys(self.service, self.service.security),
            )
        except ValidationError as error:
            raise ValidationError(error.message_dict["name"]) from error
        return name
