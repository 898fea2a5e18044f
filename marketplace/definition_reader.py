"""Reading an uploaded API definition for the service page: the text as it
is, and for OpenAPI (JSON or YAML) the list of its operations.

Parsing is data only (``yaml.safe_load``, ``json.loads``) and bounded in
size; nothing in a definition is executed or fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import yaml

from .models import DefinitionFormat, Service

MAX_PARSED_CHARACTERS = 2_000_000
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str


@dataclass
class DefinitionView:
    format_label: str
    text: str
    title: str = ""
    operations: list[Operation] = field(default_factory=list)
    problem: str = ""


def _load(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return yaml.safe_load(text)


def openapi_operations(text: str) -> tuple[str, list[Operation]]:
    """(title, operations) of an OpenAPI or Swagger document; ValueError
    when it cannot be read as one."""
    if len(text) > MAX_PARSED_CHARACTERS:
        raise ValueError("The definition is too large to list its operations.")
    try:
        document = _load(text)
    except yaml.YAMLError as error:
        raise ValueError("The definition is not valid JSON or YAML.") from error
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise ValueError("The definition has no paths.")
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    operations = []
    for path, item in document["paths"].items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                summary = operation.get("summary") or operation.get("operationId") or ""
                operations.append(Operation(method.upper(), str(path), str(summary)))
    return str(info.get("title", "")), operations


def describe_definition(service: Service) -> DefinitionView | None:
    if not service.api_definition:
        return None
    label = (
        DefinitionFormat(service.definition_format).label
        if service.definition_format in DefinitionFormat.values
        else "Text"
    )
    view = DefinitionView(format_label=label, text=service.api_definition)
    if service.definition_format == DefinitionFormat.OPENAPI:
        try:
            view.title, view.operations = openapi_operations(service.api_definition)
        except (ValueError, RecursionError) as error:
            view.problem = str(error) if isinstance(error, ValueError) else "Too deeply nested."
    return view
