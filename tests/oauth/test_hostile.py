"""Hostile input on the five endpoints: every refusal is an RFC-shaped JSON
answer (400, 401, 405 or 413), never a 500, never HTML; and no secret or
token reaches the logs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from oauth import signing

from .conftest import FORM, PROVIDER_ID, PROVIDER_SECRET, basic

FORM_ENDPOINTS = ("token", "introspect", "revoke")
GRANT = {"grant_type": "client_credentials"}


def _assert_json_answer(response, *statuses):
    """A refusal as _assert_rfc_error checks it, or a 200 JSON answer (an
    odd but well-formed token is just a token nobody knows)."""
    if response.status_code == 200:
        assert response["Content-Type"].startswith("application/json")
        assert "error" not in response.json()
        return response.json()
    return _assert_rfc_error(response, *statuses)


def _assert_rfc_error(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body.get("error"), str) and body["error"]
    assert b"<html" not in response.content.lower()
    if response.status_code == 401 and "WWW-Authenticate" in response:
        assert response["WWW-Authenticate"].startswith("Basic")
    return body


@pytest.fixture
def raw(client):
    """A POST with a body and content type of the test's choosing."""

    def _raw(name: str, body: bytes | str, content_type: str = FORM, **extra):
        return client.generic("POST", reverse(f"oauth:{name}"), body, content_type, **extra)

    return _raw


@pytest.fixture
def auth_for(consumer, introspection_client):
    """The right credentials for each endpoint."""
    return {
        "token": basic(consumer.key, consumer.secret),
        "introspect": basic(PROVIDER_ID, PROVIDER_SECRET),
        "revoke": basic(consumer.key, consumer.secret),
    }


# -- methods ----------------------------------------------------------------


