"""Middleware of the console."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect


def no_store_when_signed_in(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Every answer to a signed-in user is for that user alone, and some carry
    secrets (a connection's revealed values): no browser or proxy keeps one.
    Static files never get here (WhiteNoise answers them first), so they
    stay cacheable."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response

    return middleware


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, but an HTMX request whose session has expired sends the whole
    page to the log-in page (``HX-Redirect``), and log-in returns to the page
    the person was on. A plain redirect would be followed by the browser's
    XMLHttpRequest and the log-in page swapped into the part of the page that
    asked (the wizard's card, under a header still naming the person)."""

    def handle_no_permission(self, request: HttpRequest, view_func: Callable) -> HttpResponse:
        if not getattr(request, "htmx", False):
            return super().handle_no_permission(request, view_func)
        login_url = resolve_url(self.get_login_url(view_func))
        to_login = redirect_to_login(
            _page_the_person_is_on(request), login_url, self.get_redirect_field_name(view_func)
        )
        return HttpResponseClientRedirect(to_login.url)


def _page_the_person_is_on(request: HttpRequest) -> str:
    """The address bar's path (htmx's HX-Current-URL, if it is of this site),
    not the URL of the fragment or form the request went to."""
    if current := request.htmx.current_url_abs_path:
        return current
    return request.get_full_path() if request.method == "GET" else "/"
