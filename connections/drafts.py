"""Create Connection's draft: the Name and Description typed in its form,
kept in the session under the form's address (its scope and service).

The wizard's steps have addresses of their own (step 2 is ``?step=urls``),
so that browser Back, Forward and reload move between the steps; a step
read again from its address shows what was typed from the draft. Only
what the form would accept is kept, and only the newest few forms.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest

from .models import Connection
from .naming import NAME_MAX_LENGTH

SESSION_KEY = "connection_create_drafts"
KEPT = 10
FIELDS = {
    "name": NAME_MAX_LENGTH,
    "description": Connection._meta.get_field("description").max_length,
}


def _fields(typed: Mapping[str, str]) -> dict[str, str]:
    return {name: str(typed.get(name, ""))[:limit] for name, limit in FIELDS.items()}


def read_draft(request: HttpRequest) -> dict[str, str] | None:
    """What was typed in the form at ``request.path``, if anything was kept."""
    draft = request.session.get(SESSION_KEY, {}).get(request.path)
    return _fields(draft) if isinstance(draft, dict) else None


def keep_draft(request: HttpRequest, typed: Mapping[str, str]) -> None:
    """Keep the form's Name and Description (cut to what the form accepts)."""
    drafts = {
        path: draft
        for path, draft in request.session.get(SESSION_KEY, {}).items()
        if path != request.path
    }
    drafts[request.path] = _fields(typed)
    # Dicts keep their order: the newest form last, the oldest dropped first.
    request.session[SESSION_KEY] = dict(list(drafts.items())[-KEPT:])


def drop_draft(request: HttpRequest) -> None:
    drafts = request.session.get(SESSION_KEY, {})
    if request.path in drafts:
        request.session[SESSION_KEY] = {p: d for p, d in drafts.items() if p != request.path}
