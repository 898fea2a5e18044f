"""Rotate: a new consumer secret or API key for one environment of a
connection, the old one accepted for the grace period chosen here."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from console.shell import render_page_or_fragment

from .. import services
from ..access import get_scope_and_connection_for_user
from ..models import ConnectionBinding
from ..resolution import rotatable_keys
from .detail import detail_url

TEMPLATE = "connections/rotate.html"
DEFAULT_GRACE = "1h"


class RotateForm(forms.Form):
    """Which environment, and how long the old value stays accepted. The
    form validates; credentials_rotate checks again under its lock."""

    environment = forms.ChoiceField(
        label="Environment", error_messages={"required": "Choose an environment."}
    )
    grace = forms.ChoiceField(
        label="Grace period",
        choices=[(value, label) for value, (_, label) in services.GRACE_PERIODS.items()],
        initial=DEFAULT_GRACE,
        widget=forms.RadioSelect,
        help_text="How long the old value keeps working, so that running components "
        "can pick up the new one.",
        error_messages={
            "required": "Choose a grace period.",
            "invalid_choice": "Choose one of the grace periods offered.",
        },
    )

    def __init__(self, *args, bindings: list[ConnectionBinding], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = [("", "Choose an environment")] + [
            (binding.environment.handle, binding.environment.name) for binding in bindings
        ]


def _done_message(keys: list[str], binding: ConnectionBinding) -> str:
    what = f"A new {' and '.join(keys)} was generated for {binding.environment.name}."
    if binding.previous_valid_until is None:
        return f"{what} The old value no longer works."
    until = date_format(timezone.localtime(binding.previous_valid_until), "DATETIME_FORMAT")
    return f"{what} The old value is accepted until {until}."


@require_http_methods(["GET", "POST"])
def connection_rotate(
    request: HttpRequest,
    org: str,
    project: str,
    connection_id: UUID,
    component: str | None = None,
) -> HttpResponse:
    scope, connection = get_scope_and_connection_for_user(
        request, org, project, connection_id, component
    )
    keys = rotatable_keys(connection.auth_scheme)
    if not keys:
        raise Http404("This connection has no generated secret to rotate.")
    scope.require_write()
    bindings = list(connection.bindings.select_related("environment"))
    data = request.POST if request.method == "POST" else request.GET
    handle = data.get("environment", "")
    # An environment named but not the connection's is a 404, as in reveal;
    # none named is a choice still to make, asked for beside the field.
    if handle and handle not in {binding.environment.handle for binding in bindings}:
        raise Http404("No such environment.")
    if request.method == "POST":
        form = RotateForm(request.POST, bindings=bindings)
    else:
        form = RotateForm(initial={"environment": handle}, bindings=bindings)
    if request.method == "POST" and form.is_valid():
        binding = next(
            b for b in bindings if b.environment.handle == form.cleaned_data["environment"]
        )
        try:
            rotated = services.credentials_rotate(
                connection=connection,
                binding=binding,
                grace=form.cleaned_data["grace"],
                actor=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _done_message(keys, rotated))
            url = detail_url(scope, connection)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render_page_or_fragment(
        request,
        TEMPLATE,
        scope,
        {
            "connection": connection,
            "form": form,
            "keys": keys,
            "cancel_url": detail_url(scope, connection),
        },
        fragment=f"{TEMPLATE}#rotate-form",
        section="connections",
    )
