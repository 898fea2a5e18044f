"""gunicorn on a free loopback port against a database, a small HTTP
client, and a signed-in session: what the load test and the
multi-instance and fault tests serve Junction with."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from console.crypto import encryption_keys


def free_port() -> int:
    """A loopback port nobody listens on (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """The DATABASE_URL another process needs to reach the same database."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine.endswith("sqlite3"):
        if name == ":memory:" or name.startswith("file:"):
            raise ValueError("An in-memory SQLite database cannot be shared with a server.")
        return f"sqlite:///{Path(name).resolve()}"
    if engine.endswith("postgresql"):
        user = quote(settings_dict.get("USER") or "", safe="")
        password = settings_dict.get("PASSWORD") or ""
        credentials = user + (":" + quote(password, safe="") if password else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}@{host}:{port}/{quote(name, safe='')}"
    raise ValueError(f"No database URL for the engine {engine}.")


def serving_environment(url: str) -> dict[str, str]:
    """The process environment, as production would run it on loopback."""
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0"}
    # With DEBUG off the server refuses implicit development keys
    # (junction/startup.py). It is handed this process's keys explicitly: it must
    # read the sessions signed and the secrets encrypted here.
    environment["DJANGO_SECRET_KEY"] = settings.SECRET_KEY
    environment["JUNCTION_ENCRYPTION_KEYS"] = ",".join(encryption_keys())
    # Plain HTTP on loopback: with JUNCTION_HTTPS every page would be a
    # redirect to https://, which nothing here serves.
    environment["JUNCTION_HTTPS"] = "0"
    hosts = [h for h in environment.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    environment["DJANGO_ALLOWED_HOSTS"] = ",".join([*hosts, "127.0.0.1", "localhost"])
    return environment


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")


def http_request(
    base_url: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Response:
    """One HTTP request, redirects not followed (a test wants to see them)."""
    host, _, port = base_url.removeprefix("http://").partition(":")
    client = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    try:
        client.request(method, path, body=body, headers=headers or {})
        answer = client.getresponse()
        return Response(
            answer.status, answer.getheaders(), answer.read().decode("utf-8", "replace")
        )
    finally:
        client.close()


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """TERM to the whole process group (master and workers), KILL if it lingers."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


def start_gunicorn(
    *,
    environment: dict[str, str],
    log_path: Path,
    workers: int = 2,
    port: int | None = None,
    ready_timeout: float = 60.0,
) -> Gunicorn:
    """gunicorn serving junction.wsgi on 127.0.0.1, returned once it answers."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "junction.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--timeout=60",
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so stop() reaches the workers too.
            start_new_session=True,
        )
    server = Gunicorn(process, port, log_path)
    try:
        _wait_until_serving(server, ready_timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_serving(server: Gunicorn, timeout: float) -> None:
    login = reverse("login")
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited while starting:\n{server.log_tail()}")
        try:
            if http_request(server.base_url, "GET", login, timeout=5).status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not answer in {timeout:.0f} s:\n{server.log_tail()}")
        time.sleep(0.2)


def session_cookie(username: str) -> str:
    """A signed-in session for ``username`` stored where the server reads
    sessions, as the login view would make it (no password needed)."""
    try:
        user = get_user_model()._default_manager.get_by_natural_key(username)
    except ObjectDoesNotExist as error:
        raise ValueError(
            f"No user {username!r} in this database (seed_demo makes demo)."
        ) from error
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


@contextmanager
def signed_in_session(username: str) -> Iterator[str]:
    """``session_cookie(username)``, deleted when the block ends however it
    ends: a superuser's session left behind would sign in whoever finds it."""
    cookie = session_cookie(username)
    try:
        yield cookie
    finally:
        session_key = cookie.partition("=")[2]
        import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key).delete()


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (a session cookie, say)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
