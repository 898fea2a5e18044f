"""Serving load (``manage.py loadtest``): Junction under gunicorn on loopback,
loaded by wrk from a second process with a signed-in session.

The pages are those the benchmark picks from the data (console.benchmark.
measure): the connections list and the marketplace of the organization's
busiest project, and the floor, a component overview with no data. Each page
is loaded on its own for ``seconds`` (requests per second comparable with the
floor's), or all of them in one mixed run that rotates through their paths.

An error is any response other than 200 (a redirect to the login page would
otherwise pass for a success) and any socket error or timeout wrk reports.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection as db_connection
from django.urls import reverse

# Short names for the benchmark's page keys; any other GET page key of
# console.benchmark.measure.pages() may be given as it is.
PAGE_ALIASES = {
    "connections": "connections-project",
    "marketplace": "marketplace",
    "floor": "floor",
}
DEFAULT_PAGES = ["connections", "marketplace", "floor"]

# One connection per wrk thread: a thread then has one request in flight at a
# time, so each response belongs to the path it last sent. That is what lets
# the mixed run count responses per page.
WRK_SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("first", #threads)
end

function init(args)
  paths = args
  sent = first or 0
  current = 1
  counts = {}
end

function request()
  current = sent % #paths + 1
  sent = sent + 1
  return wrk.format("GET", paths[current])
end

function response(status, headers, body)
  -- String keys ("<page> <status>"): Debian's wrk 4.1 crashed copying a
  -- table with integer keys out of a thread in done().
  local key = current .. " " .. status
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("@summary %.0f %.0f %.0f %.0f %.0f %.0f %.0f\\n",
    summary.duration, summary.requests, e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("@latency %.0f %.0f %.0f\\n",
    latency:percentile(50), latency:percentile(99), latency.max))
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("counts")) do
      io.write(string.format("@count %s %.0f\\n", key, count))
    end
  end
end
"""


