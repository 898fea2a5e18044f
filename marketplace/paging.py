"""Paging through marketplace cards by position, not by offset.

The cards are ordered by (name, newest major first, id). "Next" carries the
last card's position and "Previous" the first one's, as an opaque cursor;
the next page is then read off the card-order index from that position, so
page 5,000 costs what page 1 costs. The total is known from the facet
counts, so no page ever counts the services either.

A page number alone (a bookmark, or one typed by hand) still works, by
offset. A search's pages are cached with its counts (see facets.py). A page
read before its search's counts (facets.py, ``later``) has no total: it
says only whether there are cards before and after it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q, QuerySet

from console.cursors import CursorPageLinks, decode_cursor, encode_cursor

from .models import Service

PAGE_SIZE = 12
CACHE_SECONDS = 600
# How many cards a walked page (``walked_page``) tests at most.
WALK_WINDOW = 240
ORDER = ("name", "-major", "pk")
REVERSED = ("-name", "major", "-pk")


def _cursor(service: Service) -> str:
    return encode_cursor([service.name, service.major, service.pk])


def _position(text: str | None) -> tuple[str, int, int] | None:
    """The position a cursor names, or None for anything that is not one."""
    values = decode_cursor(text, max_length=700)
    if values is None or len(values) != 3:
        return None
    name, major, pk = values
    if not (isinstance(name, str) and isinstance(major, int) and isinstance(pk, int)):
        return None
    if "\x00" in name or not (0 <= major < 2**31 and 0 < pk < 2**63):
        return None
    return name, major, pk


def _after(position: tuple[str, int, int]) -> Q:
    name, major, pk = position
    # ``name >=`` first: it is the index range; the rest breaks the ties.
    return Q(name__gte=name) & (Q(name__gt=name) | Q(major__lt=major) | Q(major=major, pk__gt=pk))


def _before(position: tuple[str, int, int]) -> Q:
    name, major, pk = position
    return Q(name__lte=name) & (Q(name__lt=name) | Q(major__gt=major) | Q(major=major, pk__lt=pk))


def _at_or_before(position: tuple[str, int, int]) -> Q:
    name, major, pk = position
    return Q(name__lte=name) & (Q(name__lt=name) | Q(major__gt=major) | Q(major=major, pk__lte=pk))


def _at_or_after(position: tuple[str, int, int]) -> Q:
    name, major, pk = position
    return Q(name__gte=name) & (Q(name__gt=name) | Q(major__lt=major) | Q(major=major, pk__gte=pk))


@dataclass(frozen=True)
class ResultsPage(CursorPageLinks):
    services: list[Service]
    number: int
    total: int | None  # None: not counted yet
    page_size: int
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def num_pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.page_size))

    @property
    def has_other_pages(self) -> bool:
        # Named as on Django's Page, so the one pager (includes/pager.html) reads both.
        if self.total is None:
            return self.has_previous or self.has_next
        return self.num_pages > 1


def _page_number(raw: str | None, num_pages: int | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        number = 1
    # Without a total, a number past the last page finds no card and shows the first.
    return min(max(number, 1), num_pages or 10**9)


def results_page(
    services: QuerySet,
    params,
    total: int | None,
    *,
    cache_key: str | None = None,
    by_id: QuerySet | None = None,
    walk: tuple[QuerySet, Q] | None = None,
) -> ResultsPage:
    """The page of ``services`` that ``params`` (the query string) asks for.

    With ``cache_key`` (a search's, see facets.py) the page's card ids are
    cached beside its counts, and a repeated request reads the cards by id
    from ``by_id``, the scope's services without the search. With ``walk``
    (the same services without the search, and the search tested row by
    row) the page is first looked for by ``walked_page``.
    """
    page_key = None
    if cache_key is not None and by_id is not None:
        asked = "\x1f".join(params.get(name, "") for name in ("page", "after", "before"))
        page_key = f"{cache_key}:page:{hashlib.sha256(asked.encode()).hexdigest()}"
        if (cached := cache.get(page_key)) is not None:
            ids, number, next_cursor, previous_cursor = cached
            found = {service.pk: service for service in by_id.filter(pk__in=ids)}
            return ResultsPage(
                services=[found[pk] for pk in ids if pk in found],
                number=number,
                total=total,
                page_size=PAGE_SIZE,
                next_cursor=next_cursor,
                previous_cursor=previous_cursor,
            )
    page = walked_page(*walk, params) if walk is not None else None
    if page is None:
        page = _read_page(services, params, total)
    if page_key is not None:
        cached = (
            [s.pk for s in page.services],
            page.number,
            page.next_cursor,
            page.previous_cursor,
        )
        cache.set(page_key, cached, CACHE_SECONDS)
    return page


def _read_page(services: QuerySet, params, total: int | None) -> ResultsPage:
    num_pages = None if total is None else max(1, -(-total // PAGE_SIZE))
    number = _page_number(params.get("page"), num_pages)
    after, before = _position(params.get("after")), _position(params.get("before"))
    if after is not None:
        rows = list(services.filter(_after(after)).order_by(*ORDER)[: PAGE_SIZE + 1])
        more_after = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
    elif before is not None:
        rows = list(services.filter(_before(before)).order_by(*REVERSED)[: PAGE_SIZE + 1])
        more_after = True
        rows = rows[:PAGE_SIZE][::-1]
    else:
        start = (number - 1) * PAGE_SIZE
        rows = list(services.order_by(*ORDER)[start : start + PAGE_SIZE + 1])
        more_after = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
    if not rows:
        number = 1
    return ResultsPage(
        services=rows,
        number=number,
        total=total,
        page_size=PAGE_SIZE,
        next_cursor=_cursor(rows[-1]) if rows and more_after else "",
        previous_cursor=_cursor(rows[0]) if rows and number > 1 else "",
    )


def walked_page(
    services: QuerySet, condition: Q, params, *, window: int = WALK_WINDOW
) -> ResultsPage | None:
    """The page ``params`` asks for of the ``services`` that meet
    ``condition``, with no total, found by testing at most ``window`` of
    them one by one in card order from the page's position: what a search
    that most services match costs, however many they are. None where those
    hold too few matches to fill the page (the caller then reads the matches
    off their index), and for a page asked for by number alone (an offset
    among the matches).
    """
    after, before = _position(params.get("after")), _position(params.get("before"))
    if after is None and before is None and params.get("page") not in (None, "", "1"):
        return None
    backwards = after is None and before is not None
    order = REVERSED if backwards else ORDER
    if after is not None:
        services = services.filter(_after(after))
    elif before is not None:
        services = services.filter(_before(before))
    # The window's last card, off the card-order index: bounded by it, the
    # walk stops there even when nothing matches.
    edge = services.order_by(*order).values_list("name", "major", "pk")[window - 1 : window]
    edge = edge.first()
    if edge is not None:
        services = services.filter(_at_or_after(edge) if backwards else _at_or_before(edge))
    rows = list(services.filter(condition).order_by(*order)[: PAGE_SIZE + 1])
    if len(rows) <= PAGE_SIZE and edge is not None:
        return None
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if backwards:
        rows.reverse()
    number = _page_number(params.get("page"), None) if after or before else 1
    return ResultsPage(
        services=rows,
        number=number if rows else 1,
        total=None,
        page_size=PAGE_SIZE,
        # Walking back, there are cards after this page: the one it came from.
        next_cursor=_cursor(rows[-1]) if rows and (more or backwards) else "",
        previous_cursor=_cursor(rows[0]) if rows and number > 1 else "",
    )
