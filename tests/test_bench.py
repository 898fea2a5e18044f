"""``python -m tooling.benchmark`` (``make bench``) as a smoke test: it builds,
measures and writes valid JSON. Timings are never asserted: they belong to the
machine, not the code.

The command runs in a subprocess against a SQLite file in tmp_path, so it
never touches the test database and runs under pytest-xdist like any test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.processes

EXPECTED_PAGES = {
    "connections-project",
    "connections-component",
    "connections-search",
    "marketplace",
    "marketplace-search",
    "marketplace-search-uncached",
    "marketplace-filters",
    "service",
    "service-used-by",
    "service-largest-overview",
    "service-no-overview",
    "service-largest-definition",
    "service-no-definition",
    "create-form",
    "create-form-next",
    "connection",
    "project-menu",
    # The authorization server (issue #13): a token, and its introspection.
    "oauth-token",
    "oauth-introspect",
    # The configuration endpoint (issue #14): a pull, and the same pull answered 304.
    "runtime-config",
    "runtime-config-304",
    # The two ways of counting facets (issue #12, item 10), which must agree.
    "facets-maintained",
    "facets-grouped",
    # The first search as one types (issue #17): its cards, then its counts,
    # for a one- and a two-letter prefix, beside the admin's search for them.
    "first-search-1-results",
    "first-search-1-counts",
    "first-search-2-results",
    "first-search-2-counts",
    "floor",
    "admin-services",
    "admin-services-1",
    "admin-services-2",
    "admin-connections",
}


def _bench(tmp_path: Path, size: str, serve: float = 0, *extra: str) -> dict:
    output = tmp_path / "bench.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tooling.benchmark",
            f"--size={size}",
            "--requests=3",
            "--warmup=1",
            f"--json={output}",
            f"--database-url=sqlite:///{tmp_path / 'bench.sqlite3'}",
            f"--serve={serve}",
            *extra,
        ],
        capture_output=True,
        text=True,
        env={**os.environ},
        cwd=settings.BASE_DIR,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "p50 ms" in completed.stdout  # the table was printed
    return json.loads(output.read_text())


def _assert_every_page_measured(data: dict, requests: int = 3) -> None:
    by_key = {page["key"]: page for page in data["pages"]}
    assert set(by_key) == EXPECTED_PAGES
    for key, page in by_key.items():
        assert page["error"] is None, (key, page["error"])
        assert page["status"] == (304 if key == "runtime-config-304" else 200), key
        assert page["requests"] == requests, key
        for figure in ("p50_ms", "p95_ms", "max_ms"):
            assert isinstance(page[figure], float), (key, figure)
            assert page[figure] > 0, (key, figure)
        assert page["p50_ms"] <= page["p95_ms"] <= page["max_ms"], key
        assert isinstance(page["queries"], int) and page["queries"] > 0, key


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make wrk)")
def test_it_measures_every_page_on_the_demo_and_serves_them_under_load(tmp_path):
    data = _bench(tmp_path, "S", serve=1)

    serving = {page["name"]: page for page in data["serving"]["pages"]}
    assert set(serving) == {
        "connections",
        "marketplace",
        "oauth-token",
        "oauth-introspect",
        "runtime-config",
        "runtime-config-304",
        "floor",
    }
    for name, page in serving.items():
        assert page["requests"] > 0 and page["errors"] == 0, (name, page)

    assert data["size"] == "S"
    assert data["vendor"] == "sqlite"
    assert data["organization"] == "acme"
    _assert_every_page_measured(data)


def test_it_builds_a_synthetic_organization_and_measures_it(tmp_path):
    data = _bench(tmp_path, "XS")

    # And what the run adds: the two services whose documentation is timed,
    # the project and component whose configuration is pulled, with its 50 connections.
    assert data["counts"] == {
        "projects": 6,
        "components": 51,
        "services": 502,
        "connections": 1050,
        "connection_bindings": 2100,
    }
    assert data["build_seconds"] > 0
    _assert_every_page_measured(data)
    # The configuration endpoint against its goals (issue #14), reported, not asserted.
    assert set(data["runtime_config"]["goals"]) == {"queries", "p95", "conditional_p95"}


def test_it_measures_only_the_pages_asked_for(tmp_path):
    data = _bench(tmp_path, "S", 0, "--pages=first-search,floor,admin-services-")

    assert {page["key"] for page in data["pages"]} == {
        "first-search-1-results",
        "first-search-1-counts",
        "first-search-2-results",
        "first-search-2-counts",
        "floor",
        "admin-services-1",
        "admin-services-2",
    }
    assert all(page["error"] is None for page in data["pages"]), data["pages"]
    # The first search against its goals (issue #17), reported, not asserted.
    assert [each["prefix_length"] for each in data["first_search"]] == [1, 2]
    assert set(data["first_search"][0]["goals"]) == {"results", "counts"}
