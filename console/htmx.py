"""The one place that decides whether a request gets a fragment or a page."""

from __future__ import annotations

from django.http import HttpRequest


def wants_fragment(request: HttpRequest) -> bool:
    """True for an HTMX request that swaps part of a page.

    A boosted request navigates to a whole page, and a history-restore
    request (htmx found no snapshot for back/forward) needs the whole page
    too, so both get the full template.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def page_or_fragment(request: HttpRequest, template: str, fragment: str) -> str:
    """``template`` or its ``#fragment`` partial, for the same context."""
    return f"{template}#{fragment}" if wants_fragment(request) else template
