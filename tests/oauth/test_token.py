"""The token endpoint: the client credentials grant (RFC 6749, section 4.4)
issuing RFC 9068 access tokens, and which secrets it accepts when."""

from __future__ import annotations

from datetime import timedelta

import jwt as pyjwt
import pytest
from django.utils import timezone

from connections.services import connection_create, connection_delete, credentials_rotate

from .conftest import PROVIDER_ID, PROVIDER_SECRET, Consumer, basic

GRANT = {"grant_type": "client_credentials"}


def _token_with_form(post, consumer, secret=None):
    return post(
        "token", {**GRANT, "client_id": consumer.key, "client_secret": secret or consumer.secret}
    )


def test_basic_auth_gets_a_bearer_token_that_is_not_cached(post, consumer, settings):
    response = post("token", GRANT, auth=basic(consumer.key, consumer.secret))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == settings.JUNCTION_ACCESS_TOKEN_LIFETIME
    assert body["access_token"].count(".") == 2
    assert "refresh_token" not in body


def test_form_fields_get_a_token_too(post, consumer):
    response = _token_with_form(post, consumer)

    assert response.status_code == 200
    assert response.json()["access_token"]


def test_token_claims_name_the_consumer_and_the_service(
    consumer, oauth_connection, oauth_service, get_token, verify, settings
):
    token = get_token(consumer)

    header = pyjwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "ES256"
    assert header["kid"]
    claims = verify(token, audience=oauth_service.resource_reference)
    assert claims["iss"] == settings.JUNCTION_PUBLIC_URL
    assert claims["aud"] == "service:/ledger/ledger-api/v1/books/ORGANIZATION"
    assert claims["client_id"] == claims["sub"] == consumer.key
    assert claims["exp"] - claims["iat"] == settings.JUNCTION_ACCESS_TOKEN_LIFETIME
    assert claims["jti"]
    assert claims["organization"] == "acme"
    assert claims["project"] == "payments"
    assert claims["component"] == "checkout-api"
    assert claims["connection"] == str(oauth_connection.public_id)
    assert claims["connection_name"] == "Ledger books"
    assert claims["environment"] == "development"
    assert claims["credentials_generation"] == 1


def test_every_token_has_its_own_jti(consumer, get_token, verify):
    first, second = verify(get_token(consumer)), verify(get_token(consumer))

    assert first["jti"] != second["jti"]


def test_project_connection_tokens_name_no_component(
    project, oauth_service, developer, get_token, verify
):
    connection = connection_create(
        project=project, service=oauth_service, name="Shared books", created_by=developer
    )
    binding = connection.bindings.get(environment__handle="production")

    claims = verify(get_token(Consumer(binding)))

    assert "component" not in claims
    assert claims["environment"] == "production"


def test_lifetime_follows_the_setting(consumer, get_token, verify, settings):
    settings.JUNCTION_ACCESS_TOKEN_LIFETIME = 120

    claims = verify(get_token(consumer))

    assert claims["exp"] - claims["iat"] == 120


def test_the_secret_of_another_environment_is_refused(post, oauth_connection, consumer):
    production = oauth_connection.bindings.get(environment__handle="production")

    response = post("token", GRANT, auth=basic(consumer.key, production.consumer_secret.reveal()))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_wrong_secret_with_basic_is_401_with_a_challenge(post, consumer):
    response = post("token", GRANT, auth=basic(consumer.key, consumer.secret + "x"))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic")
    assert "no-store" in response["Cache-Control"]


def test_wrong_secret_in_the_form_is_invalid_client(post, consumer):
    response = _token_with_form(post, consumer, secret="not-the-secret")

    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"


def test_unknown_client_is_invalid_client(db, post):
    response = post("token", GRANT, auth=basic("nobody", "nothing"))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_no_credentials_at_all_is_invalid_client(post, consumer):
    response = post("token", GRANT)

    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"


def test_missing_grant_type_is_invalid_request(post, consumer):
    response = post("token", {}, auth=basic(consumer.key, consumer.secret))

    assert response.status_code == 400
    assert response.json()["error"] in ("invalid_request", "unsupported_grant_type")


