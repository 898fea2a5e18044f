"""The project's error handlers (handler400, 403, 404 and 500 in
junction/urls.py, and CSRF_FAILURE_VIEW): the machine endpoints answer their
clients in JSON, everyone else gets a page of the console (console/errors.py).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from console.errors import error_page, reason_of, server_error_page
from oauth.errors import json_error

# The configuration endpoint (delivery/api.py) and the authorization server
# (oauth/views.py) speak JSON to programs, whatever goes wrong.
MACHINE_PATH_PREFIXES = ("/api/", "/oauth2/", "/.well-known/")

CSRF_TITLE = "This form has expired"
CSRF_EXPLANATION = (
    "It was sent without the security token its page was given: the page may have been "
    "open since before you last logged in. Go back, reload the page and send it again."
)


def _for_machines(request: HttpRequest) -> bool:
    return request.path.startswith(MACHINE_PATH_PREFIXES)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if _for_machines(request):
        return json_error(400, "invalid_request", "The request cannot be read.")
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if _for_machines(request):
        return json_error(403, "access_denied", "Not allowed.")
    return error_page(request, 403, reason=reason_of(exception))


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    if _for_machines(request):
        return json_error(404, "not_found", "No such endpoint.")
    return error_page(request, 404, reason=reason_of(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    if _for_machines(request):
        return json_error(500, "server_error", "The server could not answer; try again later.")
    return server_error_page(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token. Django's ``reason`` is for
    developers (DEBUG shows its own page); people get what to do."""
    if _for_machines(request):
        return json_error(403, "access_denied", "CSRF verification failed.")
    return error_page(request, 403, title=CSRF_TITLE, explanation=CSRF_EXPLANATION)
