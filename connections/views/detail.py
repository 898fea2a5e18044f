"""The connection page and what it offers: reveal a secret, edit, delete.

Editing a project connection from a component-level URL is allowed: it is
the same connection, and a writer who found it on their component's page
should not have to go looking for the project page first. The edit page
says that the change reaches every component of the project.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.access import Scope, get_scope_for_user
from console.models import Component, ComponentType
from console.shell import render_in_scope, render_page_or_fragment

from .. import services
from ..access import get_connection_for_user
from ..forms import ConnectionEditForm, SecretRevealForm
from ..models import AuthScheme, Connection, ConnectionEvent, EventAction
from ..naming import variable_name
from ..resolution import ResolvedEnvironment, ResolvedValue, resolve

EVENTS_SHOWN = 50


# --- The inline developer guide -------------------------------------------

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")
_YAML_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.\-/:]*")
# Words YAML 1.1 readers turn into booleans or null when left unquoted.
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
_JS_RESERVED_WORDS = (
    "break case catch class const continue debugger default delete do else enum export "
    "extends false finally for function if import in instanceof let new null return static "
    "super switch this throw true try typeof var void while with yield await"
)
_JS_RESERVED = frozenset(_JS_RESERVED_WORDS.split())


@dataclass(frozen=True)
class GuideVariable:
    key: str
    variable: str
    secret: bool
    python_name: str
    js_name: str


def _words(key: str) -> list[str]:
    return [word.lower() for word in _NOT_WORD.split(_CAMEL_BOUNDARY.sub(" ", key)) if word]


def _python_name(words: list[str]) -> str:
    name = "_".join(words) or "value"
    if name[0].isdigit():
        name = "value_" + name
    return name + "_" if keyword.iskeyword(name) else name


def _js_name(words: list[str]) -> str:
    name = (words[0] + "".join(word.capitalize() for word in words[1:])) if words else "value"
    if name[0].isdigit():
        name = "value" + name
    return name + "Value" if name in _JS_RESERVED else name


def _unique(name: str, taken: set[str], separator: str) -> str:
    # Keys differ, but "apiKey" and "api_key" would make one identifier.
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}{separator}{n}", n + 1
    taken.add(candidate)
    return candidate


def _yaml_scalar(text: str) -> str:
    """``text`` as YAML reads it back: plain where that is safe, otherwise
    double-quoted (a JSON string is a valid YAML double-quoted scalar)."""
    plain = (
        _YAML_PLAIN.fullmatch(text)
        and ": " not in text
        and not text.endswith((":", " "))
        and text.lower() not in _YAML_WORDS
    )
    return text if plain else json.dumps(text)


def guide_variables(connection: Connection) -> list[GuideVariable]:
    python_taken: set[str] = set()
    js_taken: set[str] = set()
    variables = []
    for key, secret in connection.keys():  # noqa: SIM118 (a list, not a dict)
        words = _words(key)
        variables.append(
            GuideVariable(
                key=key,
                variable=variable_name(connection.name, key),
                secret=secret,
                python_name=_unique(_python_name(words), python_taken, "_"),
                js_name=_unique(_js_name(words), js_taken, ""),
            )
        )
    return variables


def developer_guide(
    connection: Connection, environments: list[ResolvedEnvironment], component: Component | None
) -> dict[str, object]:
    """The snippets of the inline developer guide, as plain text (the
    template escapes them)."""
    variables = guide_variables(connection)
    component_yaml = (
        "dependencies:\n"
        "  connectionReferences:\n"
        f"    - name: {_yaml_scalar(connection.name)}\n"
        f"      resourceRef: {_yaml_scalar(connection.service.resource_reference)}\n"
    )
    python = ["import os", ""] + [
        f"{v.python_name} = os.environ[{json.dumps(v.variable)}]" for v in variables
    ]
    javascript = [f"const {v.js_name} = process.env[{json.dumps(v.variable)}];" for v in variables]
    if connection.auth_scheme == AuthScheme.OAUTH2:
        python += ["", "# Get an access token: POST grant_type=client_credentials to token_url,"]
        python += ["# authenticating with consumer_key and consumer_secret."]
        javascript += ["", "// Get an access token: POST grant_type=client_credentials to"]
        javascript += ["// tokenUrl, authenticating with consumerKey and consumerSecret."]

    js_name_of = {v.key: v.js_name for v in variables}
    config_js = []
    for resolved in environments:
        lines = ["window.configs = {"]
        lines += [
            f"  {js_name_of.get(value.key, 'value')}: {json.dumps(value.value)},"
            for value in resolved.values
            if not value.secret
        ]
        lines.append("};")
        config_js.append(
            {"title": f"config.js ({resolved.environment.name})", "code": "\n".join(lines) + "\n"}
        )

    return {
        "variables": variables,
        "secret_keys": [v.key for v in variables if v.secret],
        "component_yaml": component_yaml,
        "python": "\n".join(python) + "\n",
        "javascript": "\n".join(javascript) + "\n",
        "config_js": config_js,
        "config_js_read": "const { "
        + ", ".join(v.js_name for v in variables if not v.secret)
        + " } = window.configs;\n",
        "at_project_level": component is None,
        "is_web_application": component is not None
        and component.type == ComponentType.WEB_APPLICATION,
    }


# --- The event history ----------------------------------------------------


def _quoted(value: object) -> str:
    return f"“{value}”" if value else "no endpoint"


def describe_event(event: ConnectionEvent) -> str:
    """One line of history in words: "dave renamed the connection from …"."""
    who = event.actor_name or "Someone"
    detail = event.detail if isinstance(event.detail, dict) else {}
    where = " in the Django admin" if detail.get("via") == "admin" else ""
    match event.action:
        case EventAction.CREATED:
            service = detail.get("service")
            return f"{who} created the connection" + (f" to {service}" if service else "")
        case EventAction.RENAMED:
            return (
                f"{who} renamed the connection from {_quoted(detail.get('from'))} "
                f"to {_quoted(detail.get('to'))}{where}"
            )
        case EventAction.DESCRIPTION_CHANGED:
            return f"{who} changed the description{where}"
        case EventAction.MAPPING_CHANGED:
            changes = detail.get("changes") if isinstance(detail.get("changes"), list) else []
            parts = [
                f"{change.get('environment')} from {_quoted(change.get('from'))} "
                f"to {_quoted(change.get('to'))}"
                for change in changes
                if isinstance(change, dict)
            ]
            return f"{who} changed the endpoint mapping: " + "; ".join(parts)
        case EventAction.SECRET_REVEALED:
            return f"{who} revealed {detail.get('key')} in {detail.get('environment')}"
        case EventAction.DELETED:
            return f"{who} deleted the connection{where}"
    return f"{who}: {event.get_action_display()}"


# --- Views ----------------------------------------------------------------


def _detail_url(scope: Scope, connection: Connection) -> str:
    return reverse(
        "connections:detail", kwargs={**scope.url_kwargs, "connection_id": connection.public_id}
    )


def _page_context(scope: Scope, connection: Connection, revealed: dict | None = None) -> dict:
    environments = resolve(connection)
    events = list(connection.events.all()[:EVENTS_SHOWN])
    for event in events:
        event.sentence = describe_event(event)
    return {
        "connection": connection,
        "environments": environments,
        "guide": developer_guide(connection, environments, scope.component),
        "events": events,
        "revealed": revealed,
    }


@require_GET
def connection_detail(
    request: HttpRequest,
    org: str,
    project: str,
    connection_id: UUID,
    component: str | None = None,
) -> HttpResponse:
    scope = get_scope_for_user(request, org, project, component)
    connection = get_connection_for_user(scope, connection_id)
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
    scope = get_scope_for_user(request, org, project, component)
    connection = get_connection_for_user(scope, connection_id)
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
    try:
        plaintext = services.connection_secret_reveal(
            connection=connection, binding=binding, key=key, actor=request.user
        )
    except ValidationError as error:
        raise Http404("No such secret.") from error

    revealed = {"environment": binding.environment.handle, "key": key, "value": plaintext}
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
            "value": ResolvedValue(key, variable_name(connection.name, key), None, secret=True),
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
    scope = get_scope_for_user(request, org, project, component)
    connection = get_connection_for_user(scope, connection_id)
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
            return redirect(_detail_url(scope, connection))
    return render_in_scope(
        request,
        "connections/edit.html",
        scope,
        {"connection": connection, "form": form, "cancel_url": _detail_url(scope, connection)},
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
    scope = get_scope_for_user(request, org, project, component)
    connection = get_connection_for_user(scope, connection_id)
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
            "cancel_url": _detail_url(scope, connection),
        },
        section="connections",
    )
