"""Rate limits of the token, introspection and revocation endpoints: per
client id and per address, in the database or in Redis."""

from __future__ import annotations

import uuid

import pytest
from redis import Redis

from oauth import ratelimit
from oauth.models import RateCounter

from .conftest import PROVIDER_ID, PROVIDER_SECRET, basic

GRANT = {"grant_type": "client_credentials"}
REDIS_URL = "redis://127.0.0.1:6379/0"


# A fixed moment mid-minute: a test that crossed a minute's boundary would
# find its counts started again.
NOW = 1_800_000_030.0


@pytest.fixture(params=["database", "redis"])
def backend(request, settings, monkeypatch):
    """Each test runs against both stores; Redis keys carry a prefix of
    their own so parallel and repeated runs never share a counter (and are
    deleted by that prefix: clear() would flush every run's keys)."""
    monkeypatch.setattr(ratelimit.time, "time", lambda: NOW)
    if request.param == "database":
        settings.REDIS_URL = ""
        yield request.param
        return
    prefix = f"oaut-test-{uuid.uuid4().hex}"
    settings.REDIS_URL = REDIS_URL
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        },
    }
    yield request.param
    redis = Redis.from_url(REDIS_URL)
    for name in redis.scan_iter(f"{prefix}:*"):
        redis.delete(name)


def _assert_429(response):
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "slow_down"
    assert response["Retry-After"] == "30"  # NOW is half a minute in


def test_per_client_limit(backend, post, consumer, settings):
    settings.JUNCTION_OAUTH_RATE_PER_CLIENT = 3
    auth = basic(consumer.key, consumer.secret)

    answers = [post("token", GRANT, auth=auth).status_code for _ in range(3)]
    assert answers == [200, 200, 200]

    _assert_429(post("token", GRANT, auth=auth))
    assert RateCounter.objects.exists() is (backend == "database")


def test_switching_between_basic_and_form_does_not_reset_the_count(
    backend, post, consumer, settings
):
    settings.JUNCTION_OAUTH_RATE_PER_CLIENT = 4
    form = {**GRANT, "client_id": consumer.key, "client_secret": consumer.secret}

    assert post("token", GRANT, auth=basic(consumer.key, consumer.secret)).status_code == 200
    assert post("token", form).status_code == 200
    assert post("token", GRANT, auth=basic(consumer.key, consumer.secret)).status_code == 200
    assert post("token", form).status_code == 200

    _assert_429(post("token", form))
    _assert_429(post("token", GRANT, auth=basic(consumer.key, consumer.secret)))


def test_failed_attempts_count_too(backend, post, consumer, settings):
    # Guessing a secret is what the per-client limit is for.
    settings.JUNCTION_OAUTH_RATE_PER_CLIENT = 2
    for _ in range(2):
        assert post("token", GRANT, auth=basic(consumer.key, "guess")).status_code == 401

    _assert_429(post("token", GRANT, auth=basic(consumer.key, consumer.secret)))