@pytest.mark.parametrize("name", FORM_ENDPOINTS)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_form_endpoints_take_only_post(client, db, name, method):
    response = client.generic(method, reverse(f"oauth:{name}"))

    _assert_rfc_error(response, 405)
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("name", ["metadata", "jwks"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_documents_take_only_get(client, db, name, method):
    response = client.generic(method, reverse(f"oauth:{name}"), "a=b", FORM)

    _assert_rfc_error(response, 405)
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("name", ["metadata", "jwks"])
def test_documents_ignore_a_query_string_and_stay_json(client, db, name):
    response = client.get(reverse(f"oauth:{name}") + "?x=%00%ff&x=" + "y" * 3000)

    assert response.status_code == 200
    assert response.json()


# -- bodies -----------------------------------------------------------------


@pytest.mark.parametrize("name", FORM_ENDPOINTS)
def test_parameters_in_the_query_string_are_refused(client, auth_for, name):
    response = client.post(
        reverse(f"oauth:{name}") + "?grant_type=client_credentials&token=x",
        "grant_type=client_credentials&token=x",
        FORM,
        HTTP_AUTHORIZATION=auth_for[name],
    )

    _assert_rfc_error(response, 400)


@pytest.mark.parametrize("name", FORM_ENDPOINTS)
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (json.dumps({"grant_type": "client_credentials", "token": "x"}), "application/json"),
        ("grant_type=client_credentials", "text/plain"),
        (
            '--b\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\n'
            "client_credentials\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
        ("grant_type=client_credentials", ""),
    ],
)
def test_other_content_types_are_refused(raw, auth_for, name, body, content_type):
    response = raw(name, body, content_type, HTTP_AUTHORIZATION=auth_for[name])

    _assert_rfc_error(response, 400)


@pytest.mark.parametrize("name", FORM_ENDPOINTS)
def test_a_body_over_8_kb_is_413(raw, auth_for, name):
    body = "grant_type=client_credentials&token=" + "a" * 9000

    response = raw(name, body, HTTP_AUTHORIZATION=auth_for[name])

    _assert_rfc_error(response, 413)


@pytest.mark.parametrize("name", FORM_ENDPOINTS)
@pytest.mark.parametrize("length", ["99999999", "-1", "abc", "1e3", "0"])
def test_a_lying_content_length_is_refused_or_read_safely(raw, auth_for, name, length):
    response = raw(
        name,
        "grant_type=client_credentials&token=abc",
        HTTP_AUTHORIZATION=auth_for[name],
        CONTENT_LENGTH=length,
    )

    _assert_json_answer(response, 400, 401, 413)


@pytest.mark.parametrize("name", FORM_ENDPOINTS)
def test_a_duplicated_parameter_is_invalid_request(raw, auth_for, name):
    body = "grant_type=client_credentials&grant_type=client_credentials&token=a&token=b"

    body = _assert_rfc_error(raw(name, body, HTTP_AUTHORIZATION=auth_for[name]), 400)

    assert body["error"] == "invalid_request"


@pytest.mark.parametrize("name", FORM_ENDPOINTS)
@pytest.mark.parametrize(
    "body",
    [
        "%",
        "%zz=%zz",
        "=&=&&",
        "grant_type=client%00credentials&token=%00",
        "token=%ff%fe&grant_type=%c3%28",
        "a=" + "&a" * 3000,
        "\u00e9t\u00e9=\u00e9",
    ],
)
def test_garbage_forms_never_500(raw, auth_for, name, body):
    response = raw(name, body.encode("utf-8"), HTTP_AUTHORIZATION=auth_for[name])

    _assert_json_answer(response, 400, 401, 413)


@pytest.mark.parametrize("name", FORM_ENDPOINTS)
def test_a_body_that_is_not_utf_8_never_500s(raw, auth_for, name):
    response = raw(name, b"grant_type=\xff\xfe&token=\xc3\x28", HTTP_AUTHORIZATION=auth_for[name])

    _assert_json_answer(response, 400, 401)


# -- the Authorization header -------------------------------------------------


def _b64(raw_bytes: bytes) -> str:
    return base64.b64encode(raw_bytes).decode()


GARBAGE_AUTHORIZATION = [
    "Basic",
    "Basic ",
    "Basic !!!not-base64!!!",
    "Basic " + _b64(b"no-colon-here"),
    "Basic " + _b64(b":"),
    "Basic " + _b64(b"\xff\xfe:\xc3\x28"),
    "Basic " + _b64(b"id:\xff"),
    "Basic " + _b64(b"%zz:%ff"),
    "Basic " + _b64(b"\x00:\x00"),
    "Basic " + "A" * 20000,
    "Basic " + _b64(b"a" * 5000 + b":" + b"b" * 5000),
    "Bearer abc.def.ghi",
    "Digest username=x",
    "basic\tYTpi",
    "Basic YTpi YTpi",
]


@pytest.mark.parametrize("name", FORM_ENDPOINTS)
@pytest.mark.parametrize("header", GARBAGE_AUTHORIZATION)
def test_garbage_basic_headers(raw, consumer, introspection_client, name, header):
    response = raw(name, "grant_type=client_credentials&token=x", HTTP_AUTHORIZATION=header)

    body = _assert_rfc_error(response, 400, 401)
    assert body["error"] in ("invalid_client", "invalid_request")


def test_credentials_both_in_the_header_and_the_form_are_refused(post, consumer):
    form = {**GRANT, "client_id": consumer.key, "client_secret": consumer.secret}

    response = post("token", form, auth=basic(consumer.key, consumer.secret))

    body = _assert_rfc_error(response, 400)
    assert body["error"] == "invalid_request"


def test_the_client_id_in_the_form_with_basic_is_fine_when_it_agrees(post, consumer):
    # Some client libraries repeat the client id in the body.
    response = post(
        "token", {**GRANT, "client_id": consumer.key}, auth=basic(consumer.key, consumer.secret)
    )

    assert response.status_code == 200


def test_a_url_encoded_basic_header_works(post, consumer):
    # RFC 6749, section 2.3.1: the id and secret are form-encoded first.
    from urllib.parse import quote

    auth = "Basic " + _b64(f"{quote(consumer.key)}:{quote(consumer.secret)}".encode())

    assert post("token", GRANT, auth=auth).status_code == 200


# -- tokens that are not Junction's ------------------------------------------------


def _b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def forged(consumer, get_token, settings):
    """Tokens with the right claims that Junction did not sign."""
    real = get_token(consumer)
    claims = pyjwt.decode(real, options={"verify_signature": False})
    claims["exp"] = int(time.time()) + 600
    kid = pyjwt.get_unverified_header(real)["kid"]
    other_key = ec.generate_private_key(ec.SECP256R1())
    public_jwk = signing.signing_key().public_jwk
    public_pem = pyjwt.PyJWK.from_dict(public_jwk).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"typ": "at+jwt", "kid": kid}
    none_token = _b64url({"alg": "none", **header}) + "." + _b64url(claims) + "."
    hs256 = _b64url({"alg": "HS256", **header}) + "." + _b64url(claims)
    signature = hmac.new(public_pem, hs256.encode(), hashlib.sha256).digest()
    hs256 += "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    return {
        "real": real,
        "other key, same kid": pyjwt.encode(claims, other_key, "ES256", headers=header),
        "other key, no kid": pyjwt.encode(claims, other_key, "ES256", headers={"typ": "at+jwt"}),
        "alg none": none_token,
        "HS256 with the public key": hs256,
        "typ JWT": pyjwt.encode(claims, other_key, "ES256", headers={"kid": kid}),
        "tampered claims": real.split(".")[0]
        + "."
        + _b64url({**claims, "client_id": "someone-else"})
        + "."
        + real.split(".")[2],
    }


