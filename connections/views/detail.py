"""The connection page and what it offers: reveal a secret (or the one a
rotation replaced, while it is still accepted), edit, delete. Rotate is in
rotate.py.

Editing a project connection from a component-level URL is allowed: it is
the same connection, and a writer who found it on their component's page
should not have to go looking for the project page first. The edit page
says that the change reaches every component of the project.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.access import Scope
from console.shell import render_in_scope, render_page_or_fragment

from .. import services
from ..access import get_scope_and_connection_for_user
from ..forms import ConnectionEditForm, SecretRevealForm
from ..guide import developer_guide, guide_variables
from ..history import describe_event, history_of
from ..models import Connection, ConnectionBinding
from ..naming import variable_name
from ..resolution import ResolvedValue, resolve, rotatable_keys
from ..status import connection_status
from ..upgrade import upgrade_offer

EVENTS_SHOWN = 50


def detail_url(scope: Scope, connection: Connection) -> str:
    """The connection page, at the level of ``scope`` (the other screens' way back)."""
    return reverse(
        "connections:detail", kwargs={**scope.url_kwargs, "connection_id": connection.public_id}
    )


def _service_url(scope: Scope, connection: Connection, visible: bool) -> str:
    """The service's marketplace page, or "" when the connection's scope no
    longer sees it. At this page's level, unless the service is this
    component's own (its marketplace leaves those out): then the project's."""
    if not visible:
        return ""
    kwargs = scope.url_kwargs
    if scope.component is not None and connection.service.provider_component_id == (
        scope.component.pk
    ):
        kwargs = {"org": kwargs["org"], "project": kwargs["project"]}
    return reverse("marketplace:service", kwargs={**kwargs, "service_id": connection.service_id})


def _page_context(scope: Scope, connection: Connection, revealed: dict | None = None) -> dict:
    status = connection_status(connection)
    environments = resolve(connection, [each.environment for each in status.environments])
    statuses = {each.environment.pk: each for each in status.environments}
    events = list(history_of(connection)[:EVENTS_SHOWN])
    for event in events:
        event.sentence = describe_event(event)
    return {
        "connection": connection,
        "environments": environments,
        # None for an environment added between the two reads.
        "environment_sections": [
            (resolved, statuses.get(resolved.environment.pk)) for resolved in environments
        ],
        "guide": developer_guide(connection, environments, scope.component),
        "upgrade": upgrade_offer(scope, connection, status.newer),
        "service_url": _service_url(scope, connection, status.service_visible),
        "events": events,
        "revealed": revealed,
    }


def _cell_value(connection: Connection, binding: ConnectionBinding, key: str) -> ResolvedValue:
    """The secret's cell as the page shows it (with the replaced value and
    Rotate for a generated one), from the binding already read: no query."""
    if key not in rotatable_keys(connection.auth_scheme):
        return ResolvedValue(key, variable_name(connection.name, key), None, secret=True)
    previous = binding.previous_credential(key, timezone.now()) or None
    return ResolvedValue(
        key,
        variable_name(connection.name, key),
        binding.credential(key),
        secret=True,
        previous=previous,
        previous_valid_until=binding.previous_valid_until if previous else None,
        rotatable=True,
    )


@require_GET
def connection_detail(
    request: HttpRequest,
    org: str,
    project: str,
    connection_id: UUID,
    component: str | None = None,
) -> HttpResponse:
    scope, connection = get_scope_and_connection_for_user(
        request, org, project, connection_id, component
    )
    return render_in_scope(
        request,
        "connections/detail.html",
        scope,
        _page_context(scope, connection),
        section="connections",
    )


@never_cache  # The answer holds a plaintext secret: no cache may keep it.
@require_POST
def connection_reveal(
    request: HttpRequest,
    org: str,
    project: str,
    connection_id: UUID,
    component: str | None = None,
) -> HttpResponse:
    scope, connection = get_scope_and_connection_for_user(
        request, org, project, connection_id, component
    )
    scope.require_write()
    form = SecretRevealForm(request.POST)
    if not form.is_valid():
        raise Http404("No such secret.")
    key = form.cleaned_data["key"]
    binding = (
        connection.bindings.select_related("environment")
        .filter(environment__handle=form.cleaned_data["environment"])
        .first()
    )
    if binding is None:
        raise Http404("No such environment.")
    # "previous": the value a rotation replaced, shown below the current one.
    previous = request.POST.get("which") == "previous"
    try:
        plaintext = services.connection_secret_reveal(
            connection=connection, binding=binding, key=key, actor=request.user, previous=previous
        )
    except ValidationError as error:
        raise Http404("No such secret.") from error

    revealed = {
        "environment": binding.environment.handle,
        "key": key,
        "value": plaintext,
        "previous": previous,
    }
    # Without JavaScript the whole page comes back with that one value shown;
    # HTMX swaps only its cell, which needs none of the page's queries.
    return render_page_or_fragment(
        request,
        "connections/detail.html",
        scope,
        lambda: _page_context(scope, connection, revealed),
        fragment="connections/detail.html#value-cell",
        fragment_context={
            "connection": connection,
            "environment": binding.environment,
            "value": _cell_value(connection, binding, key),
            "revealed": revealed,
        },
        section="connections",
    )


@require_http_methods(["GET", "POST"])
def connection_edit(
    request: HttpRequest,
    org: str,
    project: str,
    connection_id: UUID,
    component: str | None = None,
) -> HttpResponse:
    scope, connection = get_scope_and_connection_for_user(
        request, org, project, connection_id, component
    )
    scope.require_write()
    bindings = list(connection.bindings.select_related("environment", "endpoint"))
    form = ConnectionEditForm(
        request.POST if request.method == "POST" else None,
        connection=connection,
        bindings=bindings,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_update(
                connection=connection,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                endpoints=form.endpoint_mapping(),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if form.has_changed():
                messages.success(request, "The connection was saved.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect(detail_url(scope, connection))
    return render_in_scope(
        request,
        "connections/edit.html",
        scope,
        {"connection": connection, "form": form, "cancel_url": detail_url(scope, connection)},
        section="connections",
    )


@require_http_methods(["GET", "POST"])
def connection_delete(
    request: HttpRequest,
    org: str,
    project: str,
    connection_id: UUID,
    component: str | None = None,
) -> HttpResponse:
    scope, connection = get_scope_and_connection_for_user(
        request, org, project, connection_id, component
    )
    scope.require_write()
    if request.method == "POST":
        name = connection.name
        services.connection_delete(connection=connection, actor=request.user)
        messages.success(request, f"The connection “{name}” was deleted.")
        return redirect(reverse("connections:list", kwargs=scope.url_kwargs))
    return render_in_scope(
        request,
        "connections/delete.html",
        scope,
        {
            "connection": connection,
            "variables": [v.variable for v in guide_variables(connection)],
            "cancel_url": detail_url(scope, connection),
        },
        section="connections",
    )
