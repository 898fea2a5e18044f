"""``python -m tooling.loadtest`` (``make load``) as a smoke test: it starts gunicorn, signs in,
loads the pages with wrk for a couple of seconds and writes valid JSON with
requests and no errors. Throughput is never asserted: it belongs to the
machine, not the code.

The command runs in a subprocess, against the test database on PostgreSQL
(committed: transactional_db) and against a SQLite file of its own
otherwise, since gunicorn cannot reach SQLite's in-memory test database.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection as db_connection
from django.test import override_settings

from tooling.loadtest import database_url

pytestmark = [
    pytest.mark.processes,
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make wrk)"),
    # On PostgreSQL the servers read the test database: what seed_demo
    # writes there must be committed.
    pytest.mark.django_db(transaction=True),
]

LOADTEST = [sys.executable, "-m", "tooling.loadtest"]


def _run(
    command: list[str], database: str, *arguments: str, path: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*command, *arguments],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database, "PATH": path or os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def sqlite_demo_database(django_db_setup, django_db_blocker, tmp_path_factory) -> str:
    """A SQLite file with seed_demo's data, made once for the module: the
    runs only add and remove their own sessions.

    The test database, migrated already, is seeded, copied to the file and
    emptied again, as this module's transactional tests leave it: a `migrate`
    and a `seed_demo` process of their own cost seconds. The load signs in by
    session, never by password, so the personas' passwords are hashed the
    suite's fast way."""
    path = tmp_path_factory.mktemp("load") / "load.sqlite3"
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast):
        call_command("seed_demo", verbosity=0)
        with closing(sqlite3.connect(path)) as copy:
            db_connection.connection.backup(copy)
        call_command("flush", interactive=False, verbosity=0)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_database(request) -> str:
    """The URL of a database holding seed_demo's data that gunicorn can open."""
    if db_connection.vendor == "postgresql":
        call_command("seed_demo", verbosity=0)
        return database_url(db_connection.settings_dict)
    return request.getfixturevalue("sqlite_demo_database")


def _loadtest(database: str, output: Path, *arguments: str) -> dict:
    completed = _run(LOADTEST, database, *arguments, f"--json={output}")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "req/s" in completed.stdout  # the table was printed
    return json.loads(output.read_text())


def _assert_loaded_without_error(data: dict, names: list[str]) -> None:
    assert [page["name"] for page in data["pages"]] == names
    for page in data["pages"]:
        assert page["requests"] > 0, page
        assert page["rps"] > 0, page
        assert page["errors"] == 0, page
        assert page["statuses"] == {"200": page["requests"]}, page
        assert page["path"].startswith("/orgs/acme/"), page
    for run in data["runs"]:
        assert sum(run["socket_errors"].values()) == 0, run
        assert run["non_2xx_3xx"] == 0, run
    assert data["errors"] == 0
    assert data["database"] == db_connection.vendor


def test_it_loads_each_page_in_turn_and_compares_it_with_the_floor(demo_database, tmp_path):
    data = _loadtest(
        demo_database,
        tmp_path / "load.json",
        "--seconds=1",
        "--pages=connections,marketplace,floor",
    )

    _assert_loaded_without_error(data, ["connections", "marketplace", "floor"])
    assert len(data["runs"]) == 3
    assert data["pages"][2]["rps_vs_floor"] == 1.0


def test_it_loads_the_pages_mixed_in_one_run(demo_database, tmp_path):
    data = _loadtest(
        demo_database,
        tmp_path / "load.json",
        "--seconds=1",
        "--mixed",
        "--pages=connections,marketplace",
    )

    _assert_loaded_without_error(data, ["connections", "marketplace"])
    assert len(data["runs"]) == 1
    # Every response was counted against one of the two pages.
    run = data["runs"][0]
    assert sum(page["requests"] for page in data["pages"]) == run["requests"]


def test_it_fails_when_a_page_does_not_answer_200(demo_database, tmp_path):
    # hank is a member of Globex only: acme's pages are a 404 for him. The
    # command must stop and say so, not count the 404s as a load.
    completed = _run(LOADTEST, demo_database, "--seconds=1", "--username=hank", "--workers=1")

    assert completed.returncode != 0
    assert "answered 404 before the load" in completed.stderr


def _session_keys(database: str) -> set[str]:
    # Read here, not by a `manage.py shell` of its own: a process costs a second.
    if db_connection.vendor == "postgresql":  # the test database itself
        return set(Session.objects.values_list("session_key", flat=True))
    with closing(sqlite3.connect(dj_database_url.parse(database)["NAME"])) as sqlite:
        return {key for (key,) in sqlite.execute("SELECT session_key FROM django_session")}


@pytest.fixture
def recording_wrk(tmp_path) -> tuple[str, Path]:
    """A PATH whose wrk records its arguments and the cookie file the Lua
    script reads (the first argument after ``--``), then runs the real wrk."""
    record = tmp_path / "wrk-record"
    record.mkdir()
    folder = tmp_path / "bin"
    folder.mkdir()
    fake = folder / "wrk"
    fake.write_text(
        f"""#!/bin/sh
printf '%s\\n' "$@" > {record}/arguments
next=""
for argument in "$@"; do
  if [ "$next" = cookie ]; then
    stat -c %a "$argument" > {record}/cookie-mode
    cp "$argument" {record}/cookie
    break
  fi
  [ "$argument" = "--" ] && next=cookie
done
exec {shutil.which("wrk")} "$@"
"""
    )
    fake.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}", record


def test_it_deletes_its_session_and_keeps_the_cookie_off_the_command_line(
    demo_database, tmp_path, recording_wrk
):
    path, record = recording_wrk
    sessions_before = _session_keys(demo_database)

    completed = _run(
        LOADTEST, demo_database, "--seconds=1", "--pages=floor", "--workers=1", path=path
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    session_key = (record / "cookie").read_text().strip().partition("=")[2]
    assert session_key
    arguments = (record / "arguments").read_text()
    assert session_key not in arguments
    assert "Cookie" not in arguments
    # Only its owner could read the cookie file, and it went with its folder.
    assert (record / "cookie-mode").read_text().strip() == "600"
    assert not any(
        Path(argument).exists() for argument in arguments.split() if "junction-load-" in argument
    )
    # The session the load signed in with is gone; no other was left behind.
    assert _session_keys(demo_database) == sessions_before
    assert session_key not in sessions_before