FORGERIES = [
    "other key, same kid",
    "other key, no kid",
    "alg none",
    "HS256 with the public key",
    "typ JWT",
    "tampered claims",
]


@pytest.mark.parametrize("kind", FORGERIES)
def test_forged_tokens_are_inactive(forged, introspect, kind):
    assert introspect(forged["real"])["active"] is True

    assert introspect(forged[kind]) == {"active": False}


@pytest.mark.parametrize("kind", FORGERIES)
def test_forged_tokens_are_not_revoked_but_answered_200(forged, consumer, post, introspect, kind):
    response = post("revoke", {"token": forged[kind]}, auth=basic(consumer.key, consumer.secret))

    assert response.status_code == 200
    assert introspect(forged["real"])["active"] is True


GARBAGE_TOKENS = [
    "x",
    "a.b.c",
    "..",
    "." * 5000,
    "\u00e9.\u00e9.\u00e9",
    "eyJhbGciOiJub25lIn0.e30.",
    "eyJhbGciOiJFUzI1NiJ9.W10.AAAA",
    _b64url({"alg": "ES256", "kid": ["x"]}) + ".e30.AA",
    _b64url({"alg": "ES256", "crit": ["exp"]}) + ".e30.AA",
    "jct_" + "A" * 43,
    "x" * 7000,
]


@pytest.mark.parametrize("token", GARBAGE_TOKENS)
def test_garbage_tokens_are_inactive(introspect, token):
    assert introspect(token) == {"active": False}


@pytest.mark.parametrize("token", GARBAGE_TOKENS)
def test_garbage_tokens_are_revoked_quietly(consumer, post, token):
    response = post("revoke", {"token": token}, auth=basic(consumer.key, consumer.secret))

    assert response.status_code == 200


# -- the logs ---------------------------------------------------------------------


def test_no_secret_or_token_is_logged(
    caplog, consumer, api_key_binding, post, introspection_client
):
    auth = basic(consumer.key, consumer.secret)
    with caplog.at_level(logging.DEBUG):
        token = post("token", GRANT, auth=auth).json()["access_token"]
        post("introspect", {"token": token}, auth=basic(PROVIDER_ID, PROVIDER_SECRET))
        post(
            "introspect",
            {"token": api_key_binding.api_key.reveal()},
            auth=basic(PROVIDER_ID, PROVIDER_SECRET),
        )
        post("revoke", {"token": token}, auth=auth)
        post("token", GRANT, auth=basic(consumer.key, consumer.secret + "-wrong"))
        post("token", {**GRANT, "client_id": consumer.key, "client_secret": consumer.secret})

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in caplog.records
    )
    assert caplog.records  # something was logged at DEBUG: the check is not empty
    for secret in (
        consumer.secret,
        PROVIDER_SECRET,
        token,
        token.split(".")[2],
        api_key_binding.api_key.reveal(),
        auth.split()[1],
    ):
        assert secret not in logged
