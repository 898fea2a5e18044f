"""A component's component.yaml in the console: its section on the
component's page (COMPONENT_PAGE_SECTIONS) and its own page, where Admins
and Developers paste or upload the file, see each problem beside its line,
save a valid one or remove it (docs/delivery.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from console.access import Scope, get_component_for_user
from console.shell import render_in_scope

from . import services
from .manifest import Problem, check_manifest, manifest_connections
from .manifest_forms import ManifestForm
from .models import ComponentManifest

TEMPLATE = "delivery/component_yaml.html"


@dataclass(frozen=True)
class NumberedLine:
    number: int
    text: str
    problems: list[str]


def numbered_lines(text: str, problems: list[Problem]) -> list[NumberedLine]:
    """The text line by line, each with the problems found on it. A problem
    past the last line (YAML reports the end of the file) goes on the last."""
    lines = text.removesuffix("\n").split("\n")
    by_line: dict[int, list[str]] = {}
    for problem in problems:
        by_line.setdefault(min(max(problem.line, 1), len(lines)), []).append(problem.message)
    return [
        NumberedLine(number, line, by_line.get(number, []))
        for number, line in enumerate(lines, start=1)
    ]


def _saved(scope: Scope) -> ComponentManifest | None:
    return ComponentManifest.objects.filter(component_id=scope.component.pk).first()


def _page_url(scope: Scope) -> str:
    return reverse("delivery:component-yaml", kwargs=scope.url_kwargs)


def component_manifest(request: HttpRequest, scope: Scope) -> str:
    """The component.yaml section of the component's page: what the saved
    file declares and who saved it, or that every connection is delivered."""
    return render_to_string(
        "delivery/component_manifest.html",
        {"scope": scope, "manifest": _saved(scope)},
        request=request,
    )


def _render(
    request: HttpRequest,
    scope: Scope,
    manifest: ComponentManifest | None,
    form: ManifestForm | None,
    *,
    text: str,
    problems: list[Problem],
    checked_saved: bool = False,
) -> HttpResponse:
    return render_in_scope(
        request,
        TEMPLATE,
        scope,
        {
            "manifest": manifest,
            "form": form,
            "lines": numbered_lines(text, problems) if text else [],
            "problems": problems,
            # Problems of the saved file: the console changed since it was saved.
            "checked_saved": checked_saved,
            "component_url": reverse("console:component", kwargs=scope.url_kwargs),
        },
    )


@require_http_methods(["GET", "POST"])
def component_yaml(request: HttpRequest, org: str, project: str, component: str) -> HttpResponse:
    """GET shows the saved file, checked against the console as it is now;
    POST (Admins and Developers) checks the file sent and saves it when it
    has no problem, else shows it again with its problems."""
    scope = get_component_for_user(request, org, project, component)
    manifest = _saved(scope)
    if request.method == "GET":
        text = manifest.text if manifest is not None else ""
        problems = (
            check_manifest(text, manifest_connections(scope.component)).problems if text else []
        )
        form = ManifestForm(initial={"text": text}) if scope.can_write else None
        return _render(
            request, scope, manifest, form, text=text, problems=problems, checked_saved=True
        )

    scope.require_write()
    form = ManifestForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, scope, manifest, form, text="", problems=[])
    text = form.manifest_text
    check = check_manifest(text, manifest_connections(scope.component))
    if not check.is_valid:
        # An upload's text goes into the text box, to be corrected there.
        return _render(
            request,
            scope,
            manifest,
            ManifestForm(initial={"text": text}),
            text=text,
            problems=check.problems,
        )
    services.component_manifest_save(
        component=scope.component, text=text, declared=check.declared, actor=request.user
    )
    count = len(check.declared["references"])
    messages.success(
        request,
        f"Saved component.yaml. Delivery now gives {scope.component.name} the "
        f"{count} connection{'s' if count != 1 else ''} it declares.",
    )
    return redirect(_page_url(scope))


@require_POST
def component_yaml_remove(
    request: HttpRequest, org: str, project: str, component: str
) -> HttpResponse:
    scope = get_component_for_user(request, org, project, component)
    scope.require_write()
    if services.component_manifest_remove(component=scope.component, actor=request.user):
        messages.success(
            request,
            f"Removed component.yaml. Delivery gives {scope.component.name} every connection "
            "it sees again.",
        )
    else:
        messages.info(request, f"{scope.component.name} had no component.yaml.")
    return redirect(_page_url(scope))