# --- Serving ---------------------------------------------------------------


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
    """gunicorn serving console.wsgi on 127.0.0.1, returned once it answers."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "console.wsgi",
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


# --- Load ------------------------------------------------------------------


@dataclass
class LoadPage:
    name: str
    key: str
    label: str
    path: str
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    rps: float = 0.0

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != "200")


@dataclass
class WrkRun:
    pages: list[LoadPage]
    duration_s: float = 0.0
    requests: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    non_2xx_3xx: int = 0
    latency_ms: dict[str, float] = field(default_factory=dict)
    output: str = ""


def resolve_pages(names: list[str], organization: str) -> list[LoadPage]:
    from console.benchmark.measure import pages, select_targets

    try:
        targets = select_targets(organization)
    except ObjectDoesNotExist as error:
        raise ValueError(f"No organization {organization!r} in this database.") from error
    by_key = {page.key: page for page in pages(targets)}
    chosen = []
    for name in names:
        key = PAGE_ALIASES.get(name, name)
        page = by_key.get(key)
        if page is None or page.method != "GET" or page.headers:
            known = sorted(PAGE_ALIASES) + sorted(
                k
                for k, p in by_key.items()
                if p.method == "GET" and not p.headers and k not in PAGE_ALIASES
            )
            raise ValueError(f"Unknown page {name!r}; choose from {', '.join(known)}.")
        chosen.append(LoadPage(name=name, key=key, label=page.label, path=page.url))
    return chosen


def run_wrk(
    *,
    wrk: str,
    base_url: str,
    cookie: str,
    pages: list[LoadPage],
    seconds: float,
    connections: int,
    timeout: float,
    script_path: Path,
) -> WrkRun:
    command = [
        wrk,
        f"--threads={connections}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={max(1, round(timeout))}s",
        f"--script={script_path}",
        f"--header=Cookie: {cookie}",
        base_url,
        "--",
        *(page.path for page in pages),
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + timeout + 60, check=False
    )
    run = WrkRun(pages=pages, output=completed.stdout + completed.stderr)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{run.output}")
    _read_wrk_output(run)
    return run


def _read_wrk_output(run: WrkRun) -> None:
    summary = None
    for line in run.output.splitlines():
        if not line.startswith("@"):
            continue
        word, *values = line.split()
        if word == "@summary":
            summary = [int(v) for v in values]
        elif word == "@latency":
            p50, p99, worst = (int(v) / 1000 for v in values)
            run.latency_ms = {"p50": p50, "p99": p99, "max": worst}
        elif word == "@count":
            index, status, count = values
            page = run.pages[int(index) - 1]
            page.statuses[status] = page.statuses.get(status, 0) + int(count)
    if summary is None:
        raise RuntimeError(f"wrk printed no summary (its Lua script did not run):\n{run.output}")
    duration_us, requests, connect, read, write, status, timed_out = summary
    run.duration_s = duration_us / 1_000_000
    run.requests = requests
    run.socket_errors = {"connect": connect, "read": read, "write": write, "timeout": timed_out}
    run.non_2xx_3xx = status
    for page in run.pages:
        page.requests = sum(page.statuses.values())
        page.rps = page.requests / run.duration_s if run.duration_s else 0.0


def loadtest(
    *,
    page_names: list[str],
    seconds: float,
    organization: str,
    username: str,
    mixed: bool = False,
    workers: int = 2,
    connections: int = 4,
    timeout: float = 10.0,
    log: Callable[[str], None] = print,
) -> dict:
    """Serve, load, stop; the figures as a dict (the JSON the command writes)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: run `make wrk` (Debian's package).")
    pages = resolve_pages(page_names, organization)
    cookie = session_cookie(username)
    url = database_url(db_connection.settings_dict)
    with tempfile.TemporaryDirectory(prefix="junction-load-") as folder:
        script_path = Path(folder) / "load.lua"
        script_path.write_text(WRK_SCRIPT)
        server = start_gunicorn(
            environment=serving_environment(url),
            log_path=Path(folder) / "gunicorn.log",
            workers=workers,
        )
        try:
            log(f"gunicorn, {workers} workers, on {server.base_url} ({db_connection.vendor})")
            _check_pages_answer(server, cookie, pages)
            batches = [pages] if mixed else [[page] for page in pages]
            runs = []
            for batch in batches:
                log(f"wrk, {seconds:g} s, {connections} connections: {batch_label(batch)}")
                runs.append(
                    run_wrk(
                        wrk=wrk,
                        base_url=server.base_url,
                        cookie=cookie,
                        pages=batch,
                        seconds=seconds,
                        connections=connections,
                        timeout=timeout,
                        script_path=script_path,
                    )
                )
        except BaseException:
            log(server.log_tail())
            raise
        finally:
            server.stop()
    return report(
        runs,
        organization=organization,
        seconds=seconds,
        mixed=mixed,
        workers=workers,
        connections=connections,
    )


def batch_label(pages: list[LoadPage]) -> str:
    return " + ".join(page.name for page in pages)


def _check_pages_answer(server: Gunicorn, cookie: str, pages: list[LoadPage]) -> None:
    # One request each before the load: a session the server does not accept
    # or a page that fails shows here with its status, not as a count later.
    for page in pages:
        response = http_request(server.base_url, "GET", page.path, headers={"Cookie": cookie})
        if response.status != 200:
            where = response.header("Location")
            raise RuntimeError(
                f"{page.label} ({page.path}) answered {response.status}"
                + (f" to {where}" if where else "")
                + " before the load."
            )


def report(
    runs: list[WrkRun],
    *,
    organization: str,
    seconds: float,
    mixed: bool,
    workers: int,
    connections: int,
) -> dict:
    floor = next((p for run in runs for p in run.pages if p.key == "floor"), None)
    pages = []
    for run in runs:
        for page in run.pages:
            entry = {
                "name": page.name,
                "key": page.key,
                "label": page.label,
                "path": page.path,
                "requests": page.requests,
                "rps": round(page.rps, 1),
                "errors": page.errors,
                "statuses": page.statuses,
            }
            if floor is not None and not mixed and floor.rps:
                entry["rps_vs_floor"] = round(page.rps / floor.rps, 2)
            pages.append(entry)
    run_entries = [
        {
            "pages": [page.name for page in run.pages],
            "duration_s": round(run.duration_s, 2),
            "requests": run.requests,
            "rps": round(run.requests / run.duration_s, 1) if run.duration_s else 0.0,
            "socket_errors": run.socket_errors,
            "non_2xx_3xx": run.non_2xx_3xx,
            "latency_ms": run.latency_ms,
        }
        for run in runs
    ]
    errors = sum(page["errors"] for page in pages) + sum(
        sum(run["socket_errors"].values()) for run in run_entries
    )
    return {
        "database": db_connection.vendor,
        "organization": organization,
        "mode": "mixed" if mixed else "one page at a time",
        "seconds_per_run": seconds,
        "gunicorn_workers": workers,
        "connections": connections,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "pages": pages,
        "runs": run_entries,
        "errors": errors,
    }


def table(result: dict) -> str:
    compare = any("rps_vs_floor" in page for page in result["pages"])
    header = f"{'page':<34} {'requests':>9} {'req/s':>8} {'errors':>7}"
    lines = [header + (f" {'vs floor':>9}" if compare else ""), "-" * (len(header) + 10)]
    for page in result["pages"]:
        line = f"{page['label'][:34]:<34} {page['requests']:>9} {page['rps']:>8.1f} "
        line += f"{page['errors']:>7}"
        if compare:
            line += f" {page.get('rps_vs_floor', 0):>8.2f}x"
        lines.append(line)
    for run in result["runs"]:
        sockets = sum(run["socket_errors"].values())
        latency = run["latency_ms"]
        lines.append(
            f"run {' + '.join(run['pages'])}: {run['requests']} requests in "
            f"{run['duration_s']:.1f} s ({run['rps']:.1f}/s), latency p50 "
            f"{latency.get('p50', 0):.1f} ms, p99 {latency.get('p99', 0):.1f} ms, "
            f"max {latency.get('max', 0):.1f} ms; socket errors {sockets}"
        )
    lines.append(f"errors: {result['errors']}")
    return "\n".join(lines)


def write_json(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
