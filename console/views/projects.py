"""An organization's projects, made, edited and deleted by its Admins, and
new organizations (#16)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..access import can_create_organization, get_organization_for_user, get_project_for_user
from ..forms.projects import OrganizationForm, ProjectForm
from ..services import projects as services
from ..shell import render_in_scope
from ..usage import project_usage

TEMPLATES = "console/projects/"


def submitted(request: HttpRequest) -> dict | None:
    # An empty POST is still a submission: the form answers with its errors.
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest, org: str) -> HttpResponse:
    scope = get_organization_for_user(request, org)
    scope.require_admin()
    form = ProjectForm(submitted(request), organization=scope.organization)
    if form.is_bound and form.is_valid():
        try:
            project = services.project_create(
                organization=scope.organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Created the project {project.name}.")
            return redirect(
                "console:project", org=scope.organization.handle, project=project.handle
            )
    return render_in_scope(
        request,
        TEMPLATES + "project_form.html",
        scope,
        {"form": form, "cancel_url": reverse("console:organization", kwargs=scope.url_kwargs)},
    )


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, org: str, project: str) -> HttpResponse:
    scope = get_project_for_user(request, org, project)
    scope.require_admin()
    project_url = reverse("console:project", kwargs=scope.url_kwargs)
    form = ProjectForm(submitted(request), organization=scope.organization, instance=scope.project)
    if form.is_bound and form.is_valid():
        try:
            services.project_update(
                project=scope.project,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Saved the project {scope.project.name}.")
            return redirect(project_url)
    return render_in_scope(
        request, TEMPLATES + "project_form.html", scope, {"form": form, "cancel_url": project_url}
    )


@require_http_methods(["GET", "POST"])
def project_delete(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """GET asks for confirmation, or lists what the project still holds."""
    scope = get_project_for_user(request, org, project)
    scope.require_admin()
    refused = False
    if request.method == "POST":
        try:
            services.project_delete(project=scope.project, actor=request.user)
        except ValidationError:
            # Something was added since the page was read: the page names it.
            refused = True
        else:
            messages.success(request, f"Deleted the project {scope.project.name}.")
            return redirect("console:organization", org=scope.organization.handle)
    response = render_in_scope(
        request,
        TEMPLATES + "project_delete.html",
        scope,
        {
            "usage": project_usage(scope.project),
            "cancel_url": reverse("console:project", kwargs=scope.url_kwargs),
        },
    )
    if refused:
        response.status_code = 409  # refused: the project is not empty
    return response


@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    if not can_create_organization(request.user):
        raise PermissionDenied("Only a superuser can create an organization here.")
    form = OrganizationForm(submitted(request))
    if form.is_bound and form.is_valid():
        try:
            organization = services.organization_start(
                name=form.cleaned_data["name"],
                handle=form.cleaned_data["handle"],
                admin=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Created the organization {organization.name}, with Development and "
                "Production. You are its Admin.",
            )
            return redirect("console:organization", org=organization.handle)
    # Outside any organization: no scope, so no shell menus to fill.
    return render(
        request,
        TEMPLATES + "organization_create.html",
        {"form": form, "cancel_url": reverse("console:home")},
    )
