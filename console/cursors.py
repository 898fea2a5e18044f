"""Lists paged by position, not by offset: the opaque cursor that names a
row's position in a list's order, and what the one pager
(includes/pager.html) reads of such a page.

Used by the activity log (console/timeline.py) and the marketplace's cards
(marketplace/paging.py); each says what a position is in its own order.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence


def encode_cursor(position: Sequence) -> str:
    """A position (JSON-able values) as text for an address."""
    raw = json.dumps(list(position), separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str | None, *, max_length: int) -> list | None:
    """The values a cursor holds, or None for anything that is not one; the
    caller checks that they make a position."""
    if not text or len(text) > max_length:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) else None


class CursorPageLinks:
    """The pager's links for a page with ``number`` and ``next_cursor``,
    named as on Django's Page."""

    number: int
    next_cursor: str

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1
