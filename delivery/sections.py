"""What delivery shows on the console's pages, through their extension
points in settings: the Runtime tokens section of a component's page
(COMPONENT_PAGE_SECTIONS) and of a project's (PROJECT_PAGE_SECTIONS), with
the latest pulls: who took which secrets when."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from console.access import Scope

from .models import ConfigPull, RuntimeToken
from .views import config_url

# A section, not a list page: the newest tokens and pulls; older pulls stay
# in each connection's history.
TOKENS_SHOWN = 50
PULLS_SHOWN = 10


def _runtime_tokens(request: HttpRequest, scope: Scope) -> str:
    tokens = list(
        RuntimeToken.objects.at(scope.project, scope.component).select_related("environment")[
            : TOKENS_SHOWN + 1
        ]
    )
    pulls = ConfigPull.objects.filter(project_id=scope.project.pk)
    if scope.component is None:
        pulls = pulls.filter(component__isnull=True)
    else:
        pulls = pulls.filter(component_id=scope.component.pk)
    now = timezone.now()
    return render_to_string(
        "delivery/runtime_tokens.html",
        {
            "scope": scope,
            "tokens": [(token, token.status(now)) for token in tokens[:TOKENS_SHOWN]],
            "more_tokens": len(tokens) > TOKENS_SHOWN,
            "pulls": list(pulls.select_related("token")[:PULLS_SHOWN]),
            "config_url": config_url(),
        },
        request=request,
    )


def component_runtime(request: HttpRequest, scope: Scope) -> str:
    return _runtime_tokens(request, scope)


def project_runtime(request: HttpRequest, scope: Scope) -> str:
    return _runtime_tokens(request, scope)
