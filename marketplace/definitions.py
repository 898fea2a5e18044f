"""API definition files: read an upload as text and recognize its format.

Recognition only looks at the text with regular expressions, each pass
linear in the text. Nothing is parsed as YAML, imported, executed or
fetched: a definition is an untrusted upload, and a YAML alias bomb or an
``$ref`` to a URL must cost nothing.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from .models import DEFINITION_MAX_BYTES, DefinitionFormat


def _top_level_key(key: str) -> re.Pattern[str]:
    """A key of a YAML or JSON document: at the start of a line, or just
    after "{" or "," in minified JSON; quoted or not."""
    return re.compile(r"(?:^|[{,])[ \t]*[\"']?" + key + r"[\"']?[ \t]*:", re.MULTILINE)


_OPENAPI = _top_level_key("(?:openapi|swagger)")
_ASYNCAPI = _top_level_key("asyncapi")
_PROTO_SYNTAX = re.compile(r"^[ \t]*syntax[ \t]*=[ \t]*[\"']proto[23][\"']", re.MULTILINE)
_PROTO_SERVICE = re.compile(r"^[ \t]*service[ \t]+\w+[ \t]*\{", re.MULTILINE)
_PROTO_RPC = re.compile(r"\brpc\b")
_WSDL = re.compile(
    r"<(?:[\w-]+:)?definitions\b|schemas\.xmlsoap\.org/wsdl|www\.w3\.org/ns/wsdl", re.IGNORECASE
)
_GRAPHQL = re.compile(
    r"^[ \t]*(?:extend[ \t]+)?(?:type[ \t]+(?:Query|Mutation|Subscription)\b|schema[ \t]*\{)",
    re.MULTILINE,
)


def _has_service_with_rpc(text: str) -> bool:
    """A .proto without a syntax line: a ``service X {`` block holding an rpc.

    Each character is searched once: the blocks of service lines that open
    before the first block's ``}`` end at that same ``}``, so when the first
    holds no rpc neither do they (a file of ``service a {`` lines with no
    ``}`` would otherwise be searched to its end from every line).
    """
    position = 0
    while head := _PROTO_SERVICE.search(text, position):
        end = text.find("}", head.end())
        end = len(text) if end < 0 else end
        if _PROTO_RPC.search(text, head.end(), end):
            return True
        position = end
    return False


def detect_format(text: str) -> str:
    """The ``DefinitionFormat`` value of a definition, or "" when unknown."""
    # OpenAPI and AsyncAPI documents both carry a version key; whichever
    # comes first names the document (the other may appear in a description).
    keyed = [
        (match.start(), fmt)
        for pattern, fmt in (
            (_OPENAPI, DefinitionFormat.OPENAPI),
            (_ASYNCAPI, DefinitionFormat.ASYNCAPI),
        )
        if (match := pattern.search(text))
    ]
    if keyed:
        return min(keyed)[1].value
    if _PROTO_SYNTAX.search(text) or _has_service_with_rpc(text):
        return DefinitionFormat.PROTO.value
    if _WSDL.search(text):
        return DefinitionFormat.WSDL.value
    if _GRAPHQL.search(text):
        return DefinitionFormat.GRAPHQL_SDL.value
    return ""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_definition(upload: UploadedFile) -> tuple[str, str]:
    """The text of an uploaded definition and its format.

    Raises ``ValidationError`` with a message for the person who uploaded it.
    """
    if upload.size is not None and upload.size > DEFINITION_MAX_BYTES:
        raise ValidationError(
            f"The file is {_megabytes(upload.size)}; a definition may be at most "
            f"{_megabytes(DEFINITION_MAX_BYTES)}.",
            code="too_large",
        )
    data = b"".join(upload.chunks())
    if len(data) > DEFINITION_MAX_BYTES:
        raise ValidationError(
            f"The file is larger than {_megabytes(DEFINITION_MAX_BYTES)}.", code="too_large"
        )
    not_text = ValidationError(
        "This file is not UTF-8 text. Upload the definition itself: OpenAPI or AsyncAPI "
        "(JSON or YAML), GraphQL SDL, .proto or WSDL.",
        code="not_text",
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise not_text from error
    # Valid UTF-8 can still hold NUL bytes, which PostgreSQL cannot store in
    # a text column; no definition format uses them.
    if "\x00" in text:
        raise not_text
    if not text.strip():
        raise ValidationError("The file is empty.", code="empty")
    return text, detect_format(text)


# A download's media type and file extension per format. OpenAPI and
# AsyncAPI documents are JSON or YAML, told apart by their first character.
_DOWNLOAD_TYPES = {
    DefinitionFormat.GRAPHQL_SDL: ("text/plain; charset=utf-8", "graphql"),
    DefinitionFormat.PROTO: ("text/plain; charset=utf-8", "proto"),
    DefinitionFormat.WSDL: ("application/wsdl+xml; charset=utf-8", "wsdl"),
}
_JSON = ("application/json", "json")
_YAML = ("application/yaml; charset=utf-8", "yaml")
_TEXT = ("text/plain; charset=utf-8", "txt")


def download_type(text: str, definition_format: str) -> tuple[str, str]:
    """(media type, file extension) of a stored definition, for its download."""
    if definition_format in (DefinitionFormat.OPENAPI, DefinitionFormat.ASYNCAPI):
        # Only the start is looked at: a JSON document opens with "{".
        return _JSON if text[:1000].lstrip().startswith("{") else _YAML
    return _DOWNLOAD_TYPES.get(definition_format, _TEXT)
