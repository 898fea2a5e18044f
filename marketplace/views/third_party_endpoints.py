"""The endpoints and additional parameters of a third-party service, managed
from the service's page (Admins only, like the service itself)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from console.access import Scope
from console.shell import render_in_scope

from ..access import get_admin_scope, get_endpoint, get_parameter, get_third_party_service
from ..changes import (
    CONFIRMATION_FIELD,
    ConfirmationNeeded,
    ImpactCheck,
    change_service,
    endpoint_environments_change,
    impact_of,
    parameter_added,
    parameter_deleted,
    parameter_renamed,
)
from ..forms import EndpointForm, ParameterForm, ParameterRenameForm
from ..models import Service
from ..services import (
    endpoint_create,
    endpoint_delete,
    endpoint_update,
    service_parameter_add,
    service_parameter_delete,
    service_parameter_rename,
)
from .third_party import SECTION, TEMPLATES, render_detail, service_url


def _render_endpoint_form(
    request: HttpRequest,
    scope: Scope,
    service: Service,
    form: EndpointForm,
    impact_check: ImpactCheck | None = None,
) -> HttpResponse:
    return render_in_scope(
        request,
        TEMPLATES + "endpoint_form.html",
        scope,
        {
            "service": service,
            "form": form,
            "endpoint": form.endpoint,
            "impact_check": impact_check,
        },
        section=SECTION,
    )


@require_http_methods(["GET", "POST"])
def third_party_endpoint_add(
    request: HttpRequest, org: str, service_id: int, project: str | None = None
) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    service = get_third_party_service(scope, service_id)
    form = EndpointForm(request.POST if request.method == "POST" else None, service=service)
    if form.is_bound and form.is_valid() and not form.asks_to_confirm_gaps:
        try:
            endpoint = endpoint_create(
                service=service,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                environments=form.cleaned_data["environments"],
                parameter_values=form.parameter_values(),
                actor=request.user,
            )
        except IntegrityError:
            form.add_error("name", "This service already has an endpoint of that name.")
        else:
            messages.success(request, f"Added the endpoint {endpoint.name} to {service}.")
            if "add_another" in request.POST:
                return redirect(service_url(scope, "third-party-endpoint-add", service))
            return redirect(service_url(scope, "third-party-detail", service))
    return _render_endpoint_form(request, scope, service, form)


@require_http_methods(["GET", "POST"])
def third_party_endpoint_edit(
    request: HttpRequest, org: str, service_id: int, endpoint_id: int, project: str | None = None
) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    service = get_third_party_service(scope, service_id)
    endpoint = get_endpoint(service, endpoint_id)
    form = EndpointForm(
        request.POST if request.method == "POST" else None, service=service, endpoint=endpoint
    )
    impact_check = None
    if form.is_bound and form.is_valid() and not form.asks_to_confirm_gaps:
        environments = list(form.cleaned_data["environments"])
        try:
            _, impact = change_service(
                service=service,
                changes=endpoint_environments_change(endpoint, environments),
                actor=request.user,
                typed=request.POST.get(CONFIRMATION_FIELD),
                write=lambda: endpoint_update(
                    endpoint=endpoint,
                    name=form.cleaned_data["name"],
                    url=form.cleaned_data["url"],
                    environments=environments,
                    parameter_values=form.parameter_values(),
                    actor=request.user,
                ),
            )
        except ConfirmationNeeded as refused:
            impact_check = refused.check
        except IntegrityError:
            form.add_error("name", "This service already has an endpoint of that name.")
        else:
            messages.success(request, f"Saved the endpoint {endpoint.name}.{impact.recorded}")
            return redirect(service_url(scope, "third-party-detail", service))
    return _render_endpoint_form(request, scope, service, form, impact_check)


@require_http_methods(["GET", "POST"])
def third_party_endpoint_delete(
    request: HttpRequest, org: str, service_id: int, endpoint_id: int, project: str | None = None
) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    service = get_third_party_service(scope, service_id)
    endpoint = get_endpoint(service, endpoint_id)
    refusal = ""
    if request.method == "POST":
        try:
            endpoint_delete(endpoint=endpoint, actor=request.user)
        except ValidationError as error:
            # Connections are mapped to it (maybe since the page was read):
            # the page below names them.
            refusal = error.messages[0]
        else:
            messages.success(request, f"Deleted the endpoint {endpoint.name} of {service}.")
            return redirect(service_url(scope, "third-party-detail", service))
    # Through the reverse relation: the marketplace does not import connections.
    bindings = list(
        endpoint.connection_bindings.select_related(
            "connection__project", "connection__component", "environment"
        ).order_by("connection__name", "environment__order")
    )
    response = render_in_scope(
        request,
        TEMPLATES + "endpoint_delete.html",
        scope,
        {"service": service, "endpoint": endpoint, "bindings": bindings, "refusal": refusal},
        section=SECTION,
    )
    if refusal:
        response.status_code = 409  # refused: connections are mapped to it
    return response


@require_POST
def third_party_parameter_add(
    request: HttpRequest, org: str, service_id: int, project: str | None = None
) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    service = get_third_party_service(scope, service_id)
    form = ParameterForm(request.POST, service=service)
    if form.is_valid():
        try:
            parameter, impact = change_service(
                service=service,
                changes=[parameter_added(form.cleaned_data["name"])],
                actor=request.user,
                typed=None,
                write=lambda: service_parameter_add(
                    service=service,
                    name=form.cleaned_data["name"],
                    is_secret=form.cleaned_data["is_secret"],
                    actor=request.user,
                ),
            )
        except IntegrityError:
            form.add_error("name", "This service already has a parameter of that name.")
        except ValidationError as error:
            # Two connections would provide one environment variable: the
            # message names them, beside the name.
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Added the parameter {parameter.name}. Give it a value on each endpoint."
                f"{impact.recorded}",
            )
            return redirect(service_url(scope, "third-party-detail", service) + "#parameters")
    return render_detail(request, scope, service, parameter_form=form)


@require_http_methods(["GET", "POST"])
def third_party_parameter_delete(
    request: HttpRequest, org: str, service_id: int, parameter_id: int, project: str | None = None
) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    service = get_third_party_service(scope, service_id)
    parameter = get_parameter(service, parameter_id)
    changes = [parameter_deleted(parameter.name)]
    if request.method == "POST":
        try:
            _, impact = change_service(
                service=service,
                changes=changes,
                actor=request.user,
                typed=request.POST.get(CONFIRMATION_FIELD),
                write=lambda: service_parameter_delete(parameter=parameter, actor=request.user),
            )
        except ConfirmationNeeded as refused:
            impact_check = refused.check
        else:
            messages.success(
                request,
                f"Removed the parameter {parameter.name} from {service}.{impact.recorded}",
            )
            return redirect(service_url(scope, "third-party-detail", service) + "#parameters")
    else:
        # Every connection's keys change, so who is affected is known before the write.
        impact_check = ImpactCheck(impact_of(service, changes))
    return render_in_scope(
        request,
        TEMPLATES + "parameter_delete.html",
        scope,
        {"service": service, "parameter": parameter, "impact_check": impact_check},
        section=SECTION,
    )


@require_http_methods(["GET", "POST"])
def third_party_parameter_rename(
    request: HttpRequest, org: str, service_id: int, parameter_id: int, project: str | None = None
) -> HttpResponse:
    """Every connection's variable for the parameter changes name: the page
    lists them, and the rename needs their number typed."""
    scope = get_admin_scope(request, org, project)
    service = get_third_party_service(scope, service_id)
    parameter = get_parameter(service, parameter_id)
    current = parameter.name
    form = ParameterRenameForm(
        request.POST if request.method == "POST" else None, parameter=parameter
    )
    typed = request.POST.get(CONFIRMATION_FIELD, "")
    impact_check = None
    if form.is_bound and form.is_valid():
        new = form.cleaned_data["name"]
        try:
            _, impact = change_service(
                service=service,
                changes=[parameter_renamed(current, new)],
                actor=request.user,
                typed=typed,
                write=lambda: service_parameter_rename(
                    parameter=parameter, name=new, actor=request.user
                ),
            )
        except ConfirmationNeeded as refused:
            impact_check = refused.check
        except IntegrityError:
            form.add_error("name", "This service already has a parameter of that name.")
        except ValidationError as error:
            # Two connections would provide one environment variable: the
            # message names them, beside the name.
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Renamed the parameter {current} to {new} in {service}.{impact.recorded}",
            )
            return redirect(service_url(scope, "third-party-detail", service) + "#parameters")
        # Rolled back: the row kept its name, the instance must too.
        parameter.name = current
    if impact_check is None:
        # Every connection's keys change: who is affected is known before the name.
        impact_check = ImpactCheck(impact_of(service, [parameter_renamed(current)]), typed)
    return render_in_scope(
        request,
        TEMPLATES + "parameter_rename.html",
        scope,
        {"service": service, "parameter": parameter, "form": form, "impact_check": impact_check},
        section=SECTION,
    )
