"""Serving load (``python -m tooling.loadtest``): Junction under gunicorn on loopback,
loaded by wrk from a second process with a signed-in session.

The pages are those the benchmark picks from the data (tooling.benchmark.
measure): the connections list and the marketplace of the organization's
busiest project, and the floor, a component overview with no data. Each page
is loaded on its own for ``seconds`` (requests per second comparable with the
floor's), or all of them in one mixed run that rotates through their paths.

An error is any response other than the page's own status, 200 (a redirect to
the login page would otherwise pass for a success) or 304 for a conditional
request, and any socket error or timeout wrk reports.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.db import connection as db_connection

from .report import report, table, write_json
from .serving import (
    Gunicorn,
    Response,
    database_url,
    free_port,
    http_request,
    serving_environment,
    session_cookie,
    signed_in_session,
    start_gunicorn,
    write_private,
)
from .wrk import (
    DEFAULT_PAGES,
    PAGE_ALIASES,
    WRK_SCRIPT,
    LoadPage,
    requests_file,
    resolve_pages,
    run_wrk,
)

__all__ = [
    "DEFAULT_PAGES",
    "PAGE_ALIASES",
    "Gunicorn",
    "Response",
    "database_url",
    "free_port",
    "http_request",
    "loadtest",
    "serving_environment",
    "session_cookie",
    "start_gunicorn",
    "table",
    "write_json",
]


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
    environment: dict[str, str] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Serve, load, stop; the figures as a dict (the JSON the command writes)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: run `make wrk` (Debian's package).")
    pages = resolve_pages(page_names, organization)
    url = database_url(db_connection.settings_dict)
    with (
        signed_in_session(username) as cookie,
        tempfile.TemporaryDirectory(prefix="junction-load-") as folder,
    ):
        script_path = Path(folder) / "load.lua"
        script_path.write_text(WRK_SCRIPT)
        server = start_gunicorn(
            environment={**serving_environment(url), **(environment or {})},
            log_path=Path(folder) / "gunicorn.log",
            workers=workers,
        )
        try:
            log(f"gunicorn, {workers} workers, on {server.base_url} ({db_connection.vendor})")
            _check_pages_answer(server, cookie, pages)
            batches = [pages] if mixed else [[page] for page in pages]
            runs = []
            for number, batch in enumerate(batches):
                log(f"wrk, {seconds:g} s, {connections} connections: {batch_label(batch)}")
                requests_path = Path(folder) / f"requests-{number}"
                write_private(requests_path, requests_file(cookie, batch))
                runs.append(
                    run_wrk(
                        wrk=wrk,
                        base_url=server.base_url,
                        requests_path=requests_path,
                        pages=batch,
                        seconds=seconds,
                        connections=connections,
                        timeout=timeout,
                        script_path=script_path,
                    )
                )
            if any(page.errors for run in runs for page in run.pages):
                # The server's side of the errors, before its log goes with the folder.
                log(server.log_tail())
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
        response = http_request(
            server.base_url,
            page.method,
            page.path,
            headers=page.request_headers(cookie),
            body=page.body.encode() if page.body else None,
        )
        if response.status != page.expected_status:
            where = response.header("Location")
            raise RuntimeError(
                f"{page.label} ({page.path}) answered {response.status}"
                + (f" to {where}" if where else "")
                + " before the load."
            )
