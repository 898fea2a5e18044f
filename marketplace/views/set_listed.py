"""Remove from Marketplace / add back: one shape for third-party services
and published endpoints alike. Adding back is one click; removing is never
one: it shows who uses the service first, and is done by the confirmation's
button (which sends UNLIST_CONFIRMED)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from console.access import Scope
from console.shell import render_in_scope

from ..changes import UNLISTED, ImpactCheck, change_service, impact_of
from ..models import Service
from ..services import service_set_listed

UNLIST_CONFIRMED = "confirmed"


def set_listed(
    request: HttpRequest, scope: Scope, service: Service, *, back_url: str, section: str
) -> HttpResponse | None:
    """The confirmation of a removal (a GET, or a POST of listed=0 not sent
    by it); else set ``listed`` from the POST (listed=1 or listed=0) and say
    so: a 400 for any other value, None when done (the caller redirects)."""
    listed = request.POST.get("listed")
    if request.method == "GET" or (listed == "0" and request.POST.get(UNLIST_CONFIRMED) != "1"):
        return _unlist_confirmation(request, scope, service, back_url=back_url, section=section)
    if listed not in ("0", "1"):
        return HttpResponseBadRequest("Say listed=1 to list it, listed=0 to remove it.")
    if listed == "1":
        service_set_listed(service=service, listed=True, actor=request.user)
        messages.success(request, f"{service} is back in the marketplace.")
        return None
    # Its connections keep working: no typed number, but each is told.
    _, impact = change_service(
        service=service,
        changes=[UNLISTED] if service.listed else [],
        actor=request.user,
        typed=None,
        write=lambda: service_set_listed(service=service, listed=False, actor=request.user),
    )
    messages.success(
        request,
        f"{service} is removed from the marketplace; its connections keep working."
        f"{impact.recorded}",
    )
    return None


def _unlist_confirmation(
    request: HttpRequest, scope: Scope, service: Service, *, back_url: str, section: str
) -> HttpResponse:
    return render_in_scope(
        request,
        "marketplace/unlist.html",
        scope,
        {
            "service": service,
            "back_url": back_url,
            "impact_check": ImpactCheck(impact_of(service, [UNLISTED])) if service.listed else None,
        },
        section=section,
    )
