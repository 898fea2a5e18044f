"""The "Verify callers" page of an internal service, for the team that
publishes it: what to check in the access tokens its callers send, where
Junction's keys are, and the project's introspection credentials (create,
rotate, reveal). docs/credentials.md, For providers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.access import Scope, get_component_for_user
from console.shell import render_in_scope, render_page_or_fragment
from marketplace.access import get_published_service
from marketplace.models import Service

from . import provider_samples as samples
from .models import IntrospectionClient
from .providers import (
    introspection_client_create,
    introspection_client_rotate,
    introspection_secret_reveal,
)

TEMPLATE = "oauth/verify_callers.html"


def _published(
    request: HttpRequest, org: str, project: str, component: str, service_id: int
) -> tuple[Scope, Service]:
    """The scope and the internal service its component publishes; an
    unknown or foreign id is a 404 for every role, before any role check."""
    scope = get_component_for_user(request, org, project, component)
    return scope, get_published_service(scope, service_id)


def _page_url(scope: Scope, service: Service) -> str:
    return reverse("oauth:verify-callers", kwargs={**scope.url_kwargs, "service_id": service.pk})


def _client_of(scope: Scope) -> IntrospectionClient | None:
    return IntrospectionClient.objects.filter(project_id=scope.project.pk).first()


def _page_context(scope: Scope, service: Service, revealed: str | None = None) -> dict:
    facts = samples.caller_facts(service)
    # Viewers see how to verify, never the credentials, not even the client id.
    client = _client_of(scope) if scope.can_write else None
    client_id = client.client_id if client is not None else None
    context = {
        "service": service,
        "facts": facts,
        "client": client,
        "revealed": revealed,
        "secret_variable": samples.SECRET_VARIABLE,
        "python_introspect": samples.python_introspect(service, facts, client_id),
        "curl_introspect": samples.curl_introspect(service, facts, client_id),
    }
    if facts.uses_tokens:
        context["python_verify"] = samples.python_verify(service, facts)
        context["node_verify"] = samples.node_verify(service, facts)
    return context


@require_GET
def verify_callers(
    request: HttpRequest, org: str, project: str, component: str, service_id: int
) -> HttpResponse:
    scope, service = _published(request, org, project, component, service_id)
    return render_in_scope(request, TEMPLATE, scope, _page_context(scope, service))


@require_POST
def introspection_create(
    request: HttpRequest, org: str, project: str, component: str, service_id: int
) -> HttpResponse:
    scope, service = _published(request, org, project, component, service_id)
    scope.require_write()
    try:
        introspection_client_create(project=scope.project, actor=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Created introspection credentials for {scope.project.name}. Reveal the secret "
            "to copy it into your service's secret store.",
        )
    return redirect(_page_url(scope, service))


@require_http_methods(["GET", "POST"])
def introspection_rotate(
    request: HttpRequest, org: str, project: str, component: str, service_id: int
) -> HttpResponse:
    """GET asks for confirmation (the old secret stops working at once)."""
    scope, service = _published(request, org, project, component, service_id)
    scope.require_write()
    if request.method == "POST":
        try:
            introspection_client_rotate(project=scope.project, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                "The introspection secret was rotated: the old one no longer works. "
                "Reveal the new one and deploy it.",
            )
        return redirect(_page_url(scope, service))
    return render_in_scope(
        request,
        "oauth/rotate.html",
        scope,
        {"service": service, "client": _client_of(scope), "cancel_url": _page_url(scope, service)},
    )


@never_cache  # The answer holds a plaintext secret: no cache may keep it.
@require_POST
def introspection_reveal(
    request: HttpRequest, org: str, project: str, component: str, service_id: int
) -> HttpResponse:
    scope, service = _published(request, org, project, component, service_id)
    scope.require_write()
    try:
        secret = introspection_secret_reveal(project=scope.project, actor=request.user)
    except IntrospectionClient.DoesNotExist as error:
        raise Http404("This project has no introspection credentials.") from error
    # HTMX swaps only the secret's cell; without JavaScript the whole page
    # comes back with the secret shown.
    return render_page_or_fragment(
        request,
        TEMPLATE,
        scope,
        lambda: _page_context(scope, service, secret),
        fragment=TEMPLATE + "#secret-cell",
        fragment_context={"service": service, "revealed": secret},
    )