def test_another_client_id_in_the_header_does_not_dodge_the_count(
    backend, post, consumer, oauth_connection, settings
):
    # Guesses of one client's secret in the form, under another (real)
    # client id in the header, would be counted against the header's
    # client: such requests are refused before any secret is checked, so
    # they answer nothing about the secret, right or wrong.
    decoy = oauth_connection.bindings.get(environment__handle="production")
    for secret in ("guess-1", "guess-2", "guess-3", consumer.secret):
        response = post(
            "token",
            {**GRANT, "client_id": consumer.key, "client_secret": secret},
            auth=basic(decoy.consumer_key, "wrong"),
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"


def test_the_limit_is_per_client(backend, post, consumer, oauth_connection, settings):
    settings.JUNCTION_OAUTH_RATE_PER_CLIENT = 1
    other = oauth_connection.bindings.get(environment__handle="production")

    assert post("token", GRANT, auth=basic(consumer.key, consumer.secret)).status_code == 200
    _assert_429(post("token", GRANT, auth=basic(consumer.key, consumer.secret)))
    response = post("token", GRANT, auth=basic(other.consumer_key, other.consumer_secret.reveal()))
    assert response.status_code == 200


def test_per_address_limit_across_clients(backend, post, consumer, oauth_connection, settings):
    settings.JUNCTION_OAUTH_RATE_PER_ADDRESS = 2
    other = oauth_connection.bindings.get(environment__handle="production")

    assert post("token", GRANT, auth=basic(consumer.key, consumer.secret)).status_code == 200
    response = post("token", GRANT, auth=basic(other.consumer_key, other.consumer_secret.reveal()))
    assert response.status_code == 200
    _assert_429(post("token", GRANT, auth=basic(consumer.key, consumer.secret)))
    # Another address is not affected.
    response = post(
        "token", GRANT, auth=basic(consumer.key, consumer.secret), REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 200


def test_per_address_limit_counts_requests_without_a_client(backend, post, db, settings):
    settings.JUNCTION_OAUTH_RATE_PER_ADDRESS = 2
    for _ in range(2):
        assert post("token", GRANT).status_code in (400, 401)

    _assert_429(post("token", GRANT))


def test_introspection_is_limited_per_provider(
    backend, post, consumer, get_token, introspection_client, settings
):
    token = get_token(consumer)
    settings.JUNCTION_OAUTH_RATE_PER_CLIENT = 2
    auth = basic(PROVIDER_ID, PROVIDER_SECRET)

    assert post("introspect", {"token": token}, auth=auth).status_code == 200
    assert post("introspect", {"token": token}, auth=auth).status_code == 200
    _assert_429(post("introspect", {"token": token}, auth=auth))


def test_endpoints_count_separately(backend, post, consumer, get_token, settings):
    settings.JUNCTION_OAUTH_RATE_PER_CLIENT = 1
    token = get_token(consumer)
    auth = basic(consumer.key, consumer.secret)

    assert post("revoke", {"token": token}, auth=auth).status_code == 200
    _assert_429(post("revoke", {"token": token}, auth=auth))


def test_hit_counts_to_the_limit_then_refuses(backend, db):
    key = f"unit:{uuid.uuid4().hex}"

    assert [ratelimit.hit(key, 3) for _ in range(5)] == [True, True, True, False, False]


def test_a_long_key_is_cut_not_refused(backend, db):
    key = "k" * 1000

    assert ratelimit.hit(key, 1) is True
    assert ratelimit.hit(key, 1) is False


def test_a_new_minute_starts_a_new_count(backend, db, monkeypatch):
    key = f"unit:{uuid.uuid4().hex}"
    assert ratelimit.hit(key, 1) is True
    assert ratelimit.hit(key, 1) is False

    monkeypatch.setattr(ratelimit.time, "time", lambda: NOW + 30)

    assert ratelimit.hit(key, 1) is True
    assert ratelimit.retry_after() == 60


def test_redis_unreachable_falls_back_to_the_database(db, settings, post, consumer, monkeypatch):
    monkeypatch.setattr(ratelimit.time, "time", lambda: NOW)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
        },
    }
    settings.JUNCTION_OAUTH_RATE_PER_CLIENT = 1
    auth = basic(consumer.key, consumer.secret)

    assert post("token", GRANT, auth=auth).status_code == 200
    _assert_429(post("token", GRANT, auth=auth))
    assert RateCounter.objects.exists()


def test_a_counter_that_vanishes_between_add_and_incr_starts_again(settings, monkeypatch):
    settings.REDIS_URL = REDIS_URL
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"oaut-test-{uuid.uuid4().hex}",
        },
    }
    from django.core.cache import caches

    cache = caches["ratelimit"]
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)

    assert ratelimit.hit("vanishing", 5) is True


def test_a_nul_in_a_client_id_is_counted_not_a_500(backend, post, db, settings):
    settings.JUNCTION_OAUTH_RATE_PER_CLIENT = 1
    form = {**GRANT, "client_id": "a\x00b", "client_secret": "x"}

    assert post("token", form).json()["error"] == "invalid_client"
    _assert_429(post("token", form))
