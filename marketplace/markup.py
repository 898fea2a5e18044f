"""Service overviews are markdown written by people: render it, then keep
only harmless HTML (nh3, the Rust ammonia sanitizer)."""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

MAX_OVERVIEW_CHARACTERS = 100_000

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "del",
}  # fmt: skip


def render_markdown(text: str) -> SafeString:
    html = markdown.markdown(
        (text or "")[:MAX_OVERVIEW_CHARACTERS],
        extensions=["fenced_code", "tables", "sane_lists"],
        output_format="html",
    )
    # Links keep only safe schemes and may not carry the referrer out.
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "code": {"class"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)
