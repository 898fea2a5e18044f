"""Settings → Environments: an organization's environments in promotion
order, added, edited, moved and deleted by its Admins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import Scope, get_organization_for_user
from ..forms.environments import EnvironmentAddForm, EnvironmentEditForm, EnvironmentMoveForm
from ..models import Environment
from ..services import environments as services
from ..shell import render_in_scope
from ..usage import environment_delete_impact

SECTION = "settings"
TEMPLATES = "console/environments/"


def _admin_scope(request: HttpRequest, org: str) -> Scope:
    """The organization, for its Admins only: 404 for outsiders, 403 for other roles."""
    scope = get_organization_for_user(request, org)
    scope.require_admin()
    return scope


def _environment(scope: Scope, handle: str) -> Environment:
    environment = Environment.objects.filter(
        organization_id=scope.organization.pk, handle=handle
    ).first()
    if environment is None:
        raise Http404("No such environment.")
    environment.organization = scope.organization
    return environment


def _list_url(scope: Scope) -> str:
    return reverse("console:environments", kwargs=scope.url_kwargs)


@require_GET
def environment_list(request: HttpRequest, org: str) -> HttpResponse:
    scope = _admin_scope(request, org)
    environments = list(scope.organization.environments.order_by("order"))
    return render_in_scope(
        request,
        TEMPLATES + "list.html",
        scope,
        {"environments": environments},
        section=SECTION,
    )


@require_http_methods(["GET", "POST"])
def environment_add(request: HttpRequest, org: str) -> HttpResponse:
    scope = _admin_scope(request, org)
    form = EnvironmentAddForm(
        request.POST if request.method == "POST" else None, organization=scope.organization
    )
    if form.is_bound and form.is_valid():
        try:
            environment = services.environment_create(
                organization=scope.organization,
                name=form.cleaned_data["name"],
                handle=form.cleaned_data["handle"],
                is_production=form.cleaned_data["is_production"],
                after=form.cleaned_data["after"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Added {environment.name} (handle {environment.handle}). Every connection "
                "of the organization now has it.",
            )
            return redirect(_list_url(scope))
    return render_in_scope(
        request,
        TEMPLATES + "add.html",
        scope,
        {"form": form, "cancel_url": _list_url(scope)},
        section=SECTION,
    )


@require_http_methods(["GET", "POST"])
def environment_edit(request: HttpRequest, org: str, environment: str) -> HttpResponse:
    scope = _admin_scope(request, org)
    current = _environment(scope, environment)
    form = EnvironmentEditForm(
        request.POST if request.method == "POST" else None, environment=current
    )
    if form.is_bound and form.is_valid():
        try:
            services.environment_update(
                environment=current,
                name=form.cleaned_data["name"],
                is_production=form.cleaned_data["is_production"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved the environment {form.cleaned_data['name']}.")
            return redirect(_list_url(scope))
    return render_in_scope(
        request,
        TEMPLATES + "edit.html",
        scope,
        {"form": form, "environment": current, "cancel_url": _list_url(scope)},
        section=SECTION,
    )


@require_POST
def environment_move(request: HttpRequest, org: str, environment: str) -> HttpResponse:
    scope = _admin_scope(request, org)
    current = _environment(scope, environment)
    form = EnvironmentMoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Say which way to move it: up or down.")
    direction = form.cleaned_data["direction"]
    try:
        moved = services.environment_move(
            environment=current, direction=direction, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if moved:
            messages.success(request, f"Moved {current.name} {direction}.")
        else:
            where = "first" if direction == "up" else "last"
            messages.info(request, f"{current.name} is already {where}.")
    return redirect(_list_url(scope))


@require_http_methods(["GET", "POST"])
def environment_delete(request: HttpRequest, org: str, environment: str) -> HttpResponse:
    """GET asks for confirmation, or lists what resolves in it; POST deletes."""
    scope = _admin_scope(request, org)
    current = _environment(scope, environment)
    refusal = ""
    if request.method == "POST":
        try:
            services.environment_delete(environment=current, actor=request.user)
        except ValidationError as error:
            refusal = error.messages[0]
        else:
            messages.success(request, f"Deleted the environment {current.name}.")
            return redirect(_list_url(scope))
    is_last = scope.organization.environments.count() == 1
    use = services.environment_use(current)
    response = render_in_scope(
        request,
        TEMPLATES + "delete.html",
        scope,
        {
            "environment": current,
            "use": use,
            # Listed as a provider's change lists its consumers.
            "impact": environment_delete_impact(current) if use.bindings.total else None,
            "is_last": is_last,
            "refusal": refusal,
            "cancel_url": _list_url(scope),
        },
        section=SECTION,
    )
    if refusal:
        response.status_code = 409  # refused: something resolves in it, or it is the last
    return response
