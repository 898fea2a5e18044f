"""A component's published endpoints: Admins and Developers add, edit and
remove them from the component's overview. A published endpoint is the
marketplace service "<component> - <endpoint>", one card per major version.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from console.access import Scope
from console.shell import render_in_scope

from ..access import get_published_service, get_writer_scope
from ..changes import (
    CONFIRMATION_FIELD,
    ConfirmationNeeded,
    ImpactCheck,
    change_service,
    publish_changes,
)
from ..forms import InternalEndpointForm
from ..models import Service
from ..services import internal_service_publish, service_delete
from .set_listed import set_listed

TEMPLATES = "marketplace/publishing/"


def _component_url(scope: Scope) -> str:
    return reverse("console:component", kwargs=scope.url_kwargs)


def _publish(
    request: HttpRequest, scope: Scope, form: InternalEndpointForm, handle: str
) -> Service:
    return internal_service_publish(
        actor=request.user,
        component=scope.component,
        endpoint_handle=handle,
        endpoint_name=form.cleaned_data["endpoint_name"],
        visibility=form.cleaned_data["visibility"],
        urls=form.urls(),
        **form.details(),
    )


def _render_form(
    request: HttpRequest,
    scope: Scope,
    form: InternalEndpointForm,
    service: Service | None,
    impact_check: ImpactCheck | None = None,
) -> HttpResponse:
    return render_in_scope(
        request,
        TEMPLATES + "form.html",
        scope,
        {"form": form, "service": service, "impact_check": impact_check},
        section="overview",
    )


@require_http_methods(["GET", "POST"])
def endpoint_add(request: HttpRequest, org: str, project: str, component: str) -> HttpResponse:
    scope = get_writer_scope(request, org, project, component)
    if not scope.component.serves_requests:
        raise PermissionDenied(
            f"{scope.component.name} is a {scope.component.get_type_display()}: it serves no "
            "requests, so it has no endpoint to publish."
        )
    environments = list(scope.organization.environments.order_by("order"))
    form = InternalEndpointForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        component=scope.component,
        environments=environments,
    )
    if form.is_bound and form.is_valid():
        try:
            service = _publish(request, scope, form, form.cleaned_data["handle"])
        except IntegrityError:
            form.add_error("handle", "This endpoint was published meanwhile: edit it instead.")
        else:
            messages.success(request, f"Published {service} in the marketplace.")
            return redirect(_component_url(scope))
    return _render_form(request, scope, form, None)


@require_http_methods(["GET", "POST"])
def endpoint_edit(
    request: HttpRequest, org: str, project: str, component: str, service_id: int
) -> HttpResponse:
    scope = get_writer_scope(request, org, project, component)
    service = get_published_service(scope, service_id)
    environments = list(scope.organization.environments.order_by("order"))
    form = InternalEndpointForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        component=scope.component,
        environments=environments,
        service=service,
    )
    impact_check = None
    if form.is_bound and form.is_valid():
        # A new major is a new card: this one, and its consumers, stay as they are.
        changes = (
            publish_changes(
                service, visibility=form.cleaned_data["visibility"], deployed_in=list(form.urls())
            )
            if form.major == service.major
            else []
        )
        try:
            published, impact = change_service(
                service=service,
                changes=changes,
                actor=request.user,
                typed=request.POST.get(CONFIRMATION_FIELD),
                write=lambda: _publish(request, scope, form, service.endpoint_handle),
            )
        except ConfirmationNeeded as refused:
            impact_check = refused.check
        except IntegrityError:
            form.add_error("version", "This major version was published meanwhile: edit it.")
        else:
            if published.pk == service.pk:
                messages.success(request, f"Saved {published}.{impact.recorded}")
            else:
                # A new major is a new card; the old one stays for the
                # connections that follow it.
                messages.success(
                    request,
                    f"Published {published} as a new card; v{service.major} stays in the "
                    "marketplace for the connections that use it.",
                )
            return redirect(_component_url(scope))
    return _render_form(request, scope, form, service, impact_check)


@require_http_methods(["GET", "POST"])
def endpoint_remove(
    request: HttpRequest, org: str, project: str, component: str, service_id: int
) -> HttpResponse:
    scope = get_writer_scope(request, org, project, component)
    service = get_published_service(scope, service_id)
    connections = list(
        service.connections.select_related("project", "component").order_by(Lower("name"))
    )
    if request.method == "POST" and not connections:
        try:
            service_delete(service=service, actor=request.user)
        except ValidationError:
            return redirect(
                reverse(
                    "marketplace:component-endpoint-remove",
                    kwargs={**scope.url_kwargs, "service_id": service.pk},
                )
            )
        messages.success(request, f"Removed the endpoint {service}.")
        return redirect(_component_url(scope))
    response = render_in_scope(
        request,
        TEMPLATES + "remove.html",
        scope,
        {"service": service, "connections": connections},
        section="overview",
    )
    if request.method == "POST":
        response.status_code = 409  # refused: connections use the endpoint
    return response


@require_http_methods(["GET", "POST"])
def endpoint_listing(
    request: HttpRequest, org: str, project: str, component: str, service_id: int
) -> HttpResponse:
    scope = get_writer_scope(request, org, project, component)
    service = get_published_service(scope, service_id)
    answer = set_listed(request, scope, service, back_url=_component_url(scope), section="overview")
    return answer or redirect(_component_url(scope))
