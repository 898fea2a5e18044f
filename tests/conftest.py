"""Personas and a small organization shared by the whole suite.

Organization A (Acme Corp) has an Admin, a Developer and a Viewer; the
outsider is a member of organization B (Globex) only.
"""

from __future__ import annotations

import os
import uuid

import pytest
from redis import Redis

from console.models import Role
from tests import factories

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def organization(db):
    return factories.make_organization("Acme Corp", "acme")


@pytest.fixture
def other_organization(db):
    return factories.make_organization("Globex Industries", "globex")


@pytest.fixture
def org_admin(organization):
    user = factories.make_user("alice", PASSWORD)
    factories.add_member(user, organization, Role.ADMIN)
    return user


@pytest.fixture
def developer(organization):
    user = factories.make_user("dave", PASSWORD)
    factories.add_member(user, organization, Role.DEVELOPER)
    return user


@pytest.fixture
def viewer(organization):
    user = factories.make_user("vera", PASSWORD)
    factories.add_member(user, organization, Role.VIEWER)
    return user


@pytest.fixture
def outsider(other_organization):
    user = factories.make_user("oscar", PASSWORD)
    factories.add_member(user, other_organization, Role.ADMIN)
    return user


@pytest.fixture
def project(organization):
    return factories.make_project(organization, "Payments", "payments")


@pytest.fixture
def component(project):
    return factories.make_component(project, "Checkout API", "checkout-api")


@pytest.fixture
def login(client):
    """``login(user)`` signs the test client in and returns it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests and costs seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def static_files_found_when_asked(settings):
    # WhiteNoise lists every static file when its middleware is made: once per
    # process in production, but once per test client here, a fifth of the
    # suite's time. Finding a file when it is requested serves the same files
    # with the same headers.
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def empty_cache():
    # Ids and catalog versions start over in every test's database, so a
    # cached count of one test could otherwise answer another.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def own_rate_counters(settings):
    """With REDIS_URL set (CI's PostgreSQL pass), each test counts requests
    in Redis under a prefix of its own, as it counts in its own transaction
    in the database: otherwise every test's requests from 127.0.0.1, on
    either xdist worker, add up to one address's limit."""
    url = settings.REDIS_URL
    if not url:
        yield
        return
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {**settings.CACHES["ratelimit"], "KEY_PREFIX": prefix},
    }
    yield
    redis = Redis.from_url(url)
    for name in redis.scan_iter(f"{prefix}:*"):
        redis.delete(name)


@pytest.fixture
def world(organization, other_organization, org_admin, developer, viewer, outsider):
    """Both organizations with every kind of object a URL can name (tests/world.py)."""
    from tests.world import build_world

    return build_world(
        organization=organization,
        other_organization=other_organization,
        org_admin=org_admin,
        developer=developer,
        viewer=viewer,
        outsider=outsider,
    )


@pytest.fixture
def servers(transactional_db, tmp_path):
    """gunicorn processes on the test database (tests/serving.py), all
    stopped when the test ends."""
    from tests.serving import Servers

    servers = Servers(tmp_path)
    yield servers
    servers.stop_all()
