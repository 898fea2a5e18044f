"""The benchmark's table (for people) and JSON (for comparing runs)."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

import django

from .measure import PageResult, Targets

COLUMNS = ("page", "p50 ms", "p95 ms", "max ms", "queries")


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(results: list[PageResult]) -> str:
    rows = []
    for result in results:
        label = result.page.label + (" [ERROR]" if result.error else "")
        rows.append(
            (
                label,
                _number(result.p50),
                _number(result.p95),
                _number(result.max),
                "-" if result.queries is None else str(result.queries),
            )
        )
    width = max(len(COLUMNS[0]), *(len(row[0]) for row in rows))
    lines = [f"{COLUMNS[0]:<{width}}  " + "  ".join(f"{c:>8}" for c in COLUMNS[1:])]
    lines.append("-" * len(lines[0]))
    for index, row in enumerate(rows):
        if results[index].page.reference and not results[index - 1].page.reference:
            lines.append("references:")
        lines.append(f"{row[0]:<{width}}  " + "  ".join(f"{cell:>8}" for cell in row[1:]))
    errors = [f"{r.page.label}: {r.error}" for r in results if r.error]
    return "\n".join(lines + (["", "Errors:", *errors] if errors else []))


def _page_json(result: PageResult) -> dict:
    return {
        "key": result.page.key,
        "label": result.page.label,
        "method": result.page.method,
        "url": result.page.url,
        "reference": result.page.reference,
        "requests": len(result.timings_ms),
        "p50_ms": result.p50,
        "p95_ms": result.p95,
        "max_ms": result.max,
        "queries": result.queries,
        "status": result.status,
        "error": result.error or None,
    }


def document(
    *,
    size: str,
    vendor: str,
    requests: int,
    build_seconds: float | None,
    counts: dict[str, int],
    targets: Targets,
    results: list[PageResult],
) -> dict:
    return {
        "size": size,
        "vendor": vendor,
        "requests": requests,
        "build_seconds": build_seconds,
        "counts": counts,
        "organization": targets.organization.handle,
        "search": targets.search,
        "connection_search": targets.connection_search,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "pages": [_page_json(result) for result in results],
    }


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
