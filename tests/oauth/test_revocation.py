"""Revocation (RFC 7009): a consumer revokes its own tokens, no one else's."""

from __future__ import annotations

from oauth.models import RevokedToken

from .conftest import PROVIDER_ID, PROVIDER_SECRET, basic


def test_a_revoked_token_is_inactive_at_once(consumer, get_token, post, introspect):
    token = get_token(consumer)
    other = get_token(consumer)

    response = post("revoke", {"token": token}, auth=basic(consumer.key, consumer.secret))

    assert response.status_code == 200
    assert introspect(token) == {"active": False}
    assert introspect(other)["active"] is True
    assert RevokedToken.objects.count() == 1


def test_revoking_twice_or_an_unknown_token_is_still_200(consumer, get_token, post):
    token = get_token(consumer)
    auth = basic(consumer.key, consumer.secret)

    assert post("revoke", {"token": token}, auth=auth).status_code == 200
    assert post("revoke", {"token": token}, auth=auth).status_code == 200
    assert post("revoke", {"token": "not-a-token"}, auth=auth).status_code == 200
    assert RevokedToken.objects.count() == 1


def test_another_consumer_cannot_revoke_my_token(
    consumer, oauth_connection, get_token, post, introspect
):
    token = get_token(consumer)
    production = oauth_connection.bindings.get(environment__handle="production")

    response = post(
        "revoke",
        {"token": token},
        auth=basic(production.consumer_key, production.consumer_secret.reveal()),
    )

    # RFC 7009, section 2.1: the token was not issued to this client.
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert introspect(token)["active"] is True
    assert not RevokedToken.objects.exists()


def test_a_provider_cannot_revoke(consumer, get_token, post, introspect):
    token = get_token(consumer)

    response = post("revoke", {"token": token}, auth=basic(PROVIDER_ID, PROVIDER_SECRET))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert introspect(token)["active"] is True


def test_revocation_needs_the_client_s_secret(consumer, get_token, post, introspect):
    token = get_token(consumer)

    response = post("revoke", {"token": token}, auth=basic(consumer.key, "wrong"))

    assert response.status_code == 401
    assert introspect(token)["active"] is True


def test_missing_token_is_invalid_request(consumer, post):
    response = post("revoke", {}, auth=basic(consumer.key, consumer.secret))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_token_type_hint_is_only_a_hint(consumer, get_token, post, introspect):
    # RFC 7009, section 2.1: a server that cannot find the token by its hint
    # searches further. Junction issues no refresh tokens; it finds the
    # access token anyway.
    token = get_token(consumer)

    response = post(
        "revoke",
        {"token": token, "token_type_hint": "refresh_token"},
        auth=basic(consumer.key, consumer.secret),
    )

    assert response.status_code == 200
    assert introspect(token) == {"active": False}
