"""Introspection (RFC 7662): only the publishing project's introspection
client learns about a token or API key, and only while it is accepted."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import jwt as pyjwt
from django.utils import timezone

from connections.services import connection_delete, credentials_rotate
from console.crypto import SecretValue
from oauth.models import IntrospectionClient
from tests import factories

from .conftest import PROVIDER_ID, PROVIDER_SECRET, basic


def test_the_publishing_project_sees_the_consumer_claims(
    consumer, oauth_connection, oauth_service, get_token, introspect
):
    token = get_token(consumer)

    answer = introspect(token)

    assert answer["active"] is True
    assert answer["token_type"] == "Bearer"
    assert answer["client_id"] == consumer.key
    assert answer["aud"] == oauth_service.resource_reference
    assert answer["organization"] == "acme"
    assert answer["project"] == "payments"
    assert answer["component"] == "checkout-api"
    assert answer["connection"] == str(oauth_connection.public_id)
    assert answer["environment"] == "development"
    assert answer["exp"] > time.time()


def test_introspection_answers_are_not_cached(consumer, get_token, post, introspection_client):
    response = post(
        "introspect", {"token": get_token(consumer)}, auth=basic(PROVIDER_ID, PROVIDER_SECRET)
    )

    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]


def test_form_credentials_work_too(consumer, get_token, post, introspection_client):
    response = post(
        "introspect",
        {"token": get_token(consumer), "client_id": PROVIDER_ID, "client_secret": PROVIDER_SECRET},
    )

    assert response.status_code == 200
    assert response.json()["active"] is True


def test_an_unrelated_provider_learns_nothing(organization, consumer, get_token, post):
    other = factories.make_project(organization, "Shipping", "shipping")
    IntrospectionClient.objects.create(
        project=other, client_id="provider-shipping", client_secret=SecretValue("ship-secret-1")
    )

    response = post(
        "introspect",
        {"token": get_token(consumer)},
        auth=basic("provider-shipping", "ship-secret-1"),
    )

    assert response.status_code == 200
    assert response.json() == {"active": False}


def test_a_consumer_cannot_introspect(consumer, get_token, post, introspection_client):
    token = get_token(consumer)

    response = post("introspect", {"token": token}, auth=basic(consumer.key, consumer.secret))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic")


def test_a_wrong_provider_secret_is_401(consumer, get_token, post, introspection_client):
    response = post(
        "introspect", {"token": get_token(consumer)}, auth=basic(PROVIDER_ID, "wrong-secret")
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_missing_token_is_invalid_request(post, introspection_client):
    response = post("introspect", {}, auth=basic(PROVIDER_ID, PROVIDER_SECRET))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_unknown_token_is_inactive(introspect):
    assert introspect("no-such-token") == {"active": False}


def test_an_unknown_token_type_hint_is_ignored(consumer, get_token, introspect, post):
    token = get_token(consumer)

    response = post(
        "introspect",
        {"token": token, "token_type_hint": "something_else"},
        auth=basic(PROVIDER_ID, PROVIDER_SECRET),
    )

    assert response.status_code == 200
    assert response.json()["active"] is True


def test_api_key_current_and_after_deletion(
    api_key_connection, api_key_binding, introspect, developer
):
    key = api_key_binding.api_key.reveal()

    answer = introspect(key)
    assert answer["active"] is True
    assert answer["aud"] == "service:/ledger/ledger-api/v1/keys/ORGANIZATION"
    assert answer["connection"] == str(api_key_connection.public_id)
    assert answer["environment"] == "development"
    assert "component" not in answer

    connection_delete(connection=api_key_connection, actor=developer)

    assert introspect(key) == {"active": False}


def test_api_key_of_another_environment_names_that_environment(api_key_connection, introspect):
    production = api_key_connection.bindings.get(environment__handle="production")

    assert introspect(production.api_key.reveal())["environment"] == "production"


def test_api_key_rotation_with_grace(api_key_connection, api_key_binding, introspect, developer):
    old_key = api_key_binding.api_key.reveal()

    credentials_rotate(
        connection=api_key_connection, binding=api_key_binding, grace="7d", actor=developer
    )
    api_key_binding.refresh_from_db()
    new_key = api_key_binding.api_key.reveal()

    assert introspect(old_key)["credentials_generation"] == 1
    assert introspect(new_key)["credentials_generation"] == 2

    api_key_binding.previous_valid_until = timezone.now() - timedelta(seconds=1)
    api_key_binding.save(update_fields=["previous_valid_until"])

    assert introspect(old_key) == {"active": False}
    assert introspect(new_key)["active"] is True


def test_api_key_rotation_without_grace(api_key_connection, api_key_binding, introspect, developer):
    old_key = api_key_binding.api_key.reveal()

    credentials_rotate(
        connection=api_key_connection, binding=api_key_binding, grace="none", actor=developer
    )

    assert introspect(old_key) == {"active": False}


def test_an_expired_token_is_inactive(consumer, get_token, introspect, settings):
    settings.JUNCTION_ACCESS_TOKEN_LIFETIME = 60
    token = get_token(consumer)
    expires = pyjwt.decode(token, options={"verify_signature": False})["exp"]

    # The token's own clock, not the wall clock: freeze introspection's
    # "now" one second past the expiry.
    later = datetime.fromtimestamp(expires + 1, tz=UTC)
    with (
        mock.patch("oauth.server.timezone.now", return_value=later),
        mock.patch("time.time", return_value=expires + 1),
    ):
        assert introspect(token) == {"active": False}
    assert introspect(token)["active"] is True


def test_introspection_takes_few_queries(
    consumer, get_token, post, introspect, django_assert_max_num_queries
):
    token = get_token(consumer)
    introspect(token)  # this minute's rate counters exist

    with django_assert_max_num_queries(13):
        response = post("introspect", {"token": token}, auth=basic(PROVIDER_ID, PROVIDER_SECRET))

    assert response.json()["active"] is True
