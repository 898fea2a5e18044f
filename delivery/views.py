"""Runtime tokens in the console: create one (its value shown once) and
revoke one, at a component or at a project (docs/delivery.md)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from console.access import Scope, get_scope_for_user
from console.shell import render_in_scope

from . import services
from .access import get_runtime_token
from .forms import RuntimeTokenForm


def _scope(request: HttpRequest, org: str, project: str, component: str | None) -> Scope:
    return get_scope_for_user(request, org, project, component)


def _home_url(scope: Scope) -> str:
    """The page whose Runtime tokens section lists the scope's tokens."""
    name = "console:component" if scope.component is not None else "console:project"
    return reverse(name, kwargs=scope.url_kwargs) + "#runtime-tokens"


def config_url() -> str:
    return settings.JUNCTION_PUBLIC_URL + reverse("delivery:config")


@never_cache  # The answer to the POST holds the token, shown this once.
@require_http_methods(["GET", "POST"])
def token_create(
    request: HttpRequest, org: str, project: str, component: str | None = None
) -> HttpResponse:
    scope = _scope(request, org, project, component)
    scope.require_write()
    form = RuntimeTokenForm(request.POST or None, organization=scope.organization)
    if request.method == "POST" and form.is_valid():
        issued = services.runtime_token_create(
            project=scope.project,
            component=scope.component,
            environment=form.cleaned_data["environment"],
            name=form.cleaned_data["name"],
            expires_at=form.expires_at,
            actor=request.user,
        )
        return render_in_scope(
            request,
            "delivery/token_created.html",
            scope,
            {
                "issued": issued,
                "junction_url": settings.JUNCTION_PUBLIC_URL,
                "config_url": config_url(),
                "home_url": _home_url(scope),
            },
        )
    return render_in_scope(
        request,
        "delivery/token_create.html",
        scope,
        {"form": form, "cancel_url": _home_url(scope)},
    )


@require_http_methods(["GET", "POST"])
def token_revoke(
    request: HttpRequest, org: str, project: str, token_id: str, component: str | None = None
) -> HttpResponse:
    """GET asks for confirmation: whatever uses the token stops getting values."""
    scope = _scope(request, org, project, component)
    runtime_token = get_runtime_token(scope, token_id)
    scope.require_write()
    if request.method == "POST":
        if services.runtime_token_revoke(runtime_token=runtime_token, actor=request.user):
            messages.success(request, f"Revoked the runtime token “{runtime_token.name}”.")
        else:
            messages.info(request, f"The runtime token “{runtime_token.name}” was already revoked.")
        return redirect(_home_url(scope))
    return render_in_scope(
        request,
        "delivery/token_revoke.html",
        scope,
        {"runtime_token": runtime_token, "cancel_url": _home_url(scope)},
    )
