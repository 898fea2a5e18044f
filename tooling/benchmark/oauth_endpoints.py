"""The authorization server's endpoints as benchmark pages: a token request
(client credentials, HTTP Basic) and an introspection of a fresh token by
the providing team, each a form POST like a real client sends.

The credentials are a connection's own (an OAuth 2.0 binding of the
organization, on an internal service) and its provider's introspection
client, made here if the data has none.
"""

from __future__ import annotations

import base64
import json
import secrets
from functools import cached_property

from django.test import Client, override_settings
from django.urls import reverse

from connections.models import ConnectionBinding
from console.models import Organization
from oauth.models import IntrospectionClient

FORM = "application/x-www-form-urlencoded"


def _basic(client_id: str, secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def oauth_binding(organization: Organization) -> ConnectionBinding | None:
    return (
        ConnectionBinding.objects.filter(connection__organization=organization)
        .exclude(consumer_key="")
        .filter(connection__service__provider_component__isnull=False)
        .select_related("connection__service__provider_component")
        .order_by("pk")
        .first()
    )


def introspection_credentials(binding: ConnectionBinding) -> tuple[str, str]:
    project_id = binding.connection.service.provider_component.project_id
    record = IntrospectionClient.objects.filter(project_id=project_id).first()
    if record is not None:
        return record.client_id, record.client_secret.reveal()
    client_id, secret = "jpi_bench_" + secrets.token_urlsafe(9), secrets.token_urlsafe(32)
    IntrospectionClient.objects.create(
        project_id=project_id, client_id=client_id, client_secret=secret
    )
    return client_id, secret


class OAuthRequests:
    """What the two pages send. Made when first measured, not when the pages
    are listed (the load test lists them too, and must write nothing)."""

    def __init__(self, binding: ConnectionBinding) -> None:
        self.binding = binding

    @cached_property
    def token_headers(self) -> dict[str, str]:
        return _basic(self.binding.consumer_key, self.binding.consumer_secret.reveal())

    @cached_property
    def introspection_headers(self) -> dict[str, str]:
        return _basic(*introspection_credentials(self.binding))

    @cached_property
    def access_token(self) -> str:
        # The test client's host, which production settings do not list
        # (the load test asks for the token outside the benchmark's settings).
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            response = Client().post(
                reverse("oauth:token"),
                "grant_type=client_credentials",
                content_type=FORM,
                headers=self.token_headers,
            )
        if response.status_code != 200:
            raise RuntimeError(
                f"The token endpoint answered {response.status_code}: {response.content[:300]!r}"
            )
        return json.loads(response.content)["access_token"]
