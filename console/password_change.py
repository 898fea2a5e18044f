"""The first log-in of a local account: its user must replace the one-time
password an Admin was shown before doing anything else.

The flag lives in the database (console.models.PasswordChangeRequired) and
is copied into the session when its user logs in, so that the middleware
reads the session it already has instead of querying on every request. The
copy cannot go stale: only a password change clears the flag, and a
password change ends every other session of the user (Django's session
hash), while the one that made it forgets the flag itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .models import PasswordChangeRequired

SESSION_KEY = "junction_password_change_required"
# The pages such a user may still reach: the change itself and logging out.
ALLOWED_URL_NAMES = ("console:password-change", "logout")


def remember_at_login(request: HttpRequest, user) -> bool:
    """Copy the user's flag into their new session; True when it is set."""
    required = PasswordChangeRequired.objects.filter(user_id=user.pk).exists()
    if required:
        request.session[SESSION_KEY] = True
    return required


def is_required(request: HttpRequest) -> bool:
    return bool(request.session.get(SESSION_KEY))


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def password_change_first(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Send a user who must change their password to the page that does it,
    from every other page; an HTMX request navigates the whole window there."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not is_required(request):
            return get_response(request)
        if request.path in {reverse(name) for name in ALLOWED_URL_NAMES}:
            return get_response(request)
        target = reverse("console:password-change")
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(target)
        return redirect(target)

    return middleware