@pytest.mark.parametrize(
    "grant_type", ["password", "authorization_code", "refresh_token", "implicit", "x" * 500]
)
def test_other_grant_types_are_unsupported(post, consumer, grant_type):
    response = post("token", {"grant_type": grant_type}, auth=basic(consumer.key, consumer.secret))

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_introspection_credentials_cannot_get_tokens(post, introspection_client):
    response = post("token", GRANT, auth=basic(PROVIDER_ID, PROVIDER_SECRET))

    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"
    assert "access_token" not in response.json()


def test_introspection_credentials_with_a_wrong_secret_are_invalid_client(
    post, introspection_client
):
    response = post("token", GRANT, auth=basic(PROVIDER_ID, "wrong"))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_asking_for_a_scope_is_invalid_scope(post, consumer):
    response = post("token", {**GRANT, "scope": "admin"}, auth=basic(consumer.key, consumer.secret))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_deleted_connection_s_secret_is_refused_at_once(
    post, consumer, oauth_connection, developer, get_token, introspect
):
    token = get_token(consumer)
    key, secret = consumer.key, consumer.secret

    connection_delete(connection=oauth_connection, actor=developer)

    response = post("token", GRANT, auth=basic(key, secret))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert introspect(token) == {"active": False}


def test_rotation_without_grace_refuses_the_old_secret_at_once(
    post, consumer, oauth_connection, developer, get_token, introspect, verify
):
    old_secret = consumer.secret
    old_token = get_token(consumer)

    credentials_rotate(
        connection=oauth_connection, binding=consumer.binding, grace="none", actor=developer
    )
    consumer.refresh()

    refused = post("token", GRANT, auth=basic(consumer.key, old_secret))
    assert refused.status_code == 401
    assert introspect(old_token) == {"active": False}
    new_token = get_token(consumer)
    assert verify(new_token)["credentials_generation"] == 2
    assert introspect(new_token)["active"] is True


def test_grace_period_accepts_the_old_secret_until_it_ends(
    post, consumer, oauth_connection, developer, get_token, introspect, verify
):
    old_secret = consumer.secret
    old_token = get_token(consumer)

    credentials_rotate(
        connection=oauth_connection, binding=consumer.binding, grace="1h", actor=developer
    )
    consumer.refresh()
    assert consumer.secret != old_secret

    during = get_token(consumer, secret=old_secret)
    assert verify(during)["credentials_generation"] == 1
    assert introspect(old_token)["active"] is True
    assert introspect(during)["active"] is True
    assert verify(get_token(consumer))["credentials_generation"] == 2

    # The grace period ends.
    consumer.binding.previous_valid_until = timezone.now() - timedelta(seconds=1)
    consumer.binding.save(update_fields=["previous_valid_until"])

    refused = post("token", GRANT, auth=basic(consumer.key, old_secret))
    assert refused.status_code == 401
    assert introspect(old_token) == {"active": False}
    assert introspect(during) == {"active": False}
    assert introspect(get_token(consumer))["active"] is True


def test_a_second_rotation_ends_the_first_one_s_grace(
    post, consumer, oauth_connection, developer, get_token, introspect, verify
):
    first_secret = consumer.secret
    first_token = get_token(consumer)
    credentials_rotate(
        connection=oauth_connection, binding=consumer.binding, grace="24h", actor=developer
    )
    second_secret = consumer.refresh().secret
    second_token = get_token(consumer)

    credentials_rotate(
        connection=oauth_connection, binding=consumer.binding, grace="1h", actor=developer
    )
    consumer.refresh()

    assert post("token", GRANT, auth=basic(consumer.key, first_secret)).status_code == 401
    assert introspect(first_token) == {"active": False}
    assert verify(get_token(consumer, secret=second_secret))["credentials_generation"] == 2
    assert introspect(second_token)["active"] is True
    assert verify(get_token(consumer))["credentials_generation"] == 3


def test_a_token_request_takes_few_queries(post, consumer, django_assert_max_num_queries):
    post("token", GRANT, auth=basic(consumer.key, consumer.secret))  # the signing key exists

    with django_assert_max_num_queries(10):
        response = post("token", GRANT, auth=basic(consumer.key, consumer.secret))

    assert response.status_code == 200
