"""Version lifecycle: an Admin marks a service's major version Deprecated,
with a sunset date and a message for its consumers, or withdraws that.
Reached from the service page, at any scope that sees the service (roles
are the organization's, so its Admins are the providing project's). The
page lists the consumers; each records what changed (it breaks nothing, so
no count is typed)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods

from console.access import Scope, get_scope_for_user
from console.shell import render_in_scope

from ..access import get_service_for_user
from ..changes import (
    ImpactCheck,
    change_service,
    deprecation_changes,
    deprecation_preview,
    impact_of,
)
from ..forms import DeprecationForm
from ..models import Service
from ..services import service_deprecate, service_undeprecate
from .browse import DOCUMENTATION_COLUMNS


def _service_url(scope: Scope, service: Service) -> str:
    return reverse("marketplace:service", kwargs={**scope.url_kwargs, "service_id": service.pk})


@require_http_methods(["GET", "POST"])
def service_deprecation(
    request: HttpRequest,
    org: str,
    service_id: int,
    project: str | None = None,
    component: str | None = None,
) -> HttpResponse:
    scope = get_scope_for_user(request, org, project, component)
    scope.require_admin()
    service = get_service_for_user(scope, service_id, defer=DOCUMENTATION_COLUMNS)
    if request.method == "POST" and "undeprecate" in request.POST:
        change_service(
            service=service,
            changes=deprecation_changes(service, withdrawn=True),
            actor=request.user,
            typed=None,
            write=lambda: service_undeprecate(service=service, actor=request.user),
        )
        messages.success(request, f"{service} is no longer deprecated.")
        return redirect(_service_url(scope, service))
    form = DeprecationForm(request.POST if request.method == "POST" else None, service=service)
    if form.is_bound and form.is_valid():
        sunset_on = form.cleaned_data["sunset_on"]
        message = form.cleaned_data["message"]
        change_service(
            service=service,
            changes=deprecation_changes(service, sunset_on=sunset_on, message=message),
            actor=request.user,
            typed=None,
            write=lambda: service_deprecate(
                service=service, sunset_on=sunset_on, message=message, actor=request.user
            ),
        )
        messages.success(request, f"{service} is deprecated; its consumers are told.")
        if sunset_on < timezone.localdate():
            messages.warning(
                request,
                f"The sunset date, {formats.date_format(sunset_on)}, has already passed: "
                "consumers read that this version was sunset then.",
            )
        return redirect(_service_url(scope, service))
    return render_in_scope(
        request,
        "marketplace/deprecation.html",
        scope,
        {
            "service": service,
            "form": form,
            "consumers": service.connections.count(),
            "impact_check": ImpactCheck(impact_of(service, [deprecation_preview(service)])),
            "service_url": _service_url(scope, service),
        },
        section="marketplace",
    )
