"""Activity: every write of the organization (its Admins) or of one project
(every member of the organization), newest first, filtered, paged by
cursor, and exported as CSV with the same filters (docs/domain.md,
Activity). Outsiders get a 404; other members a 403 on the organization's."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..access import Scope, get_scope_for_user
from ..activity import describe_changes, describe_detail, describe_state, with_links
from ..filters import ActivityFilter
from ..models import ActivityEvent
from ..shell import render_page_or_fragment
from ..timeline import NEWEST_FIRST, timeline_page
from ..url_state import list_url_state

SECTION = "activity"
# The most rows one export holds, read this many at a time: an export is a
# page of the log too, only a long one.
EXPORT_LIMIT = 50_000
EXPORT_BATCH = 1_000
CSV_HEADER = (
    "time",
    "person",
    "project",
    "kind",
    "object",
    "object id",
    "action",
    "changes",
    "details",
)
# A cell a spreadsheet would read as a formula starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _activity_scope(request: HttpRequest, org: str, project: str | None) -> Scope:
    scope = get_scope_for_user(request, org, project)
    if scope.project is None:
        scope.require_admin()
    return scope


def _events(scope: Scope) -> QuerySet[ActivityEvent]:
    if scope.project is not None:
        return ActivityEvent.objects.filter(project_id=scope.project.pk)
    return ActivityEvent.objects.filter(organization_id=scope.organization.pk)


def _filtered(request: HttpRequest, scope: Scope) -> ActivityFilter:
    return ActivityFilter(request.GET or None, queryset=_events(scope), scope=scope)


def _export_url(scope: Scope, request: HttpRequest, filterset: ActivityFilter) -> str:
    """The export of what the page shows: the filters, not the page (an
    export starts at the newest)."""
    name = "console:project-activity-export" if scope.project else "console:activity-export"
    query = urlencode(
        [(field, request.GET[field]) for field in filterset.form.fields if request.GET.get(field)]
    )
    return reverse(name, kwargs=scope.url_kwargs) + (f"?{query}" if query else "")


@require_GET
def activity(request: HttpRequest, org: str, project: str | None = None) -> HttpResponse:
    scope = _activity_scope(request, org, project)
    filterset = _filtered(request, scope)

    def context() -> dict:
        page = timeline_page(filterset.qs, request.GET)
        return {
            "filter": filterset,
            "page": page,
            "events": with_links(scope, page.rows),
            "filtered": any(request.GET.get(name) for name in filterset.form.fields),
            # The export takes the filters, not the page: it starts at the newest.
            "export_url": _export_url(scope, request, filterset),
        }

    return render_page_or_fragment(
        request,
        "console/activity.html",
        scope,
        context,
        fragment="console/activity.html#results",
        section=SECTION,
        url_state=list_url_state(request, filterset),
    )


def _cell(value: str) -> str:
    """A text cell no spreadsheet runs as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_row(event: ActivityEvent) -> list[str]:
    details = [*describe_detail(event.detail), *describe_state(event.detail)]
    if isinstance(event.detail, dict) and event.detail.get("of"):
        details.insert(0, f"of: {event.detail['of']}")
    return [
        timezone.localtime(event.created_at).isoformat(timespec="seconds"),
        _cell(event.actor_name),
        _cell(event.project_name),
        event.get_object_kind_display(),
        _cell(event.object_name),
        event.object_id,
        event.get_action_display(),
        _cell("; ".join(describe_changes(event.changes))),
        _cell("; ".join(details)),
    ]


class _Echo:
    """A file-like object csv.writer writes a row to and gets it back."""

    def write(self, value: str) -> str:
        return value


def _rows(events: QuerySet[ActivityEvent]) -> Iterator[list[str]]:
    """Newest first, in batches read by position (the pager's cursors), so
    no query holds a cursor open across the response."""
    yield list(CSV_HEADER)
    page = timeline_page(events, {}, page_size=EXPORT_BATCH)
    sent = 0
    while page.rows and sent < EXPORT_LIMIT:
        for event in page.rows[: EXPORT_LIMIT - sent]:
            yield _csv_row(event)
        sent += len(page.rows)
        if not page.next_cursor:
            return
        page = timeline_page(events, {"after": page.next_cursor}, page_size=EXPORT_BATCH)


@require_GET
def activity_export(request: HttpRequest, org: str, project: str | None = None) -> HttpResponse:
    scope = _activity_scope(request, org, project)
    filterset = _filtered(request, scope)
    writer = csv.writer(_Echo())
    name = "-".join(filter(None, ["activity", org, project, timezone.localdate().isoformat()]))
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _rows(filterset.qs.order_by(*NEWEST_FIRST))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
