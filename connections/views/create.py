"""Create Connection, the seed's steps 3 to 6.

+ Create opens the marketplace view of the services visible from the scope;
a service's card opens its form. An internal service takes two steps (Name
and Description, Next; the Service URL of every environment, Create); a
third-party service one (Name, Description and the Environment to Endpoint
Mapping, Create). Every value is checked again at Create, inside
connection_create's transaction.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from console.access import Scope, get_scope_for_user
from console.shell import render_page_or_fragment
from marketplace.access import get_catalog_scope_for_user, get_service_for_user
from marketplace.browsing import browse_context

from ..forms import ConnectionCreateForm
from ..models import Connection
from ..naming import NAME_MAX_LENGTH
from ..services import connection_create

WIZARD = "connections/create.html"


@require_GET
def create_browse(
    request: HttpRequest, org: str, project: str, component: str | None = None
) -> HttpResponse:
    scope = get_catalog_scope_for_user(request, org, project, component)
    scope.require_write()
    context = {**browse_context(request, scope), "card_url": "connections:create-form"}
    return render_page_or_fragment(
        request,
        "connections/create_browse.html",
        scope,
        context,
        fragment="marketplace/_browse.html#browse-body",
        section="connections",
    )


def _service_urls(service, environments) -> list[tuple]:
    """(environment, URL or None) in promotion order: step 2's Service URLs."""
    deployed = {d.environment_id: d.url for d in service.deployments.all()}
    return [(environment, deployed.get(environment.pk)) for environment in environments]


def _created_by_this_form(scope: Scope, token: str | None) -> Connection | None:
    try:
        token_uuid = UUID(str(token))
    except ValueError:
        return None
    return Connection.objects.filter(creation_token=token_uuid, project=scope.project).first()


def _to_connection(request: HttpRequest, scope: Scope, connection: Connection) -> HttpResponse:
    url = reverse(
        "connections:detail", kwargs={**scope.url_kwargs, "connection_id": connection.public_id}
    )
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _render_wizard(request: HttpRequest, scope: Scope, context: dict) -> HttpResponse:
    return render_page_or_fragment(
        request, WIZARD, scope, context, fragment=f"{WIZARD}#wizard", section="connections"
    )


@require_http_methods(["GET", "POST"])
def create_form(
    request: HttpRequest,
    org: str,
    project: str,
    service_id: int,
    component: str | None = None,
) -> HttpResponse:
    scope = get_scope_for_user(request, org, project, component)
    scope.require_write()
    # Only services still listed and visible from here may be connected to.
    service = get_service_for_user(scope, service_id, listed_only=True)
    environments = list(scope.organization.environments.all())
    form = ConnectionCreateForm(
        request.POST or None,
        # A name proposed by the link that opened the form (the connection
        # page's side-by-side upgrade); the form checks it like any other.
        initial={"name": request.GET.get("name", "")[:NAME_MAX_LENGTH]},
        project=scope.project,
        component=scope.component,
        service=service,
        environments=environments,
    )
    action = request.POST.get("action", "")
    if request.method == "POST":
        already = _created_by_this_form(scope, request.POST.get("request_token"))
        if already is not None:
            # The same form sent again (a double click, a resubmitted page):
            # show what the first submit made.
            return _to_connection(request, scope, already)
    step = "details"
    if request.method == "POST" and action != "back" and form.is_valid():
        if service.is_internal and action != "create":
            step = "urls"
        else:
            try:
                connection = connection_create(
                    project=scope.project,
                    component=scope.component,
                    service=service,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    endpoints=form.endpoint_mapping(),
                    created_by=request.user,
                    creation_token=form.cleaned_data["request_token"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"The connection “{connection.name}” was created.")
                return _to_connection(request, scope, connection)
    context = {
        "service": service,
        "form": form,
        "step": step,
        "service_urls": _service_urls(service, environments) if service.is_internal else [],
    }
    return _render_wizard(request, scope, context)
