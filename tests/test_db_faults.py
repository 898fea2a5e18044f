"""Database faults: the app's PostgreSQL sessions are terminated
(``pg_terminate_backend``) under a real gunicorn while requests run.

- The server recovers by itself: requests that start after the fault get a
  fresh connection (CONN_HEALTH_CHECKS in junction/settings.py checks a
  reused connection before a request uses it), with no restart.
- A request caught mid-query gets a plain 500 page, nothing more.
- No half-written connection is ever left: connection_create writes the
  connection, its bindings and its CREATED event in one transaction, and a
  transaction killed before it commits leaves none of them.

PostgreSQL only: the servers reach the test database from other processes.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection as db_connection
from django.urls import reverse

from connections.history import history_of
from connections.models import Connection, ConnectionBinding
from console.models import Action, ActivityEvent
from tests.serving import SERVED_DATABASE, Visitor, hidden_inputs, make_served_scene
from tooling.loadtest import Response, session_cookie

pytestmark = SERVED_DATABASE


@pytest.fixture
def scene(organization, project):
    _, project, service = make_served_scene(organization, project)
    return project, service


def _signed_in_visitor(cookie: str) -> Visitor:
    visitor = Visitor()
    name, _, key = cookie.partition("=")
    visitor.cookies[name] = key
    return visitor


def _paths(project, service) -> dict[str, str]:
    at_project = {"org": project.organization.handle, "project": project.handle}
    return {
        "list": reverse("connections:list", kwargs=at_project),
        "marketplace": reverse("marketplace:browse", kwargs=at_project),
        "create": reverse(
            "connections:create-form", kwargs={**at_project, "service_id": service.pk}
        ),
    }


def _connect(**options) -> psycopg.Connection:
    """A session of the test's own, outside the app and outside Django."""
    settings = db_connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        **options,
    )


def _django_backend_pid() -> int:
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate_app_sessions(session: psycopg.Connection) -> int:
    """Terminate every session on the test database but ``session`` itself
    and the test's own Django connection: those left are the app's."""
    rows = session.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid() AND pid <> %s",
        [db_connection.settings_dict["NAME"], _django_backend_pid()],
    ).fetchall()
    return sum(1 for (terminated,) in rows if terminated)


def _app_sessions(session: psycopg.Connection) -> int:
    return session.execute(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid() AND pid <> %s",
        [db_connection.settings_dict["NAME"], _django_backend_pid()],
    ).fetchone()[0]


def _worker_pids(server) -> set[int]:
    master = server.process.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert children, "gunicorn has no workers"
    return {int(pid) for pid in children}


def _create_form(visitor: Visitor, server, path: str, name: str) -> dict:
    page = visitor.get(server, path)
    assert page.status == 200, page.status
    return {
        **hidden_inputs(page.body),
        "name": name,
        "description": "Made while the database is cut off.",
        "action": "create",
    }


def _assert_plain_server_error(response: Response) -> None:
    assert response.status == 500, response.status
    # DEBUG is off: the console's own 500 page (console/errors.py, made
    # without the database), no traceback, no SQL.
    assert "Something went wrong on our side" in response.body
    assert "Traceback" not in response.body
    assert "SELECT" not in response.body and "INSERT" not in response.body


def _assert_every_connection_whole() -> None:
    environments = {
        connection.organization_id: set(
            connection.organization.environments.values_list("pk", flat=True)
        )
        for connection in Connection.objects.select_related("organization")
    }
    for connection in Connection.objects.all():
        bound = set(connection.bindings.values_list("environment_id", flat=True))
        assert bound == environments[connection.organization_id], connection.name
        assert history_of(connection).filter(action=Action.CREATED).count() == 1, connection.name
        for binding in connection.bindings.all():
            assert binding.consumer_key and binding.consumer_secret, connection.name


