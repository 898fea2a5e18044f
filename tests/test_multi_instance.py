"""Two app servers sharing one PostgreSQL, as an organization that outgrows
one machine runs Junction: two gunicorn processes on different
ports, the same test database. What one writes the other shows, and a
session started on one is valid on the other (sessions live in the
database, signed with the shared secret key).

PostgreSQL only: the test database must be reachable from other processes,
which SQLite's in-memory test database is not.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse

from connections.models import Connection
from tests.serving import SERVED_DATABASE, Visitor, hidden_inputs, make_served_scene

pytestmark = SERVED_DATABASE

PASSWORD = "a-password-for-two-servers"


@pytest.fixture
def scene(organization, project):
    # The suite hashes passwords with MD5 for speed, which the servers'
    # settings do not accept: store this one as production would.
    user, project, service = make_served_scene(organization, project)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    return project, service


def _at_project(project) -> dict[str, str]:
    return {"org": project.organization.handle, "project": project.handle}


def test_it_lists_on_one_instance_a_connection_created_through_the_other(servers, scene):
    project, service = scene
    first, second = servers.start(), servers.start()
    assert first.port != second.port
    visitor = Visitor()
    assert visitor.sign_in(first, "alice", PASSWORD).status == 302

    form_path = reverse(
        "connections:create-form", kwargs={**_at_project(project), "service_id": service.pk}
    )
    form_page = visitor.get(first, form_path)
    assert form_page.status == 200
    created = visitor.post(
        first,
        form_path,
        {
            **hidden_inputs(form_page.body),
            "name": "Employees Directory",
            "description": "Made on the first server.",
            "action": "create",
        },
    )

    assert created.status == 302, created.body[:2000]
    connection = Connection.objects.get(name="Employees Directory")
    assert connection.project_id == project.pk
    listing = visitor.get(second, reverse("connections:list", kwargs=_at_project(project)))
    assert listing.status == 200
    assert "Employees Directory" in listing.body
    # The page the first server sent the visitor to opens on the second,
    # credentials and all (both decrypt with the same keys).
    detail = visitor.get(second, created.header("Location"))
    assert detail.status == 200
    assert "CHOREO_EMPLOYEES_DIRECTORY_CONSUMERSECRET" in detail.body


def test_it_accepts_on_one_instance_the_session_started_on_the_other(servers, scene):
    project, _ = scene
    first, second = servers.start(), servers.start()
    page = reverse("connections:list", kwargs=_at_project(project))
    visitor = Visitor()

    assert visitor.sign_in(first, "alice", PASSWORD).status == 302

    assert "sessionid" in visitor.cookies
    assert visitor.get(second, page).status == 200
    # Without the cookie the second server sends a visitor to the login
    # page: the 200 above is the session's doing.
    stranger = Visitor().get(second, page)
    assert stranger.status == 302
    assert stranger.header("Location").startswith(reverse("login"))

    # Logging out on the second server ends the session on the first too.
    logged_out = visitor.post(
        second, reverse("logout"), {"csrfmiddlewaretoken": visitor.cookies["csrftoken"]}
    )
    assert logged_out.status == 302
    assert visitor.get(first, page).status == 302
