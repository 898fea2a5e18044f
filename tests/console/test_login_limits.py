"""Failed log-ins behind a reverse proxy, and from one address over many
usernames (django-axes with django-ipware; junction/settings.py and
console/lockout.py).

Behind the proxy, each request comes from the proxy's address (REMOTE_ADDR)
with the X-Forwarded-For header the proxy wrote: whatever the client sent,
then the address the proxy was reached from."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from axes.models import AccessFailureLog
from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.serving import Visitor, served_database

PROXY = "10.0.0.2"
CLIENT_A = "203.0.113.10"
CLIENT_B = "203.0.113.20"


def settings_with(environment: dict[str, str]) -> ModuleType:
    """junction/settings.py evaluated afresh under ``environment``."""
    path = Path(django_settings.BASE_DIR) / "junction" / "settings.py"
    spec = importlib.util.spec_from_file_location("settings_under_test", path)
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, environment):
        spec.loader.exec_module(module)
    return module


@pytest.fixture
def behind_one_proxy(settings):
    """The client-address settings JUNCTION_PROXY_COUNT=1 gives, in force."""
    configured = settings_with({"JUNCTION_PROXY_COUNT": "1"})
    for name in dir(configured):
        if name.startswith(("AXES_IPWARE_", "IPWARE_")):
            setattr(settings, name, getattr(configured, name))


def through_proxy(client_address: str, sent_by_client: str = "") -> Client:
    """A browser at ``client_address`` reaching Junction through the proxy."""
    forwarded = f"{sent_by_client}, {client_address}" if sent_by_client else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def fail(client: Client, username: str):
    return client.post(reverse("login"), {"username": username, "password": "wrong"})


def assert_locked_page(response) -> None:
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert b"Too many failed log-ins" in response.content


def test_it_does_not_lock_other_clients_of_the_proxy_out(behind_one_proxy, org_admin):
    attacker = through_proxy(CLIENT_A)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert fail(attacker, "alice").status_code == 200
    assert_locked_page(fail(attacker, "alice"))

    response = through_proxy(CLIENT_B).post(
        reverse("login"), {"username": "alice", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert_locked_page(attacker.post(reverse("login"), {"username": "alice", "password": PASSWORD}))


def test_it_logs_the_clients_address_not_the_proxys(behind_one_proxy, developer):
    fail(through_proxy(CLIENT_A), "dave")

    assert list(AccessFailureLog.objects.values_list("username", "ip_address")) == [
        ("dave", CLIENT_A)
    ]


def test_it_ignores_the_addresses_a_client_writes_into_x_forwarded_for(behind_one_proxy, developer):
    # Each attempt claims to come from somewhere else, the victim's address
    # among them; only the address the proxy appended counts.
    claims = [CLIENT_B, "198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"]
    responses = [fail(through_proxy(CLIENT_A, sent_by_client=claim), "dave") for claim in claims]

    assert [r.status_code for r in responses[:-1]] == [200] * (len(claims) - 1)
    assert_locked_page(responses[-1])
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {CLIENT_A}
    victim = through_proxy(CLIENT_B)
    assert (
        victim.post(reverse("login"), {"username": "dave", "password": PASSWORD}).status_code == 302
    )


def test_it_ignores_x_forwarded_for_without_a_proxy_count(developer):
    fail(Client(REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR=CLIENT_B), "dave")

    assert list(AccessFailureLog.objects.values_list("ip_address", flat=True)) == [CLIENT_A]


def spray(client: Client, failures: int) -> list[int]:
    """``failures`` wrong passwords, spread over usernames so that none
    reaches the per-username limit."""
    per_username = django_settings.AXES_FAILURE_LIMIT - 1
    return [fail(client, f"user-{n // per_username}").status_code for n in range(failures)]


def test_it_locks_an_address_that_sprays_many_usernames(client, viewer):
    limit = django_settings.JUNCTION_LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit > django_settings.AXES_FAILURE_LIMIT

    statuses = spray(client, limit)

    assert statuses == [200] * (limit - 1) + [429]
    # Every username is locked for this address now, the right password too...
    assert_locked_page(client.post(reverse("login"), {"username": "vera", "password": PASSWORD}))
    # ...and for this address only.
    elsewhere = Client(REMOTE_ADDR=CLIENT_B)
    assert (
        elsewhere.post(reverse("login"), {"username": "vera", "password": PASSWORD}).status_code
        == 302
    )


def test_it_locks_a_spraying_client_behind_the_proxy_and_no_other(behind_one_proxy, viewer):
    limit = django_settings.JUNCTION_LOGIN_ADDRESS_FAILURE_LIMIT

    assert spray(through_proxy(CLIENT_A), limit)[-1] == 429

    colleague = through_proxy(CLIENT_B)
    assert (
        colleague.post(reverse("login"), {"username": "vera", "password": PASSWORD}).status_code
        == 302
    )


def test_signing_in_to_its_own_account_does_not_reset_a_sprays_count(client, viewer):
    limit = django_settings.JUNCTION_LOGIN_ADDRESS_FAILURE_LIMIT
    assert spray(client, limit - 1) == [200] * (limit - 1)

    own = client.post(reverse("login"), {"username": "vera", "password": PASSWORD})
    assert own.status_code == 302
    client.post(reverse("logout"))

    assert_locked_page(fail(client, "someone-else"))


def test_an_office_behind_one_address_is_not_locked_by_one_persons_typos(client, developer, viewer):
    # dave locks himself out; vera, at the same address, still gets in.
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        fail(client, "dave")

    response = client.post(reverse("login"), {"username": "vera", "password": PASSWORD})

    assert response.status_code == 302


@served_database
def test_it_reads_the_client_address_through_gunicorn_behind_a_proxy(servers, org_admin):
    # The suite's MD5 hashes are not accepted by the server's settings.
    hasher = PBKDF2PasswordHasher()
    org_admin.password = hasher.encode(PASSWORD, hasher.salt())
    org_admin.save(update_fields=["password"])
    server = servers.start(
        JUNCTION_PROXY_COUNT="1", GUNICORN_CMD_ARGS="--forwarded-allow-ips=127.0.0.1"
    )
    # The proxy's header: the client's own claim, then the address it came from.
    attacker = Visitor(headers={"X-Forwarded-For": f"{CLIENT_B}, {CLIENT_A}"})
    statuses = [
        attacker.sign_in(server, "alice", "wrong").status
        for _ in range(django_settings.AXES_FAILURE_LIMIT)
    ]

    victim = Visitor(headers={"X-Forwarded-For": CLIENT_B})
    response = victim.sign_in(server, "alice", PASSWORD)

    assert statuses[-1] == 429
    assert response.status == 302
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {CLIENT_A}
