"""What the service page shows of an API definition: for OpenAPI (JSON or
YAML) its title and a list of its operations, computed once when the
definition is written and stored as a small summary (see documentation.py).

A definition is an untrusted upload. Parsing is data only (no Python tags,
nothing executed or fetched), and YAML aliases are refused rather than
expanded: a few hundred bytes of nested ``*refs`` (or one long string
referenced from every operation) would otherwise become gigabytes when the
operations are walked. What is kept is bounded whatever the upload holds:
short strings and at most MAX_LISTED_OPERATIONS operations.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from .models import DefinitionFormat

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_LISTED_OPERATIONS = 200
MAX_TITLE_CHARACTERS = 200
MAX_PATH_CHARACTERS = 300
MAX_SUMMARY_CHARACTERS = 200

# libyaml when it is built in; the alias check below holds for both.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UnreadableDefinition(ValueError):
    """The definition cannot be read as OpenAPI; the message says why."""


def _short(value: object, limit: int) -> str:
    # Only scalars: str() of a list or mapping could be as long as the file.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refuse_aliases(text: str) -> None:
    # The event stream is read without building anything, so an alias is
    # seen before any expansion could happen.
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise UnreadableDefinition(
                "The definition uses YAML aliases (*name), which are not expanded here, "
                "so its operations are not listed."
            )


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    _refuse_aliases(text)
    return yaml.load(text, Loader=_LOADER)


def _document(text: str) -> Any:
    try:
        return _load(text)
    except UnreadableDefinition:
        raise
    except yaml.YAMLError as error:
        raise UnreadableDefinition("The definition is not valid JSON or YAML.") from error
    except RecursionError as error:
        raise UnreadableDefinition("The definition is too deeply nested.") from error
    except (ValueError, TypeError, OverflowError) as error:
        # e.g. a number of more digits than Python converts.
        raise UnreadableDefinition("The definition holds a value that cannot be read.") from error


def _openapi_summary(text: str) -> dict[str, Any]:
    document = _document(text)
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise UnreadableDefinition("The definition has no paths.")
    info = document.get("info")
    title = _short(info.get("title"), MAX_TITLE_CHARACTERS) if isinstance(info, dict) else ""
    operations = []
    count = 0
    for path, item in document["paths"].items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            count += 1
            if len(operations) < MAX_LISTED_OPERATIONS:
                summary = operation.get("summary") or operation.get("operationId")
                operations.append(
                    {
                        "method": method.upper(),
                        "path": _short(path, MAX_PATH_CHARACTERS),
                        "summary": _short(summary, MAX_SUMMARY_CHARACTERS),
                    }
                )
    return {"title": title, "operations": operations, "count": count, "problem": ""}


def summarize_definition(text: str, definition_format: str) -> dict[str, Any]:
    """The stored summary of a definition: ``title``, ``operations`` (at most
    MAX_LISTED_OPERATIONS of {method, path, summary}), ``count`` (all of
    them) and ``problem`` (why they could not be listed, or ""). Empty for
    no definition or a format whose operations are not listed."""
    if not text or definition_format != DefinitionFormat.OPENAPI:
        return {}
    try:
        return _openapi_summary(text)
    except UnreadableDefinition as error:
        return {"title": "", "operations": [], "count": 0, "problem": str(error)}
