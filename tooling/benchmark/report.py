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


# The goals of the configuration endpoint (issue #14, Performance).
RUNTIME_QUERIES_AT_MOST = 12
RUNTIME_P95_WITHIN_FLOOR = 2.0
CONDITIONAL_P95_WITHIN_FLOOR = 1.0


def runtime_config(results: list[PageResult]) -> dict | None:
    """The configuration endpoint against its goals: its queries, and its
    p95 (and the 304's) over the floor's; None when it was not measured."""
    by_key = {result.page.key: result for result in results}
    pull, conditional, floor = (
        by_key.get(key) for key in ("runtime-config", "runtime-config-304", "floor")
    )
    if pull is None or conditional is None or floor is None or not floor.p95:
        return None
    if pull.p95 is None or conditional.p95 is None:
        return None
    ratio, conditional_ratio = pull.p95 / floor.p95, conditional.p95 / floor.p95
    return {
        "queries": pull.queries,
        "conditional_queries": conditional.queries,
        "p95_ms": pull.p95,
        "conditional_p95_ms": conditional.p95,
        "floor_p95_ms": floor.p95,
        "p95_vs_floor": round(ratio, 2),
        "conditional_p95_vs_floor": round(conditional_ratio, 2),
        "goals": {
            "queries": max(pull.queries or 0, conditional.queries or 0) <= RUNTIME_QUERIES_AT_MOST,
            "p95": ratio <= RUNTIME_P95_WITHIN_FLOOR,
            "conditional_p95": conditional_ratio <= CONDITIONAL_P95_WITHIN_FLOOR,
        },
    }


def runtime_config_lines(summary: dict) -> str:
    def held(goal: str) -> str:
        return "held" if summary["goals"][goal] else "MISSED"

    return "\n".join(
        [
            "Configuration endpoint (issue #14):",
            f"  queries: {summary['queries']} (304: {summary['conditional_queries']}), "
            f"at most {RUNTIME_QUERIES_AT_MOST}: {held('queries')}",
            f"  p95 {summary['p95_ms']:.1f} ms = {summary['p95_vs_floor']:.2f} x the floor's "
            f"{summary['floor_p95_ms']:.1f} ms, at most {RUNTIME_P95_WITHIN_FLOOR:g} x: "
            f"{held('p95')}",
            f"  304 p95 {summary['conditional_p95_ms']:.1f} ms = "
            f"{summary['conditional_p95_vs_floor']:.2f} x the floor's, at most "
            f"{CONDITIONAL_P95_WITHIN_FLOOR:g} x: {held('conditional_p95')}",
        ]
    )


# The goals of the first search as one types (issue #17, item 15).
FIRST_RESULTS_WITHIN_FLOOR = 4.0
FIRST_COUNTS_WITHIN_ADMIN = 1.0


def first_search(results: list[PageResult]) -> list[dict]:
    """Each prefix's first search against its goals: the page of cards
    within 4 × the floor's p95, its facet counts no slower than the admin's
    search for the same prefix (p95)."""
    by_key = {result.page.key: result for result in results}
    floor = by_key.get("floor")
    summaries = []
    for length in (1, 2):
        cards = by_key.get(f"first-search-{length}-results")
        counts = by_key.get(f"first-search-{length}-counts")
        admin = by_key.get(f"admin-services-{length}")
        if None in (cards, counts, admin, floor):
            continue
        if not (cards.p95 and counts.p95 and admin.p95 and floor.p95):
            continue
        summaries.append(
            {
                "prefix_length": length,
                "label": cards.page.label.split(":")[0],
                "results_p95_ms": cards.p95,
                "results_queries": cards.queries,
                "floor_p95_ms": floor.p95,
                "results_vs_floor": round(cards.p95 / floor.p95, 2),
                "counts_p95_ms": counts.p95,
                "counts_queries": counts.queries,
                "admin_p95_ms": admin.p95,
                "counts_vs_admin": round(counts.p95 / admin.p95, 2),
                "goals": {
                    "results": cards.p95 / floor.p95 <= FIRST_RESULTS_WITHIN_FLOOR,
                    "counts": counts.p95 / admin.p95 <= FIRST_COUNTS_WITHIN_ADMIN,
                },
            }
        )
    return summaries


def first_search_lines(summaries: list[dict]) -> str:
    lines = ["First search as one types (issue #17):"]
    for each in summaries:
        held = {goal: "held" if ok else "MISSED" for goal, ok in each["goals"].items()}
        lines += [
            f"  {each['label']}: results p95 {each['results_p95_ms']:.1f} ms = "
            f"{each['results_vs_floor']:.2f} x the floor's {each['floor_p95_ms']:.1f} ms, "
            f"at most {FIRST_RESULTS_WITHIN_FLOOR:g} x: {held['results']}",
            f"  {' ' * len(each['label'])}  counts p95 {each['counts_p95_ms']:.1f} ms = "
            f"{each['counts_vs_admin']:.2f} x the admin's {each['admin_p95_ms']:.1f} ms, "
            f"at most {FIRST_COUNTS_WITHIN_ADMIN:g} x: {held['counts']}",
        ]
    return "\n".join(lines)


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
        "runtime_config": runtime_config(results),
        "first_search": first_search(results),
    }


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
