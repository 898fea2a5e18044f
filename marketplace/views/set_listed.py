"""Remove from Marketplace / add back: one POST shape for third-party
services and published endpoints alike."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBadRequest

from ..changes import UNLISTED, change_service
from ..models import Service
from ..services import service_set_listed


def set_listed_from_post(request: HttpRequest, service: Service) -> HttpResponseBadRequest | None:
    """Set ``listed`` from the POST (listed=1 or listed=0) and say so; a 400
    for any other value, None when done (the caller redirects)."""
    listed = request.POST.get("listed")
    if listed not in ("0", "1"):
        return HttpResponseBadRequest("Say listed=1 to list it, listed=0 to remove it.")
    if listed == "1":
        service_set_listed(service=service, listed=True)
        messages.success(request, f"{service} is back in the marketplace.")
        return None
    # Its connections keep working: no confirmation, but each is told.
    _, impact = change_service(
        service=service,
        changes=[UNLISTED] if service.listed else [],
        actor=request.user,
        typed=None,
        write=lambda: service_set_listed(service=service, listed=False),
    )
    messages.success(
        request,
        f"{service} is removed from the marketplace; its connections keep working."
        f"{impact.recorded}",
    )
    return None
