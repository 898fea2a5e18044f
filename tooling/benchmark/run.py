"""One benchmark run inside the bench database: migrate, build (or reuse),
measure, report."""

from __future__ import annotations

import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection as db_connection

from connections.models import Connection, ConnectionBinding
from console.models import Component, Organization, Project
from marketplace.models import Service
from tooling import loadtest

from . import build, config_endpoint, facet_counting, measure, report
from .oauth_endpoints import oauth_binding

# Size S is the demo (seed_demo), measured as its Admin.
DEMO_ORGANIZATION = "acme"
DEMO_USERNAME = "demo"


def _counts(organization_handle: str) -> dict[str, int]:
    organization = Organization.objects.get(handle=organization_handle)
    return {
        "projects": Project.objects.filter(organization=organization).count(),
        "components": Component.objects.filter(project__organization=organization).count(),
        "services": Service.objects.filter(organization=organization).count(),
        "connections": Connection.objects.filter(organization=organization).count(),
        "connection_bindings": ConnectionBinding.objects.filter(
            connection__organization=organization
        ).count(),
    }


def _prepare_data(size: str, log: Callable[[str], None]) -> tuple[str, str, float | None]:
    """(organization handle, username, build seconds or None when reused)."""
    started = time.perf_counter()
    if size == "S":
        call_command("seed_demo", stdout=StringIO())
        return DEMO_ORGANIZATION, DEMO_USERNAME, time.perf_counter() - started
    handle = build.organization_handle(size)
    if build.is_built(size):
        log(f"Size {size} is already built in this database (--rebuild to start over).")
        return handle, build.BENCH_USERNAME, None
    log(f"Building size {size}...")
    build.build(size, log=log)
    seconds = time.perf_counter() - started
    log(f"Built size {size} in {seconds:.1f} s.")
    return handle, build.BENCH_USERNAME, seconds


def _serve(handle: str, username: str, seconds: float, log: Callable[[str], None]) -> dict:
    """The serving benchmark: each page loaded on its own for ``seconds``."""
    log(f"Serving load, {seconds:g} s per page...")
    organization = Organization.objects.get(handle=handle)
    oauth = ["oauth-token", "oauth-introspect"] if oauth_binding(organization) else []
    runtime = (
        ["runtime-config", "runtime-config-304"]
        if config_endpoint.runtime_component(organization)
        else []
    )
    unlimited = str(10**9)
    return loadtest.loadtest(
        page_names=["connections", "marketplace", *oauth, *runtime, "floor"],
        seconds=seconds,
        organization=handle,
        username=username,
        # Measured is what a token or a pull costs, not the rate limit's refusals.
        environment={
            "JUNCTION_OAUTH_RATE_PER_CLIENT": unlimited,
            "JUNCTION_OAUTH_RATE_PER_ADDRESS": unlimited,
            "JUNCTION_RUNTIME_RATE_PER_TOKEN": unlimited,
            "JUNCTION_RUNTIME_RATE_PER_ADDRESS": unlimited,
        },
        log=log,
    )


def run(
    *,
    size: str,
    requests: int,
    warmup: int,
    json_path: Path,
    serve_seconds: float = 0,
    pages: list[str] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    call_command("migrate", interactive=False, verbosity=0)
    handle, username, build_seconds = _prepare_data(size, log)
    build.documentation_extremes_create(handle)
    config_endpoint.runtime_component_create(handle, username)
    if db_connection.vendor == "postgresql":
        # What autovacuum would have done by now after a load: planner
        # statistics, and the visibility map that lets index-only scans skip
        # the table. SQLite gets none: Junction never runs ANALYZE there, so
        # neither does this.
        with db_connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    log(f"Measuring {requests} requests per page ({db_connection.vendor}, size {size})...")
    targets, results = measure.measure(handle, username, requests, warmup, only=pages, log=log)
    if measure.selected("facets", pages):
        # Beside the pages, before the references: the two ways of counting facets.
        first_reference = next(
            (index for index, result in enumerate(results) if result.page.reference),
            len(results),
        )
        counted = facet_counting.measure(targets, requests, warmup)
        results[first_reference:first_reference] = counted
    data = report.document(
        size=size,
        vendor=db_connection.vendor,
        requests=requests,
        build_seconds=build_seconds,
        counts=_counts(handle),
        targets=targets,
        results=results,
    )
    if serve_seconds > 0:
        data["serving"] = _serve(handle, username, serve_seconds, log)
    report.write_json(json_path, data)
    log("")
    built = "reused" if build_seconds is None else f"built in {build_seconds:.1f} s"
    log(f"Size {size} on {db_connection.vendor} ({built}): {data['counts']}")
    log(report.table(results))
    if data["runtime_config"] is not None:
        log("\n" + report.runtime_config_lines(data["runtime_config"]))
    if data["first_search"]:
        log("\n" + report.first_search_lines(data["first_search"]))
    if "serving" in data:
        log("\nServing (gunicorn, 2 workers, loaded by wrk from another process):")
        log(loadtest.table(data["serving"]))
    log(f"\nJSON written to {json_path}")
    return data
