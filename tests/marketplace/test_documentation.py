"""A service's documentation as written: the overview's Markdown rendered and
sanitized, and the API definition summarized, once and within bounds
(issue #11, items 1, 2 and 4)."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from marketplace.definition_reader import (
    MAX_LISTED_OPERATIONS,
    MAX_SUMMARY_CHARACTERS,
    summarize_definition,
)
from marketplace.documentation import documentation_fields
from marketplace.markup import render_markdown
from marketplace.services import (
    internal_service_publish,
    third_party_service_register,
    third_party_service_update,
)
from tests.hostile_documents import METHODS, alias_bomb, aliased_string_everywhere, calls

# --- Markdown ------------------------------------------------------------------


@pytest.mark.parametrize(
    "unit",
    ["[", "![", "*a **b ", "[a](b)", "> - ", "<"],
    ids=["brackets", "images", "emphasis", "link-chain", "nesting", "angles"],
)
def test_it_renders_pathological_markdown_with_work_linear_in_its_length(unit):
    # python-Markdown made 1.6 M calls for 1,000 "[" and 6 M for 2,000.
    short, long = unit * (1000 // len(unit)), unit * (2000 // len(unit))

    assert calls(render_markdown, long) <= 2.5 * calls(render_markdown, short) + 1000


def test_it_keeps_only_language_classes_on_code():
    html = render_markdown(
        '<code class="position-fixed top-0 start-0 w-100 h-100 bg-white z-3 d-block">'
        'Session expired. <a href="https://elsewhere.example/login">Log in again</a></code>'
        "\n\n```python\nprint(1)\n```\n"
    )

    assert "position-fixed" not in html
    assert "z-3" not in html
    assert "<code>Session expired." in html
    assert '<code class="language-python">' in html


def test_it_renders_tables_strikethrough_and_sanitized_links():
    html = render_markdown(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ **new** <script>alert(1)</script>"
        "\n\n[docs](https://docs.example) [bad](javascript:alert(1))"
    )

    assert "<td>1</td>" in html
    assert "<s>old</s>" in html
    assert "<strong>new</strong>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert '<a href="https://docs.example" rel="noopener noreferrer nofollow">docs</a>' in html


# --- API definitions -------------------------------------------------------------


def test_it_refuses_yaml_aliases_rather_than_expand_them():
    text = alias_bomb()
    tracemalloc.start()
    try:
        summary = summarize_definition(text, "openapi")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(text) < 500
    assert "aliases" in summary["problem"]
    assert summary["operations"] == []
    assert len(json.dumps(summary)) < 500
    assert peak < 1_000_000


def test_it_keeps_the_summary_small_for_a_string_aliased_into_every_operation():
    summary = summarize_definition(aliased_string_everywhere(), "openapi")

    assert "aliases" in summary["problem"]
    assert len(json.dumps(summary)) < 500


def test_it_lists_a_bounded_number_of_operations_with_short_strings():
    paths = {
        f"/p{index}/" + "q" * 1000: {
            method: {"summary": "s" * 10_000, "operationId": "o"} for method in METHODS
        }
        for index in range(200)
    }
    text = json.dumps({"openapi": "3.0.0", "info": {"title": "T" * 10_000}, "paths": paths})

    summary = summarize_definition(text, "openapi")

    assert summary["count"] == 1600
    assert len(summary["operations"]) == MAX_LISTED_OPERATIONS
    assert all(len(op["summary"]) <= MAX_SUMMARY_CHARACTERS for op in summary["operations"])
    assert len(json.dumps(summary)) < 150_000
    assert summary["problem"] == ""


def test_it_lists_the_operations_of_an_openapi_document():
    summary = summarize_definition(
        "openapi: 3.0.0\ninfo: {title: Payments API}\npaths:\n"
        "  /payments:\n    post: {summary: Create a payment}\n    get: {operationId: list}\n",
        "openapi",
    )

    assert summary == {
        "title": "Payments API",
        "operations": [
            {"method": "GET", "path": "/payments", "summary": "list"},
            {"method": "POST", "path": "/payments", "summary": "Create a payment"},
        ],
        "count": 2,
        "problem": "",
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested"),
        # libyaml stops at its own nesting limit.
        ("- " * 5000 + "x", "not valid JSON or YAML"),
        ("openapi: 3.0.0\npaths: {}\nbig: " + "9" * 5000 + "\n", "cannot be read"),
        ("openapi: [unbalanced\n  - : :", "not valid JSON or YAML"),
        ("openapi: 3.0.0\nx: !!python/object:os.system ls\n", "not valid JSON or YAML"),
        ("openapi: 3.0.0\ninfo: {title: T}\n", "no paths"),
    ],
    ids=["deep-json", "deep-yaml", "huge-number", "broken", "python-tag", "no-paths"],
)
def test_it_says_why_a_definition_cannot_be_listed(text, problem):
    summary = summarize_definition(text, "openapi")

    assert problem in summary["problem"]
    assert summary["operations"] == []


def test_it_summarizes_only_openapi():
    assert summarize_definition('syntax = "proto3";', "proto") == {}
    assert summarize_definition("", "openapi") == {}


# --- Every write stores what the page shows -------------------------------------------


def test_it_stores_the_rendered_overview_and_summary_on_every_write(organization, component):
    definition = "openapi: 3.0.0\ninfo: {title: Ledger}\npaths: {/a: {get: {summary: A}}}\n"
    registered = third_party_service_register(
        organization=organization,
        name="Ledger",
        version="1.0.0",
        overview="**one**",
        api_definition=definition,
        definition_format="openapi",
    )
    assert registered.overview_html == "<p><strong>one</strong></p>\n"
    assert registered.definition_summary["operations"][0]["summary"] == "A"

    updated = third_party_service_update(
        service=registered,
        name="Ledger",
        version="1.0.1",
        service_type="rest",
        security="none",
        overview="*two*",
    )
    updated.refresh_from_db()
    assert updated.overview_html == "<p><em>two</em></p>\n"
    assert updated.definition_summary == {}

    published = internal_service_publish(
        component=component,
        endpoint_handle="api",
        endpoint_name="API",
        version="1.0.0",
        visibility="organization",
        overview="# Three",
    )
    published.refresh_from_db()
    assert published.overview_html == "<h1>Three</h1>\n"


def test_it_derives_everything_shown_from_what_is_written():
    assert documentation_fields(overview="", api_definition="", definition_format="") == {
        "overview": "",
        "overview_html": "",
        "api_definition": "",
        "definition_format": "",
        "definition_summary": {},
    }
