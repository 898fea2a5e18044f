"""A project's components, made, edited and deleted by its organization's
Admins and Developers (#16)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..access import get_component_for_user, get_project_for_user
from ..forms.projects import ComponentForm
from ..services import projects as services
from ..shell import render_in_scope
from ..usage import component_usage
from .projects import TEMPLATES, submitted


@require_http_methods(["GET", "POST"])
def component_create(request: HttpRequest, org: str, project: str) -> HttpResponse:
    scope = get_project_for_user(request, org, project)
    scope.require_write()
    form = ComponentForm(submitted(request), project=scope.project)
    if form.is_bound and form.is_valid():
        try:
            component = services.component_create(
                project=scope.project, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Created the component {component.name}.")
            return redirect("console:component", component=component.handle, **scope.url_kwargs)
    return render_in_scope(
        request,
        TEMPLATES + "component_form.html",
        scope,
        {"form": form, "cancel_url": reverse("console:project", kwargs=scope.url_kwargs)},
    )


@require_http_methods(["GET", "POST"])
def component_edit(request: HttpRequest, org: str, project: str, component: str) -> HttpResponse:
    scope = get_component_for_user(request, org, project, component)
    scope.require_write()
    component_url = reverse("console:component", kwargs=scope.url_kwargs)
    form = ComponentForm(submitted(request), project=scope.project, instance=scope.component)
    if form.is_bound and form.is_valid():
        try:
            services.component_update(
                component=scope.component,
                name=form.cleaned_data["name"],
                type=form.cleaned_data["type"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Saved the component {scope.component.name}.")
            return redirect(component_url)
    return render_in_scope(
        request,
        TEMPLATES + "component_form.html",
        scope,
        {"form": form, "cancel_url": component_url},
    )


@require_http_methods(["GET", "POST"])
def component_delete(request: HttpRequest, org: str, project: str, component: str) -> HttpResponse:
    """GET asks for confirmation, or lists the connections that consume
    what the component publishes."""
    scope = get_component_for_user(request, org, project, component)
    scope.require_write()
    refused = False
    if request.method == "POST":
        try:
            services.component_delete(component=scope.component, actor=request.user)
        except ValidationError:
            # A consumer was added since the page was read: the page names it.
            refused = True
        else:
            messages.success(request, f"Deleted the component {scope.component.name}.")
            return redirect("console:project", org=org, project=scope.project.handle)
    response = render_in_scope(
        request,
        TEMPLATES + "component_delete.html",
        scope,
        {
            "usage": component_usage(scope.component),
            "cancel_url": reverse("console:component", kwargs=scope.url_kwargs),
        },
    )
    if refused:
        response.status_code = 409  # refused: connections consume what it publishes
    return response