def test_it_serves_the_next_requests_after_its_database_sessions_are_terminated(servers, scene):
    project, service = scene
    paths = _paths(project, service)
    server = servers.start(workers=2)
    started_workers = _worker_pids(server)
    # Made here: in a thread, the ORM would open a database session of its own.
    cookie = session_cookie("alice")
    stop = threading.Event()
    during: list[tuple[str, Response]] = []
    lock = threading.Lock()

    def browse(index: int) -> None:
        visitor = _signed_in_visitor(cookie)
        while not stop.is_set():
            path = paths["list"] if index % 2 else paths["marketplace"]
            response = visitor.get(server, path)
            with lock:
                during.append((path, response))

    def create() -> None:
        # Writes too: some creates are bound to be cut off mid-transaction.
        visitor = _signed_in_visitor(cookie)
        number = 0
        while not stop.is_set():
            number += 1
            page = visitor.get(server, paths["create"])
            if page.status == 200:
                form = {
                    **hidden_inputs(page.body),
                    "name": f"Employees {number}",
                    "action": "create",
                }
                response = visitor.post(server, paths["create"], form)
            else:
                response = page
            with lock:
                during.append((paths["create"], response))

    workers = [threading.Thread(target=browse, args=(n,)) for n in range(3)]
    workers.append(threading.Thread(target=create))
    for thread in workers:
        thread.start()
    terminated = 0
    with _connect(autocommit=True) as admin:
        try:
            for _ in range(4):
                # Cut once the app has served a few more requests since the
                # last cut (it has sessions again), not after a fixed time.
                served = len(during)
                _wait_until(lambda served=served: len(during) >= served + 3)
                terminated += _terminate_app_sessions(admin)
        finally:
            stop.set()
            for thread in workers:
                thread.join(timeout=60)

        assert terminated >= 4  # the app had sessions to lose, each round
        # Whatever was cut off mid-request got a bare 500; everything else
        # was served (a create ends in a redirect to its connection).
        for _, response in during:
            if response.status not in (200, 302):
                _assert_plain_server_error(response)
        assert sum(1 for _, r in during if r.status in (200, 302)) > len(during) / 2

        # Now, idle: every session the app holds is cut, then it must serve
        # the very next requests, on both workers, without a restart.
        assert _app_sessions(admin) >= 1
        assert _terminate_app_sessions(admin) >= 1

    after: list[Response] = []
    visitor = _signed_in_visitor(cookie)

    def browse_after() -> None:
        visitor = _signed_in_visitor(cookie)
        for path in [paths["list"], paths["marketplace"]] * 3:
            response = visitor.get(server, path)
            with lock:
                after.append(response)

    burst = [threading.Thread(target=browse_after) for _ in range(4)]
    for thread in burst:
        thread.start()
    for thread in burst:
        thread.join(timeout=60)
    assert [response.status for response in after] == [200] * 24
    form = _create_form(visitor, server, paths["create"], "Employees After")
    assert visitor.post(server, paths["create"], form).status == 302
    # The same master and the same two workers: nothing crashed or restarted.
    assert server.process.poll() is None
    assert _worker_pids(server) == started_workers

    assert Connection.objects.filter(name="Employees After").exists()
    _assert_every_connection_whole()


def _wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the app answered too few requests under load")
        time.sleep(0.02)


def _wait_for_backend_blocked_by(session: psycopg.Connection, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = session.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = %s AND pg_backend_pid() = ANY(pg_blocking_pids(pid))",
            [db_connection.settings_dict["NAME"]],
        ).fetchone()
        if row:
            return row[0]
        time.sleep(0.05)
    raise AssertionError("no request came to wait on the test's lock")


def _tables_written_by(session: psycopg.Connection, pid: int) -> set[str]:
    rows = session.execute(
        "SELECT DISTINCT relation::regclass::text FROM pg_locks "
        "WHERE pid = %s AND locktype = 'relation' AND mode = 'RowExclusiveLock'",
        [pid],
    ).fetchall()
    return {name for (name,) in rows}


def test_it_leaves_nothing_of_a_create_whose_session_dies_before_commit(servers, scene):
    project, service = scene
    paths = _paths(project, service)
    server = servers.start(workers=1)
    visitor = _signed_in_visitor(session_cookie("alice"))
    form = _create_form(visitor, server, paths["create"], "Employees Directory")
    answer: list[Response] = []

    # The create writes its rows, then at COMMIT PostgreSQL checks the
    # bindings' deferred foreign keys, which lock the environment rows: the
    # test holds them, so the create stops there, fully written and not yet
    # committed, the worst moment to lose its session.
    with _connect() as blocker:
        blocker.execute(
            "SELECT id FROM console_environment WHERE organization_id = %s FOR UPDATE",
            [project.organization_id],
        )
        posting = threading.Thread(
            target=lambda: answer.append(visitor.post(server, paths["create"], form))
        )
        posting.start()
        pid = _wait_for_backend_blocked_by(blocker)
        assert {
            "connections_connection",
            "connections_connectionbinding",
            "console_activityevent",
        } <= _tables_written_by(blocker, pid)

        assert _terminate_app_sessions(blocker) >= 1
        posting.join(timeout=60)
        blocker.rollback()

    _assert_plain_server_error(answer[0])
    assert Connection.objects.count() == 0
    assert ConnectionBinding.objects.count() == 0
    assert not ActivityEvent.objects.filter(object_kind="connection").exists()

    # The person sends the form again: the server, not restarted, creates it
    # once, whole.
    again = visitor.post(server, paths["create"], form)
    assert again.status == 302
    connection = Connection.objects.get()
    assert connection.name == "Employees Directory"
    assert str(connection.creation_token) == form["request_token"]
    assert uuid.UUID(form["request_token"])
    _assert_every_connection_whole()
