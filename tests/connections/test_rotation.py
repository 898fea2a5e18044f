"""Rotate (issue #13): a new consumer secret or API key per environment, the
old one accepted for the grace period chosen, both shown until it ends."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from connections.history import describe_event
from connections.models import ConnectionBinding
from connections.resolution import resolve
from connections.services import connection_create, credentials_rotate
from console.crypto import MASK
from console.models import Action, ActivityEvent
from marketplace.models import Security, Visibility
from tests import factories


@pytest.fixture
def scene(organization, project, component, developer, other_organization):
    """Payments has project connections "Employees" (OAuth 2.0), "Ledger"
    (API key) and "Stripe" (third-party, no security); Globex has its own
    OAuth connection "Rival"."""
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    oauth = factories.make_internal_service(
        provider, "employees", Visibility.ORGANIZATION, security=Security.OAUTH2
    )
    keyed = factories.make_internal_service(
        provider, "ledger", Visibility.ORGANIZATION, security=Security.API_KEY
    )
    stripe = factories.make_third_party_service(organization, "Stripe API")
    rival_project = factories.make_project(other_organization, "Rival", "rival")
    rival_provider = factories.make_component(rival_project, "Rival Service", "rival-service")
    rival_service = factories.make_internal_service(
        rival_provider, "rival", Visibility.ORGANIZATION, security=Security.OAUTH2
    )

    def create(name, service, project=project):
        return connection_create(project=project, service=service, name=name)

    return {
        "oauth": create("Employees", oauth),
        "api_key": create("Ledger", keyed),
        "none": create("Stripe", stripe),
        "foreign": create("Rival", rival_service, rival_project),
    }


def _binding(connection, environment="development") -> ConnectionBinding:
    return connection.bindings.get(environment__handle=environment)


def _url(connection, org="acme", project="payments", component=None) -> str:
    kwargs = {"org": org, "project": project, "connection_id": connection.public_id}
    if component:
        kwargs["component"] = component
    return reverse("connections:rotate", kwargs=kwargs)


def _detail(connection) -> str:
    return reverse(
        "connections:detail",
        kwargs={"org": "acme", "project": "payments", "connection_id": connection.public_id},
    )


# --- The service -------------------------------------------------------------


def test_a_rotation_with_grace_keeps_the_old_secret_for_an_hour(scene, developer):
    connection = scene["oauth"]
    before = _binding(connection)
    old_secret, key = before.consumer_secret.reveal(), before.consumer_key
    now = timezone.now()

    with mock.patch("django.utils.timezone.now", return_value=now):
        credentials_rotate(connection=connection, binding=before, grace="1h", actor=developer)

    after = _binding(connection)
    assert after.consumer_secret.reveal() != old_secret
    assert after.previous_consumer_secret.reveal() == old_secret
    assert after.consumer_key == key  # the client id stays
    assert after.previous_valid_until == now + timedelta(hours=1)
    assert after.credentials_generation == before.credentials_generation + 1
    assert after.credentials_rotated_at == now
    # Production is untouched.
    assert _binding(connection, "production").credentials_generation == 1
    event = ActivityEvent.objects.get(action=Action.CREDENTIALS_ROTATED)
    assert event.actor == developer
    assert event.detail == {
        "environment": "Development",
        "keys": ["ConsumerSecret"],
        "grace": "1 hour",
        "old_valid_until": (now + timedelta(hours=1)).isoformat(),
    }
    assert describe_event(event) == (
        "dave rotated ConsumerSecret in Development; the old values work for 1 hour more"
    )


def test_a_rotation_without_grace_drops_the_old_secret_at_once(scene, org_admin):
    connection = scene["oauth"]
    binding = _binding(connection)
    credentials_rotate(connection=connection, binding=binding, grace="1h", actor=org_admin)
    credentials_rotate(connection=connection, binding=binding, grace="none", actor=org_admin)

    after = _binding(connection)
    assert after.previous_consumer_secret is None
    assert after.previous_valid_until is None
    assert after.credentials_generation == 3
    event = ActivityEvent.objects.filter(action=Action.CREDENTIALS_ROTATED).first()
    assert event.detail["grace"] == "none"
    assert describe_event(event).endswith("the old values stopped working at once")


def test_an_api_key_rotation_moves_its_digest_too(scene, developer):
    connection = scene["api_key"]
    before = _binding(connection)
    old_key, old_digest = before.api_key.reveal(), before.api_key_digest

    credentials_rotate(connection=connection, binding=before, grace="24h", actor=developer)

    after = _binding(connection)
    new_key = after.api_key.reveal()
    assert new_key != old_key
    assert after.api_key_digest == hashlib.sha256(new_key.encode()).hexdigest()
    assert after.previous_api_key.reveal() == old_key
    assert after.previous_api_key_digest == old_digest
    event = ActivityEvent.objects.get(action=Action.CREDENTIALS_ROTATED)
    assert event.detail["keys"] == ["ChoreoAPIKey"]


def test_a_viewer_cannot_rotate_and_nothing_changes(scene, viewer):
    connection = scene["oauth"]
    binding = _binding(connection)
    secret = binding.consumer_secret.reveal()
    with pytest.raises(PermissionDenied):
        credentials_rotate(connection=connection, binding=binding, grace="1h", actor=viewer)
    assert _binding(connection).consumer_secret.reveal() == secret
    assert not ActivityEvent.objects.filter(action=Action.CREDENTIALS_ROTATED).exists()


def test_the_service_refuses_an_unknown_grace_and_a_scheme_without_secret(scene, developer):
    with pytest.raises(ValidationError) as unknown:
        credentials_rotate(
            connection=scene["oauth"],
            binding=_binding(scene["oauth"]),
            grace="forever",
            actor=developer,
        )
    assert "grace" in unknown.value.message_dict
    with pytest.raises(ValidationError):
        credentials_rotate(
            connection=scene["none"], binding=_binding(scene["none"]), grace="1h", actor=developer
        )


# --- The view ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["org_admin", "developer"])
def test_a_writer_sees_the_form_with_one_hour_chosen(scene, login, persona, request):
    client = login(request.getfixturevalue(persona))
    response = client.get(_url(scene["oauth"]) + "?environment=development")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rotate ConsumerSecret of “Employees”?" in html
    for label in ("None: the old values stop working at once", "1 hour", "24 hours", "7 days"):
        assert label in html
    form = response.context["form"]
    assert form["environment"].value() == "development"
    assert form["grace"].value() == "1h"
    assert "<html" in html


def test_a_writer_rotates_and_lands_on_the_connection_page(scene, login, developer):
    connection = scene["oauth"]
    old = _binding(connection).consumer_secret.reveal()
    client = login(developer)

    response = client.post(_url(connection), {"environment": "development", "grace": "1h"})

    assert response.status_code == 302
    assert response["Location"] == _detail(connection)
    binding = _binding(connection)
    assert binding.previous_consumer_secret.reveal() == old
    page = client.get(response["Location"]).content.decode()
    assert (
        "A new ConsumerSecret was generated for Development. The old value is accepted until"
        in (page)
    )
    assert "dave rotated ConsumerSecret in Development; the old values work for 1 hour more" in page


def test_htmx_gets_the_form_fragment_and_a_client_redirect(scene, login, developer):
    connection = scene["api_key"]
    client = login(developer)
    htmx = {"HX-Request": "true"}

    form = client.get(_url(connection) + "?environment=production", headers=htmx)
    assert form.status_code == 200
    assert form.content.lstrip().startswith(b'<div id="rotate-form"')
    assert b"<html" not in form.content

    done = client.post(
        _url(connection), {"environment": "production", "grace": "none"}, headers=htmx
    )
    assert done.status_code == 200
    assert done["HX-Redirect"] == _detail(connection)
    binding = _binding(connection, "production")
    assert binding.credentials_generation == 2
    assert binding.previous_api_key is None


def test_a_bad_grace_shows_the_form_again_with_the_message_beside_it(scene, login, developer):
    connection = scene["oauth"]
    client = login(developer)
    data = {"environment": "production", "grace": "forever"}
    response = client.post(_url(connection), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"grace": ["Choose one of the grace periods offered."]}
    assert form["environment"].value() == "production"  # kept
    fragment = client.post(_url(connection), data, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert html.lstrip().startswith('<div id="rotate-form"')
    assert "Choose one of the grace periods offered." in html
    assert '<option value="production" selected>' in html  # kept
    missing = client.post(_url(connection), {"grace": "1h"})
    assert missing.context["form"].errors == {"environment": ["Choose an environment."]}
    assert _binding(connection, "production").credentials_generation == 1
    assert not ActivityEvent.objects.filter(action=Action.CREDENTIALS_ROTATED).exists()


def test_a_viewer_gets_403_and_no_button(scene, login, viewer):
    connection = scene["oauth"]
    client = login(viewer)
    assert client.get(_url(connection) + "?environment=development").status_code == 403
    response = client.post(_url(connection), {"environment": "development", "grace": "1h"})
    assert response.status_code == 403
    assert _binding(connection).credentials_generation == 1
    page = client.get(_detail(connection)).content.decode()
    assert "Rotate" not in page
    assert _url(connection) not in page


def test_the_page_offers_rotate_per_environment_to_writers(scene, login, developer):
    client = login(developer)
    page = client.get(_detail(scene["oauth"])).content.decode()
    for environment in ("development", "production"):
        assert f"{_url(scene['oauth'])}?environment={environment}" in page
    assert 'Rotate<span class="visually-hidden"> ConsumerSecret in Development' in page
    api_page = client.get(_detail(scene["api_key"])).content.decode()
    assert 'Rotate<span class="visually-hidden"> ChoreoAPIKey in Production' in api_page
    assert _url(scene["none"]) not in client.get(_detail(scene["none"])).content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_foreign_or_secretless_connections_and_environments_are_404(
    scene, login, developer, method
):
    client = login(developer)
    data = {"environment": "development", "grace": "1h"}
    urls = [
        _url(scene["none"]),  # nothing generated to rotate
        _url(scene["foreign"]),  # Globex's, named from Acme's project
        _url(scene["foreign"], org="globex", project="rival"),  # not a member there
        _url(scene["oauth"]).replace(
            str(scene["oauth"].public_id), "0" * 8 + "-0000-0000-0000-" + "0" * 12
        ),
    ]
    for url in urls:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
    staging = client.generic(
        method.upper(),
        _url(scene["oauth"]) + ("?environment=staging" if method == "get" else ""),
        **(
            {
                "data": "environment=staging&grace=1h",
                "content_type": "application/x-www-form-urlencoded",
            }
            if method == "post"
            else {}
        ),
    )
    assert staging.status_code == 404
    assert not ActivityEvent.objects.filter(action=Action.CREDENTIALS_ROTATED).exists()


def test_a_component_level_url_rotates_a_project_connection(scene, login, developer):
    connection = scene["oauth"]
    client = login(developer)
    url = _url(connection, component="checkout-api")
    response = client.post(url, {"environment": "development", "grace": "7d"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "connections:detail",
        kwargs={
            "org": "acme",
            "project": "payments",
            "component": "checkout-api",
            "connection_id": connection.public_id,
        },
    )
    assert _binding(connection).credentials_generation == 2


# --- The connection page during and after the grace period -------------------


def test_the_page_shows_both_values_during_grace_and_only_the_new_one_after(
    scene, login, developer
):
    connection = scene["oauth"]
    client = login(developer)
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now):
        client.post(_url(connection), {"environment": "development", "grace": "1h"})

    during = client.get(_detail(connection)).content.decode()
    assert during.count("Old value, accepted until") == 1
    assert f'datetime="{timezone.localtime(now + timedelta(hours=1)).isoformat()}"' in during
    assert 'Reveal<span class="visually-hidden"> old ConsumerSecret in Development' in during
    assert during.count(MASK) == 3  # Development's new and old, Production's

    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(hours=1, seconds=1)):
        after = client.get(_detail(connection)).content.decode()
    assert "Old value, accepted until" not in after
    assert "old ConsumerSecret" not in after
    assert after.count(MASK) == 2


def test_the_old_secret_is_revealed_through_the_reveal_flow_and_recorded(scene, login, developer):
    connection = scene["oauth"]
    old = _binding(connection).consumer_secret.reveal()
    client = login(developer)
    client.post(_url(connection), {"environment": "development", "grace": "24h"})
    new = _binding(connection).consumer_secret.reveal()
    reveal = reverse(
        "connections:reveal",
        kwargs={"org": "acme", "project": "payments", "connection_id": connection.public_id},
    )
    data = {"environment": "development", "key": "ConsumerSecret", "which": "previous"}

    page = client.post(reveal, data).content.decode()
    assert old in page
    assert new not in page
    fragment = client.post(reveal, data, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<td class="value-cell">')
    assert old in fragment
    assert new not in fragment
    assert "Old value, accepted until" in fragment  # the cell keeps its old-value row
    current = client.post(
        reveal, {**data, "which": ""}, headers={"HX-Request": "true"}
    ).content.decode()
    assert new in current and old not in current
    assert "Old value, accepted until" in current
    sentences = [describe_event(e) for e in ActivityEvent.objects.filter(object_kind="connection")]
    assert "dave revealed the old ConsumerSecret in Development" in sentences
    assert "dave revealed ConsumerSecret in Development" in sentences


def test_no_old_secret_to_reveal_after_grace_or_without_one(scene, login, developer, viewer):
    connection = scene["oauth"]
    client = login(developer)
    reveal = reverse(
        "connections:reveal",
        kwargs={"org": "acme", "project": "payments", "connection_id": connection.public_id},
    )
    data = {"environment": "development", "key": "ConsumerSecret", "which": "previous"}
    assert client.post(reveal, data).status_code == 404  # never rotated
    client.post(_url(connection), {"environment": "development", "grace": "1h"})
    ConnectionBinding.objects.filter(connection=connection).update(
        previous_valid_until=timezone.now() - timedelta(seconds=1)
    )
    assert client.post(reveal, data).status_code == 404  # grace over
    assert client.post(reveal, {**data, "key": "ConsumerKey"}).status_code == 404
    assert login(viewer).post(reveal, data).status_code == 403


def test_resolving_costs_no_more_queries_during_grace(scene, developer, django_assert_num_queries):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    connection = scene["oauth"]
    with CaptureQueriesContext(db) as before:
        resolve(connection)
    credentials_rotate(
        connection=connection, binding=_binding(connection), grace="7d", actor=developer
    )
    with django_assert_num_queries(len(before.captured_queries)):
        resolved = resolve(connection)
    development = next(r for r in resolved if r.environment.handle == "development")
    secret = next(v for v in development.values if v.key == "ConsumerSecret")
    assert secret.previous is not None and secret.rotatable
    production = next(r for r in resolved if r.environment.handle == "production")
    assert next(v for v in production.values if v.key == "ConsumerSecret").previous is None
