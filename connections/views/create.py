"""Create Connection, the seed's steps 3 to 6.

+ Create opens the marketplace view of the services visible from the scope;
a service's card opens its form. An internal service takes two steps (Name
and Description, Next; the Service URL of every environment, Create); a
third-party service one (Name, Description and the Environment to Endpoint
Mapping, Create). Every value is checked again at Create, inside
connection_create's transaction. Each step has its own address and what was
typed is kept in a draft (connections/drafts.py): browser Back, Forward and
reload keep the wizard's state.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from console.access import Scope, get_scope_for_user
from console.forms.focus import focus_first_field
from console.shell import render_page_or_fragment
from marketplace.access import get_catalog_scope_for_user, get_service_for_user
from marketplace.browsing import browse_context, browse_url_state

from ..drafts import drop_draft, keep_draft, read_draft
from ..forms import ConnectionCreateForm, ConnectionDetailsForm
from ..models import Connection
from ..naming import NAME_MAX_LENGTH
from ..services import connection_create

WIZARD = "connections/create.html"
# Step 2's address: the wizard's steps are pages of their own (connections/drafts.py).
SERVICE_URL_STEP = "?step=urls"
GONE = "connections/create_gone.html"


@require_GET
def create_browse(
    request: HttpRequest, org: str, project: str, component: str | None = None
) -> HttpResponse:
    scope = get_catalog_scope_for_user(request, org, project, component)
    scope.require_write()
    return render_page_or_fragment(
        request,
        "connections/create_browse.html",
        scope,
        lambda: {**browse_context(request, scope), "card_url": "connections:create-form"},
        fragment="marketplace/_browse.html#browse-body",
        section="connections",
        url_state=browse_url_state(request),
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


def _moved_to(request: HttpRequest, action: str, step: str) -> str | None:
    """The address of the step that Next or Back moved to: a new history
    entry (pushed by htmx, or the page a redirect leads to without
    JavaScript), so that browser Back and Forward move between the steps."""
    if request.method != "POST":
        return None
    if action == "next" and step == "urls":
        return request.path + SERVICE_URL_STEP
    if action == "back":
        return request.path
    return None


def _service_gone(request: HttpRequest, scope: Scope, service_id: int) -> HttpResponse:
    """The form again, without its service: it left the marketplace (or the
    scope's sight) while the form was open. What was typed is kept, the page
    says why and offers the marketplace; a 404, as the form's URL now is."""
    try:
        # Removed from the marketplace but still visible here: it may be named.
        unlisted = get_service_for_user(scope, service_id)
    except Http404:
        unlisted = None
    typed = {field: request.POST.get(field, "") for field in ("name", "description")}
    context = {"unlisted": unlisted, "form": ConnectionDetailsForm(initial=typed)}
    response = render_page_or_fragment(
        request,
        GONE,
        scope,
        context,
        fragment=f"{GONE}#wizard",
        section="connections",
    )
    response.status_code = 404
    return response


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
    try:
        service = get_service_for_user(scope, service_id, listed_only=True)
    except Http404:
        return _service_gone(request, scope, service_id)
    environments = list(scope.organization.environments.all())
    draft = read_draft(request)
    data = request.POST or None
    action = request.POST.get("action", "")
    if (
        request.method == "GET"
        and service.is_internal
        and draft is not None
        and request.GET.get("step") == "urls"
    ):
        # Step 2 read from its address (reload, Forward, Back from the
        # connection): step 1's Next again, with what was typed.
        data, action = {**draft, "request_token": str(uuid4())}, "next"
    if "name" in request.GET:
        # A name proposed by the link that opened the form (the connection
        # page's side-by-side upgrade); the form checks it like any other.
        initial = {"name": request.GET["name"][:NAME_MAX_LENGTH]}
    else:
        initial = draft or {}
    form = ConnectionCreateForm(
        data,
        initial=initial,
        project=scope.project,
        component=scope.component,
        service=service,
        environments=environments,
    )
    if request.method == "POST":
        already = _created_by_this_form(scope, request.POST.get("request_token"))
        if already is not None:
            # The same form sent again (a double click, a resubmitted page):
            # show what the first submit made.
            return _to_connection(request, scope, already)
        keep_draft(request, request.POST)
    step = "details"
    if form.is_bound and action != "back" and form.is_valid():
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
                drop_draft(request)
                messages.success(request, f"The connection “{connection.name}” was created.")
                return _to_connection(request, scope, connection)
    moved_to = _moved_to(request, action, step)
    if moved_to and not request.htmx:
        return HttpResponseRedirect(moved_to, status=303)
    if step == "details":
        focus_first_field(form)
    context = {
        "service": service,
        "form": form,
        "step": step,
        "service_urls": _service_urls(service, environments) if service.is_internal else [],
    }
    response = _render_wizard(request, scope, context)
    if moved_to:
        response["HX-Push-Url"] = moved_to
    return response
