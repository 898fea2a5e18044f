"""Service overviews are Markdown written by people: render it, then keep
only harmless HTML (nh3, the Rust ammonia sanitizer).

Rendering runs once, when an overview is written (see documentation.py);
the page shows the stored result. markdown-it-py follows CommonMark, whose
inline parsing is linear in the text: thousands of unclosed ``[`` or ``![``
cost as much as any other text of that length.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}}
# A fenced block's language (```python) becomes class="language-python"; no
# stylesheet of the page selects on these, unlike Bootstrap's utilities
# (position-fixed, w-100, ...), which would let an overview cover the page.
_CODE_CLASS = re.compile(r"language-[A-Za-z0-9_+-]+")

# CommonMark with GitHub's tables and strikethrough (what the overviews used
# before). Raw HTML stays allowed: nh3 keeps only ALLOWED_TAGS of it.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "code" and attribute == "class":
        return " ".join(name for name in value.split() if _CODE_CLASS.fullmatch(name)) or None
    return value


def render_markdown(text: str) -> str:
    """Sanitized HTML of an overview, to be stored and shown as it is."""
    if not text or not text.strip():
        return ""
    # Links keep only safe schemes and may not carry the referrer out.
    return nh3.clean(
        _MARKDOWN.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
