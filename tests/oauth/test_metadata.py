"""RFC 8414 metadata and the RFC 7517 JWK Set."""

from __future__ import annotations

from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from django.urls import reverse

from oauth import signing


def test_metadata_is_valid_rfc_8414(client, db, settings):
    response = client.get("/.well-known/oauth-authorization-server")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    metadata = AuthorizationServerMetadata(document)
    for key in metadata.REGISTRY_KEYS:
        if key != "response_types_supported":
            getattr(metadata, f"validate_{key}")()
    # Required by RFC 8414 and present, but empty: there is no authorization
    # endpoint, so no response type (Authlib's validator wants one at least).
    assert document["response_types_supported"] == []
    base = settings.JUNCTION_PUBLIC_URL
    assert document["issuer"] == base
    assert document["token_endpoint"] == base + "/oauth2/token"
    assert document["jwks_uri"] == base + "/oauth2/jwks"
    assert document["introspection_endpoint"] == base + "/oauth2/introspect"
    assert document["revocation_endpoint"] == base + "/oauth2/revoke"
    assert document["grant_types_supported"] == ["client_credentials"]
    for name in ("token", "introspection", "revocation"):
        assert set(document[f"{name}_endpoint_auth_methods_supported"]) == {
            "client_secret_basic",
            "client_secret_post",
        }
    assert "authorization_endpoint" not in document


def test_metadata_follows_the_public_address(client, db, settings):
    settings.JUNCTION_PUBLIC_URL = "https://junction.example.com"

    document = client.get(reverse("oauth:metadata")).json()

    assert document["issuer"] == "https://junction.example.com"
    assert document["token_endpoint"] == "https://junction.example.com/oauth2/token"


def test_jwks_is_an_rfc_7517_set_of_public_keys(client, db):
    response = client.get(reverse("oauth:jwks"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    (key,) = response.json()["keys"]
    assert key["kty"] == "EC"
    assert key["crv"] == "P-256"
    assert key["alg"] == "ES256"
    assert key["use"] == "sig"
    assert key["kid"]
    assert {"x", "y"} <= key.keys()
    assert "d" not in key  # never the private part
    assert b'"d"' not in response.content


def test_jwks_lists_the_key_that_signs(client, db):
    first = client.get(reverse("oauth:jwks")).json()
    second = client.get(reverse("oauth:jwks")).json()

    assert first == second
    assert [key["kid"] for key in first["keys"]] == [signing.signing_key().kid]


def test_the_private_key_is_stored_encrypted(db):
    from django.db import connection

    key = signing.signing_key()
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_jwk FROM oauth_signingkey WHERE id = %s", [key.pk])
        (stored,) = cursor.fetchone()

    assert '"d"' not in stored
    assert key.kid not in stored


def test_public_documents_may_be_cached_and_read_from_anywhere(client, db):
    for name in ("oauth:metadata", "oauth:jwks"):
        response = client.get(reverse(name))
        assert "public" in response["Cache-Control"]
        assert response["Access-Control-Allow-Origin"] == "*"


def test_head_is_answered_too(client, db):
    assert client.head(reverse("oauth:jwks")).status_code == 200
    assert client.head(reverse("oauth:metadata")).status_code == 200
