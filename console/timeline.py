"""Paging through a newest-first list (the activity log) by position, not
by offset.

Rows are ordered by (created_at, id), newest first. "Next" carries the last
row's position and "Previous" the first one's, as an opaque cursor; a page
is read off the index from that position, so page 500 costs what page 1
costs, and rows added meanwhile at the top never shift the older pages. No
page counts the rows: a log only grows, and counting it would cost more
with every write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from .cursors import CursorPageLinks, decode_cursor, encode_cursor

PAGE_SIZE = 25
NEWEST_FIRST = ("-created_at", "-pk")
OLDEST_FIRST = ("created_at", "pk")


def _cursor(row) -> str:
    return encode_cursor([row.created_at.isoformat(), row.pk])


def _position(text: str | None) -> tuple[datetime, int] | None:
    """The position a cursor names, or None for anything that is not one."""
    values = decode_cursor(text, max_length=200)
    if values is None or len(values) != 2:
        return None
    when, pk = values
    try:
        when = datetime.fromisoformat(when)
    except (ValueError, TypeError):
        return None
    if not isinstance(pk, int) or not 0 < pk < 2**63 or when.tzinfo is None:
        return None
    return when, pk


def _older_than(position: tuple[datetime, int]) -> Q:
    when, pk = position
    # ``created_at <=`` first: it is the index range; the rest breaks the ties.
    return Q(created_at__lte=when) & (Q(created_at__lt=when) | Q(pk__lt=pk))


def _newer_than(position: tuple[datetime, int]) -> Q:
    when, pk = position
    return Q(created_at__gte=when) & (Q(created_at__gt=when) | Q(pk__gt=pk))


@dataclass(frozen=True)
class TimelinePage(CursorPageLinks):
    """A page of rows for the one pager (includes/pager.html, ``cursor``):
    no total, so no number of pages."""

    rows: list
    number: int
    next_cursor: str = ""
    previous_cursor: str = ""
    # The pager says "Page n" without "of m".
    num_pages: int = 0


def _page_number(raw: str | None) -> int:
    try:
        return max(int(raw or 1), 1)
    except ValueError:
        return 1


def timeline_page(rows: QuerySet, params, page_size: int = PAGE_SIZE) -> TimelinePage:
    """The page of ``rows`` that ``params`` (the query string) asks for:
    after a cursor (older rows), before one (newer rows), or the newest."""
    after, before = _position(params.get("after")), _position(params.get("before"))
    number = _page_number(params.get("page"))
    if after is not None:
        found = list(rows.filter(_older_than(after)).order_by(*NEWEST_FIRST)[: page_size + 1])
        more_older = len(found) > page_size
        found = found[:page_size]
        number = max(number, 2)
    elif before is not None:
        found = list(rows.filter(_newer_than(before)).order_by(*OLDEST_FIRST)[: page_size + 1])
        more_newer = len(found) > page_size
        found = found[:page_size][::-1]
        # The position it came from is older: there is a next page.
        more_older = True
        number = max(number, 2) if more_newer else 1
    else:
        found = list(rows.order_by(*NEWEST_FIRST)[: page_size + 1])
        more_older = len(found) > page_size
        found = found[:page_size]
        number = 1
    if not found:
        # Nothing, or a cursor past either end (its rows deleted meanwhile).
        return TimelinePage([], number)
    return TimelinePage(
        rows=found,
        number=number,
        next_cursor=_cursor(found[-1]) if more_older else "",
        previous_cursor=_cursor(found[0]) if number > 1 else "",
    )
