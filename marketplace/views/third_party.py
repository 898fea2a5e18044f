"""Dependencies > Third-Party Services: Admins register the services the
organization buys from outside, at organization or project level, and
manage them. Endpoints and parameters are in ``third_party_endpoints``.

Every route exists at organization and project level under one name; at
project level the pages hold that project's services and the organization's.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from console.access import Scope
from console.shell import render_in_scope, render_page_or_fragment
from console.url_state import list_url_state

from ..access import get_admin_scope, get_third_party_service
from ..filters import ThirdPartyServiceFilter
from ..forms import (
    PARAMETER_RULES,
    ParameterForm,
    ParameterFormSet,
    ThirdPartyServiceForm,
    parameter_helper,
)
from ..models import Service
from ..services import (
    service_delete,
    third_party_service_register,
    third_party_service_update,
)
from .set_listed import set_listed

PAGE_SIZE = 25
USED_BY_SHOWN = 50
SECTION = "third-party-services"
TEMPLATES = "marketplace/third_party/"


def service_url(scope: Scope, viewname: str, service: Service, **extra: object) -> str:
    return reverse(
        f"marketplace:{viewname}", kwargs={**scope.url_kwargs, "service_id": service.pk, **extra}
    )


@require_GET
def third_party_list(request: HttpRequest, org: str, project: str | None = None) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    services = (
        Service.objects.third_party_services_at(scope.organization, scope.project)
        .select_related("project")
        .prefetch_related("tags")
        .annotate(endpoint_count=Count("endpoints"))
        .order_by(Lower("name"), "-major", "pk")
    )
    filterset = ThirdPartyServiceFilter(request.GET, queryset=services)

    def context() -> dict:
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        is_filtered = filterset.form.is_valid() and any(filterset.form.cleaned_data.values())
        return {"filter": filterset, "page": page, "is_filtered": is_filtered}

    return render_page_or_fragment(
        request,
        TEMPLATES + "list.html",
        scope,
        context,
        fragment=TEMPLATES + "list.html#results",
        section=SECTION,
        url_state=list_url_state(request, filterset),
    )


@require_http_methods(["GET", "POST"])
def third_party_register(
    request: HttpRequest, org: str, project: str | None = None
) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = ThirdPartyServiceForm(
        data, files, organization=scope.organization, project=scope.project
    )
    parameters = ParameterFormSet(data, prefix="parameters")
    # Both validated, so that every mistake is shown at once.
    valid = [form.is_valid(), parameters.is_valid()] if data is not None else [False]
    if all(valid):
        registered_for = scope.project or form.cleaned_data.get("registered_for")
        try:
            service = third_party_service_register(
                organization=scope.organization,
                project=registered_for,
                name=form.cleaned_data["name"],
                parameters=parameters.parameters(),
                actor=request.user,
                **form.details(),
            )
        except IntegrityError:
            # Someone registered the same name and major since the form
            # checked: say so as the form would have.
            form.add_error("name", "A third-party service of this name and major version exists.")
        else:
            messages.success(
                request, f"Registered {service}. Now add its first endpoint: where it answers."
            )
            return redirect(service_url(scope, "third-party-endpoint-add", service))
    return render_in_scope(
        request,
        TEMPLATES + "register.html",
        scope,
        {
            "form": form,
            "parameters": parameters,
            "parameter_helper": parameter_helper(),
            "parameter_rules": PARAMETER_RULES,
        },
        section=SECTION,
    )


def render_detail(
    request: HttpRequest,
    scope: Scope,
    service: Service,
    parameter_form: ParameterForm | None = None,
) -> HttpResponse:
    """The manage page; also shown again, with errors, by a failed "add parameter"."""
    endpoints = service.endpoints.prefetch_related(
        "environments", "parameter_values__parameter"
    ).order_by(Lower("name"))
    connections = service.connections.select_related("project", "component").order_by(Lower("name"))
    return render_in_scope(
        request,
        TEMPLATES + "detail.html",
        scope,
        {
            "service": service,
            "tags": list(service.tags.all()),
            "endpoints": endpoints,
            "parameters": list(service.parameters.all()),
            "parameter_form": parameter_form or ParameterForm(service=service),
            "parameter_rules": PARAMETER_RULES,
            "connections": connections[:USED_BY_SHOWN],
            "connection_count": connections.count(),
        },
        section=SECTION,
    )


@require_GET
def third_party_detail(
    request: HttpRequest, org: str, service_id: int, project: str | None = None
) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    return render_detail(request, scope, get_third_party_service(scope, service_id))


@require_http_methods(["GET", "POST"])
def third_party_edit(
    request: HttpRequest, org: str, service_id: int, project: str | None = None
) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    service = get_third_party_service(scope, service_id)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = ThirdPartyServiceForm(data, files, organization=scope.organization, service=service)
    if data is not None and form.is_valid():
        try:
            third_party_service_update(
                service=service,
                name=form.cleaned_data["name"],
                actor=request.user,
                **form.details(),
            )
        except ValidationError as error:
            form.add_error("version", error)
        except IntegrityError:
            form.add_error("name", "A third-party service of this name and major version exists.")
        else:
            messages.success(request, f"Saved {service}.")
            return redirect(service_url(scope, "third-party-detail", service))
    return render_in_scope(
        request, TEMPLATES + "edit.html", scope, {"form": form, "service": service}, section=SECTION
    )


@require_http_methods(["GET", "POST"])
def third_party_listing(
    request: HttpRequest, org: str, service_id: int, project: str | None = None
) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    service = get_third_party_service(scope, service_id)
    detail_url = service_url(scope, "third-party-detail", service)
    answer = set_listed(request, scope, service, back_url=detail_url, section=SECTION)
    return answer or redirect(detail_url)


@require_http_methods(["GET", "POST"])
def third_party_delete(
    request: HttpRequest, org: str, service_id: int, project: str | None = None
) -> HttpResponse:
    scope = get_admin_scope(request, org, project)
    service = get_third_party_service(scope, service_id)
    connections = list(
        service.connections.select_related("project", "component").order_by(Lower("name"))
    )
    if request.method == "POST" and not connections:
        try:
            service_delete(service=service, actor=request.user)
        except ValidationError:
            # A connection appeared since the page was read: show it.
            return redirect(service_url(scope, "third-party-delete", service))
        messages.success(request, f"Deleted {service}.")
        return redirect(reverse("marketplace:third-party-list", kwargs=scope.url_kwargs))
    response = render_in_scope(
        request,
        TEMPLATES + "delete.html",
        scope,
        {"service": service, "connections": connections},
        section=SECTION,
    )
    if request.method == "POST":
        response.status_code = 409  # refused: connections use the service
    return response
