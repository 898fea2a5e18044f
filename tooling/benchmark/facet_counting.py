"""Do the facet-count triggers earn their keep? (issue #12, item 10)

The marketplace reads its facet counts from cells that database triggers
keep (marketplace/facet_counts.py, facet_count_triggers.py). The simpler
design would count the scope's visible services with a GROUP BY on the
covering index (``service_facet_cell``) and cache the result under the
organization's catalog version. Warm, both cost a cache or index read; the
difference is what a view pays after each change to the catalog, when the
cache is cold. Both are timed here at the benchmark's size, for the
marketplace of the measured project, and must give the same counts.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

from django.db import connection as db_connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from marketplace import facet_counts
from marketplace.models import Service

from .measure import Page, PageResult, Targets

TAG_FACET_SIZE = 15


def _maintained(targets: Targets) -> Counter:
    organization, project = targets.organization.pk, targets.project.pk
    cells = facet_counts.cells(organization, project)
    facet_counts.label_counts(organization, project, matching=Q(), limit=TAG_FACET_SIZE)
    return cells


def _grouped(targets: Targets) -> Counter:
    visible = Service.objects.visible_from(targets.project)
    rows = (
        visible.order_by().values_list("kind", "visibility", "service_type").annotate(n=Count("pk"))
    )
    labels = (
        Service.tags.through.objects.filter(service__in=visible.values("pk"))
        .values("tag_id")
        .annotate(n=Count("service_id"))
        .order_by("-n")
    )
    list(labels[:TAG_FACET_SIZE])
    return Counter({(kind, visibility, stype): n for kind, visibility, stype, n in rows})


def _time(page: Page, count: Callable[[], Counter], requests: int, warmup: int) -> PageResult:
    result = PageResult(page, status=200)
    for _ in range(warmup):
        count()
    with CaptureQueriesContext(db_connection) as captured:
        count()
    result.queries = len(captured.captured_queries)
    for _ in range(requests):
        started = time.perf_counter()
        count()
        result.timings_ms.append((time.perf_counter() - started) * 1000)
    return result


def measure(targets: Targets, requests: int, warmup: int) -> list[PageResult]:
    maintained = _time(
        Page("facets-maintained", "Facet counts: cells kept by triggers", ""),
        lambda: _maintained(targets),
        requests,
        warmup,
    )
    grouped = _time(
        Page("facets-grouped", "Facet counts: GROUP BY, a cold cache", ""),
        lambda: _grouped(targets),
        requests,
        warmup,
    )
    if +_maintained(targets) != +_grouped(targets):
        grouped.error = "the grouped count differs from the maintained cells"
    return [maintained, grouped]
