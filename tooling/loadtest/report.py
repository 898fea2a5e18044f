"""The load test's figures: a dict (the JSON) and a table."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from django.db import connection as db_connection

from .wrk import WrkRun


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
