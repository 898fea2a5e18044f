"""No secret value (consumer secret, API key, secret endpoint parameter) in
any page short of an explicit reveal, in any log line, or on an error page,
and no stored ciphertext anywhere either.

The pages are the URL walk's: every page of organization A its Admin can
open, whole and as HTMX fragments. Logs are caught at DEBUG from every
logger, with SQL logging on, so even the queries that write and read the
secrets are checked: they carry ciphertext only.
"""

from __future__ import annotations

import logging

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.models import ConnectionBinding
from connections.services import connection_create
from marketplace.models import EndpointParameterValue
from tests.test_url_walk import _pages_of_a


def _secrets() -> tuple[list[str], list[str]]:
    """(every secret's plaintext, every stored ciphertext)."""
    plaintexts = [
        value.value.reveal()
        for value in EndpointParameterValue.objects.filter(parameter__is_secret=True)
        if value.value  # an endpoint may leave a secret parameter empty
    ]
    for binding in ConnectionBinding.objects.all():
        plaintexts += [
            secret.reveal() for secret in (binding.consumer_secret, binding.api_key) if secret
        ]
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT consumer_secret, api_key FROM {ConnectionBinding._meta.db_table} "
            f"UNION ALL SELECT value, NULL FROM {EndpointParameterValue._meta.db_table}"
        )
        ciphertexts = [token for row in cursor.fetchall() for token in row if token]
    return plaintexts, ciphertexts


def _found(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]


@pytest.fixture
def every_log_line(caplog):
    caplog.set_level(logging.DEBUG)
    # Django's own loggers stop at INFO by default; the SQL lines are DEBUG.
    caplog.set_level(logging.DEBUG, logger="django")
    return caplog


def _reveal_url(connection) -> str:
    return reverse(
        "connections:reveal",
        kwargs={
            "org": connection.organization.handle,
            "project": connection.project.handle,
            "connection_id": connection.public_id,
        },
    )


def test_it_shows_no_secret_on_any_page_nor_in_any_log_line(world, every_log_line):
    plaintexts, ciphertexts = _secrets()
    # The world holds both kinds: a secret parameter and OAuth 2.0 credentials.
    assert "plaintext-secret-value" in plaintexts
    assert len(plaintexts) >= 3 and ciphertexts
    client = Client()
    client.force_login(world.personas["admin"])

    with CaptureQueriesContext(db_connection):  # SQL logged, with its parameters
        for url in _pages_of_a(world):
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = client.get(url, **headers)
                assert response.status_code == 200, url
                # The activity log's export streams.
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                page = body.decode()
                assert not _found(page, plaintexts + ciphertexts), url

    assert every_log_line.records  # SQL logging was on: there were lines to check
    assert not _found(every_log_line.text, plaintexts + ciphertexts)


def test_it_logs_no_secret_when_one_is_created_or_revealed(world, every_log_line):
    a = world.a
    client = Client()
    client.force_login(world.personas["developer"])

    with CaptureQueriesContext(db_connection):
        created = connection_create(
            project=a.project, service=a.internal_service, name="Audit Trail"
        )
        response = client.post(
            _reveal_url(created),
            {"environment": "production", "key": "ConsumerSecret"},
        )

    secret = created.bindings.get(environment__handle="production").consumer_secret.reveal()
    assert secret in response.content.decode()  # the reveal did reveal it
    assert any("INSERT" in record.getMessage() for record in every_log_line.records)
    assert secret not in every_log_line.text


def test_it_shows_no_secret_on_the_error_page_of_a_failed_reveal(
    world, every_log_line, monkeypatch
):
    # The reveal fails after the plaintext is in hand (recording the event
    # breaks): the visitor gets the bare 500 page, and the logged traceback
    # holds code, not values.
    def broken(**kwargs):
        raise RuntimeError("the event store is down")

    monkeypatch.setattr("connections.services.change.record_event", broken)
    connection = world.a.project_connection
    client = Client(raise_request_exception=False)
    client.force_login(world.personas["admin"])

    response = client.post(
        _reveal_url(connection), {"environment": "development", "key": "webhookSigningSecret"}
    )

    assert response.status_code == 500
    assert "plaintext-secret-value" not in response.content.decode()
    assert "the event store is down" in every_log_line.text  # the failure was logged
    assert "plaintext-secret-value" not in every_log_line.text
