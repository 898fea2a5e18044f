"""Rotating the encryption key: every secret re-encrypted with the new key,
still readable, and unreadable once only the old key is gone."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection as db

from connections.models import ConnectionBinding
from connections.services import connection_create
from marketplace.models import EndpointParameterValue, Security
from tests import factories

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _raw(table: str, column: str, pk: int) -> str:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def secrets_under_old_key(settings, organization, project):
    settings.JUNCTION_ENCRYPTION_KEYS = [OLD]
    twilio = factories.make_third_party_service(
        organization, "Twilio SMS", security=Security.API_KEY, parameters=(("authToken", True),)
    )
    factories.add_endpoint(
        twilio, "Live", "https://api.twilio.test", ["production"], authToken="t0k"
    )
    connection = connection_create(project=project, service=twilio, name="sms")
    binding = connection.bindings.first()
    value = EndpointParameterValue.objects.get()
    return binding, value


def test_it_re_encrypts_every_secret_with_the_newest_key(settings, secrets_under_old_key):
    binding, value = secrets_under_old_key
    api_key = binding.api_key.reveal()
    before = _raw("connections_connectionbinding", "api_key", binding.pk)

    settings.JUNCTION_ENCRYPTION_KEYS = [NEW, OLD]
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)

    assert "secrets now use the newest key" in out.getvalue()
    assert _raw("connections_connectionbinding", "api_key", binding.pk) != before
    settings.JUNCTION_ENCRYPTION_KEYS = [NEW]  # the old key is gone
    assert ConnectionBinding.objects.get(pk=binding.pk).api_key.reveal() == api_key
    assert EndpointParameterValue.objects.get(pk=value.pk).value.reveal() == "t0k"


def test_without_rotation_dropping_the_old_key_makes_secrets_unreadable(
    settings, secrets_under_old_key
):
    binding, _ = secrets_under_old_key
    settings.JUNCTION_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        ConnectionBinding.objects.get(pk=binding.pk).api_key  # noqa: B018
