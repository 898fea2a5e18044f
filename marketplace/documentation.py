"""A service's documentation as it is written and as its page shows it.

Every write of an overview or an API definition (the service functions, the
admin, the demo data, the benchmark's builder, the migration that filled
existing rows) goes through ``documentation_fields``: rendering Markdown and
reading a definition happen once, there, and the page only reads the stored
results. A view never parses, so what a visitor costs does not depend on
what a provider uploaded.
"""

from __future__ import annotations

from typing import Any

from .definition_reader import summarize_definition
from .markup import render_markdown


def documentation_fields(
    *, overview: str, api_definition: str, definition_format: str
) -> dict[str, Any]:
    """The Service fields to write for this overview and definition, with
    what is derived from them (``overview_html``, ``definition_summary``)."""
    return {
        "overview": overview,
        "overview_html": render_markdown(overview),
        "api_definition": api_definition,
        "definition_format": definition_format,
        "definition_summary": summarize_definition(api_definition, definition_format),
    }
