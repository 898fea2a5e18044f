"""Junction served by real gunicorn processes against the test database, and
a visitor that talks to them over HTTP with its own cookies, for the tests
that need more than one process (several instances, database faults, load).

The servers run tooling/loadtest's ``start_gunicorn``, as ``python -m
tooling.loadtest`` does. The test must use ``transactional_db``: the servers read
only what the test has committed.
"""

from __future__ import annotations

from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse

from console.models import Role
from marketplace.models import Security, Visibility
from tests import factories
from tooling.loadtest import (
    Gunicorn,
    Response,
    database_url,
    http_request,
    serving_environment,
    start_gunicorn,
)


class Servers:
    """gunicorn processes serving the test database; ``stop_all`` in a
    fixture finalizer, so none outlives its test (nor keeps the test
    database open when pytest-django flushes or drops it)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[Gunicorn] = []

    def start(self, *, workers: int = 1, port: int | None = None, **environment: str) -> Gunicorn:
        """``port``: a known one (a server that must know its own address,
        JUNCTION_PUBLIC_URL, before it starts); else the kernel's pick."""
        url = database_url(connection.settings_dict)
        server = start_gunicorn(
            environment={**serving_environment(url), **environment},
            log_path=self.folder / f"gunicorn-{len(self.started) + 1}.log",
            workers=workers,
            port=port,
        )
        self.started.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values[found["name"]] = found.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    """The hidden fields of a page's forms (CSRF token, request token)."""
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.values


class Visitor:
    """A browser reduced to its cookies: they go to whichever server is
    asked, as a browser sends a host's cookies to every port of it.
    Redirects are not followed, so a test sees a redirect to the login page."""

    def __init__(self, headers: dict[str, str] | None = None) -> None:
        self.cookies: dict[str, str] = {}
        # Sent with every request, as a proxy in front would add them.
        self.headers = headers or {}

    def request(
        self, server: Gunicorn, method: str, path: str, form: dict | None = None
    ) -> Response:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = http_request(server.base_url, method, path, body=body, headers=headers)
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(morsel.key, None)
                    else:
                        self.cookies[morsel.key] = morsel.value
        return response

    def get(self, server: Gunicorn, path: str) -> Response:
        return self.request(server, "GET", path)

    def post(self, server: Gunicorn, path: str, form: dict) -> Response:
        return self.request(server, "POST", path, form)

    def sign_in(self, server: Gunicorn, username: str, password: str) -> Response:
        """Through the login form, CSRF token and all."""
        login = reverse("login")
        page = self.get(server, login)
        assert page.status == 200, page.status
        form = {**hidden_inputs(page.body), "username": username, "password": password}
        return self.post(server, login, form)


# The marks of a test that serves the test database to other processes: only
# PostgreSQL's can be reached from them (SQLite's is one in-memory connection).
SERVED_DATABASE = [
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs a test database other processes can reach (PostgreSQL)",
    ),
]


def served_database(test):
    """SERVED_DATABASE's marks on one test of a module that has others."""
    for mark in SERVED_DATABASE:
        test = mark(test)
    return test


def make_served_scene(organization, project) -> tuple:
    """An Admin, alice, and an OAuth 2.0 service of another project that
    ``project`` may connect to: a create writes encrypted credentials into
    every binding. Returns (alice, project, service)."""
    user = factories.make_user("alice")
    factories.add_member(user, organization, Role.ADMIN)
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    service = factories.make_internal_service(
        provider, "employees", Visibility.ORGANIZATION, security=Security.OAUTH2
    )
    return user, project, service
