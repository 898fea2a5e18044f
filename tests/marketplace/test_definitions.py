"""Reading an uploaded API definition and recognizing its format."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace import definitions
from marketplace.definitions import DEFINITION_MAX_BYTES, detect_format, read_definition

OPENAPI_YAML = """\
openapi: 3.0.3
info:
  title: Payments
paths: {}
"""
SWAGGER_JSON = '{\n  "swagger": "2.0",\n  "info": {"title": "Legacy"}\n}'
MINIFIED_OPENAPI = '{"info":{"title":"x"},"openapi":"3.1.0","paths":{}}'
ASYNCAPI_YAML = """\
asyncapi: 2.6.0
info:
  title: Orders events
  description: Not an openapi document.
"""
GRAPHQL = """\
\"\"\"The root of every read.\"\"\"
type Query {
  order(id: ID!): Order
}
"""
GRAPHQL_SCHEMA = "schema {\n  query: Root\n}\n"
PROTO = (
    'syntax = "proto3";\npackage acme.orders;\nservice Orders { rpc Get (Req) returns (Res); }\n'
)
PROTO_WITHOUT_SYNTAX = "package acme;\nservice Orders {\n  rpc Get (Req) returns (Res);\n}\n"
WSDL = """<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" name="Ledger">
</wsdl:definitions>
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (OPENAPI_YAML, "openapi"),
        (SWAGGER_JSON, "openapi"),
        (MINIFIED_OPENAPI, "openapi"),
        (ASYNCAPI_YAML, "asyncapi"),
        (GRAPHQL, "graphql-sdl"),
        (GRAPHQL_SCHEMA, "graphql-sdl"),
        (PROTO, "proto"),
        (PROTO_WITHOUT_SYNTAX, "proto"),
        (WSDL, "wsdl"),
        ("Just some notes about the API.\n", ""),
        ("title: an unrelated YAML file\n", ""),
    ],
)
def test_it_recognizes_the_format_of_a_definition(text, expected):
    assert detect_format(text) == expected


def test_it_names_a_document_by_its_own_key_not_one_in_a_description():
    text = "asyncapi: 2.6.0\ninfo:\n  description: |\n    openapi: is what the REST side uses\n"
    assert detect_format(text) == "asyncapi"


def test_it_reads_an_upload_as_text_with_its_format():
    upload = SimpleUploadedFile("api.yaml", OPENAPI_YAML.encode())
    assert read_definition(upload) == (OPENAPI_YAML, "openapi")


def test_it_drops_a_byte_order_mark():
    upload = SimpleUploadedFile("api.json", b"\xef\xbb\xbf" + SWAGGER_JSON.encode())
    assert read_definition(upload) == (SWAGGER_JSON, "openapi")


def test_it_keeps_a_definition_of_an_unknown_format():
    upload = SimpleUploadedFile("notes.txt", "Ünïcode notes ✓".encode())
    assert read_definition(upload) == ("Ünïcode notes ✓", "")


def test_it_refuses_a_file_over_the_limit():
    upload = SimpleUploadedFile("big.yaml", b"a" * (DEFINITION_MAX_BYTES + 1))
    with pytest.raises(ValidationError) as error:
        read_definition(upload)
    assert "at most 1.0 MB" in error.value.messages[0]


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", b"openapi: 3.0.0\x00\x00"])
def test_it_refuses_a_file_that_is_not_text(data):
    with pytest.raises(ValidationError) as error:
        read_definition(SimpleUploadedFile("logo.png", data))
    assert "not UTF-8 text" in error.value.messages[0]


def test_it_refuses_a_blank_file():
    with pytest.raises(ValidationError):
        read_definition(SimpleUploadedFile("blank.yaml", b"  \n\n"))


class _CountingPattern:
    """Stands in for a compiled pattern and adds up the characters it is
    asked to search."""

    def __init__(self, pattern):
        self.pattern = pattern
        self.searched = 0

    def search(self, text, pos=0, endpos=None):
        endpos = len(text) if endpos is None else endpos
        self.searched += max(0, endpos - pos)
        return self.pattern.search(text, pos, endpos)


def test_it_stays_linear_on_a_hostile_file(monkeypatch):
    # Many service openings and no closing brace: searching each one's block
    # to the end of the file would be quadratic (issue #11, item 9).
    text = "service a {\n" * 80_000
    rpc = _CountingPattern(definitions._PROTO_RPC)
    monkeypatch.setattr(definitions, "_PROTO_RPC", rpc)

    assert detect_format(text) == ""
    assert rpc.searched <= len(text)


def test_it_finds_an_rpc_in_a_later_service_block():
    text = "service Empty {\n}\n" * 3 + "service Orders {\n  rpc Get (Req) returns (Res);\n}\n"
    assert detect_format(text) == "proto"
