"""The providers' side of credentials (docs/credentials.md, For providers):
the Verify callers page of an internal service, its project's
introspection credentials (create, rotate, reveal), the component page's
section and the How to use tab's facts for the publishing team, and the
code samples, run here against the real endpoints."""

from __future__ import annotations

import json
import shutil
import subprocess

import httpx
import jwt as pyjwt
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection as db_connection
from django.urls import reverse

from connections.services import connection_create
from console.models import Role
from marketplace.models import Security
from oauth import provider_samples
from oauth.models import IntrospectionClient
from oauth.providers import (
    introspection_client_create,
    introspection_client_rotate,
    introspection_secret_reveal,
)
from tests import factories
from tests.oauth.conftest import PROVIDER_ID, PROVIDER_SECRET, basic

AUDIENCE = "service:/ledger/ledger-api/v1/books/ORGANIZATION"


def _url(service, name: str = "verify-callers") -> str:
    component = service.provider_component
    return reverse(
        f"oauth:{name}",
        kwargs={
            "org": component.project.organization.handle,
            "project": component.project.handle,
            "component": component.handle,
            "service_id": service.pk,
        },
    )


def _page(login, user, service) -> str:
    response = login(user).get(_url(service))
    assert response.status_code == 200
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def members(org_admin, developer, viewer):
    return {"admin": org_admin, "developer": developer, "viewer": viewer}


# --- The page ---


@pytest.mark.parametrize("role", ["admin", "developer", "viewer"])
def test_it_shows_every_member_what_to_check_with_the_exact_audience(
    login, members, oauth_service, role, settings
):
    html = _page(login, members[role], oauth_service)
    assert oauth_service.resource_reference == AUDIENCE
    assert f'id="audience">{AUDIENCE}</code>' in html
    assert f'id="issuer">{settings.JUNCTION_PUBLIC_URL}</code>' in html
    assert f"{settings.JUNCTION_PUBLIC_URL}/oauth2/jwks" in html
    assert f"{settings.JUNCTION_PUBLIC_URL}/.well-known/oauth-authorization-server" in html
    assert "PyJWKClient" in html and "createRemoteJWKSet" in html
    assert "/oauth2/introspect" in html


@pytest.mark.parametrize("role", ["admin", "developer"])
def test_it_shows_writers_the_client_id_and_a_masked_secret(
    login, members, oauth_service, introspection_client, role
):
    html = _page(login, members[role], oauth_service)
    assert PROVIDER_ID in html
    assert PROVIDER_SECRET not in html
    assert _url(oauth_service, "introspection-reveal") in html
    assert _url(oauth_service, "introspection-rotate") in html
    assert "Create introspection credentials" not in html


def test_it_shows_viewers_no_credentials_at_all(login, viewer, oauth_service, introspection_client):
    html = _page(login, viewer, oauth_service)
    assert PROVIDER_ID not in html and PROVIDER_SECRET not in html
    for name in ("introspection-create", "introspection-rotate", "introspection-reveal"):
        assert _url(oauth_service, name) not in html
    assert "Create introspection credentials" not in html
    assert 'id="credentials-for-writers"' in html


def test_it_offers_writers_to_create_credentials_when_there_are_none(
    login, developer, oauth_service
):
    html = _page(login, developer, oauth_service)
    assert "Create introspection credentials" in html
    assert _url(oauth_service, "introspection-create") in html


def test_it_is_404_for_an_outsider(login, outsider, oauth_service):
    assert login(outsider).get(_url(oauth_service)).status_code == 404


def test_it_is_404_for_a_service_the_component_does_not_publish(
    login, org_admin, oauth_service, organization
):
    other = factories.make_component(oauth_service.provider_component.project, "Other", "other")
    foreign = factories.make_internal_service(other, "elsewhere", security=Security.OAUTH2)
    third_party = factories.make_third_party_service(organization, "Stripe API")
    client = login(org_admin)
    base = _url(oauth_service)
    for service_id in (foreign.pk, third_party.pk, 987654, 2**63):
        url = base.replace(f"/endpoints/{oauth_service.pk}/", f"/endpoints/{service_id}/")
        assert client.get(url).status_code == 404, service_id
        for name in ("introspection-create", "introspection-rotate", "introspection-reveal"):
            action = _url(oauth_service, name).replace(
                f"/endpoints/{oauth_service.pk}/", f"/endpoints/{service_id}/"
            )
            assert client.post(action).status_code == 404, (name, service_id)
    assert not IntrospectionClient.objects.exists()


def test_it_tells_an_api_key_provider_that_introspection_is_the_only_way(
    login, developer, api_key_service
):
    html = _page(login, developer, api_key_service)
    assert "Choreo-API-Key" in html
    assert "Check the API key: introspection" in html
    assert "PyJWKClient" not in html and "createRemoteJWKSet" not in html
    assert api_key_service.resource_reference in html


def test_it_says_there_is_nothing_to_verify_without_security(login, developer, provider_component):
    service = factories.make_internal_service(provider_component, "open", security=Security.NONE)
    html = _page(login, developer, service)
    assert "there is nothing to verify" in html
    assert "PyJWKClient" not in html


def test_the_page_takes_a_bounded_number_of_queries(
    login, developer, oauth_service, introspection_client, django_assert_max_num_queries
):
    client = login(developer)
    with django_assert_max_num_queries(12):
        assert client.get(_url(oauth_service)).status_code == 200


# --- Introspection credentials ---


@pytest.mark.parametrize("role", ["admin", "developer"])
def test_a_writer_creates_the_projects_credentials(login, members, oauth_service, role):
    response = login(members[role]).post(_url(oauth_service, "introspection-create"))
    assert response.status_code == 302
    assert response["Location"] == _url(oauth_service)
    record = IntrospectionClient.objects.get()
    assert record.project == oauth_service.provider_component.project
    assert record.client_id.startswith("jpi_") and len(record.client_id) == 4 + 24
    assert len(record.client_secret.reveal()) == 43
    assert record.created_by == members[role]
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM oauth_introspectionclient")
        (stored,) = cursor.fetchone()
    assert record.client_secret.reveal() not in stored  # encrypted at rest


def test_creating_twice_keeps_the_first_credentials(login, developer, oauth_service):
    client = login(developer)
    client.post(_url(oauth_service, "introspection-create"))
    first = IntrospectionClient.objects.get()
    response = client.post(_url(oauth_service, "introspection-create"))
    assert response.status_code == 302
    assert any("already has introspection credentials" in m for m in _messages(response))
    again = IntrospectionClient.objects.get()
    assert (again.client_id, again.client_secret) == (first.client_id, first.client_secret)


def test_rotation_asks_first_then_replaces_the_secret_at_once(
    login, developer, oauth_service, introspection_client, consumer, get_token, post
):
    client = login(developer)
    confirm = client.get(_url(oauth_service, "introspection-rotate"))
    assert confirm.status_code == 200
    assert b"Rotate the secret" in confirm.content
    assert IntrospectionClient.objects.get().client_secret.reveal() == PROVIDER_SECRET

    response = client.post(_url(oauth_service, "introspection-rotate"))
    assert response.status_code == 302
    record = IntrospectionClient.objects.get()
    assert record.client_id == PROVIDER_ID
    assert record.rotated_at is not None
    new_secret = record.client_secret.reveal()
    assert new_secret != PROVIDER_SECRET

    token = get_token(consumer)
    old = post("introspect", {"token": token}, auth=basic(PROVIDER_ID, PROVIDER_SECRET))
    assert old.status_code == 401
    new = post("introspect", {"token": token}, auth=basic(PROVIDER_ID, new_secret))
    assert new.json()["active"] is True


def test_rotating_without_credentials_says_so_and_creates_nothing(login, developer, oauth_service):
    client = login(developer)
    assert (
        b"no introspection credentials yet"
        in client.get(_url(oauth_service, "introspection-rotate")).content
    )
    response = client.post(_url(oauth_service, "introspection-rotate"))
    assert response.status_code == 302
    assert any("no introspection credentials to rotate" in m for m in _messages(response))
    assert not IntrospectionClient.objects.exists()


@pytest.mark.parametrize("role", ["admin", "developer"])
def test_a_writer_reveals_the_secret_and_no_cache_keeps_it(
    login, members, oauth_service, introspection_client, role
):
    response = login(members[role]).post(_url(oauth_service, "introspection-reveal"))
    assert response.status_code == 200
    assert f'id="client-secret">{PROVIDER_SECRET}</code>' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_an_htmx_reveal_swaps_the_secret_cell_only(
    login, developer, oauth_service, introspection_client
):
    response = login(developer).post(
        _url(oauth_service, "introspection-reveal"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode().strip()
    assert html.startswith('<td class="secret-cell">') and html.endswith("</td>")
    assert PROVIDER_SECRET in html


def test_revealing_without_credentials_is_404(login, developer, oauth_service):
    response = login(developer).post(_url(oauth_service, "introspection-reveal"))
    assert response.status_code == 404


def test_a_viewer_may_not_create_rotate_or_reveal(login, viewer, oauth_service, provider_component):
    client = login(viewer)
    for name in ("introspection-create", "introspection-rotate", "introspection-reveal"):
        response = client.post(_url(oauth_service, name))
        assert response.status_code == 403, name
        assert PROVIDER_SECRET.encode() not in response.content
    assert client.get(_url(oauth_service, "introspection-rotate")).status_code == 403
    assert not IntrospectionClient.objects.exists()


def test_the_service_functions_check_the_role_themselves(
    provider_component, viewer, outsider, developer
):
    project = provider_component.project
    for actor in (viewer, outsider, None):
        with pytest.raises(PermissionDenied):
            introspection_client_create(project=project, actor=actor)
    assert not IntrospectionClient.objects.exists()
    introspection_client_create(project=project, actor=developer)
    for actor in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            introspection_client_rotate(project=project, actor=actor)
        with pytest.raises(PermissionDenied):
            introspection_secret_reveal(project=project, actor=actor)


def test_the_created_credentials_introspect_only_the_projects_services(
    login, developer, oauth_service, consumer, get_token, post, organization, project
):
    client = login(developer)
    client.post(_url(oauth_service, "introspection-create"))
    record = IntrospectionClient.objects.get()
    secret = client.post(_url(oauth_service, "introspection-reveal"), HTTP_HX_REQUEST="true")
    assert record.client_secret.reveal() in secret.content.decode()
    auth = basic(record.client_id, record.client_secret.reveal())

    mine = post("introspect", {"token": get_token(consumer)}, auth=auth).json()
    assert mine["active"] is True and mine["aud"] == AUDIENCE

    elsewhere = factories.make_component(factories.make_project(organization, "HR"), "Staff")
    other_service = factories.make_internal_service(elsewhere, "staff", security=Security.OAUTH2)
    other = connection_create(
        project=project, service=other_service, name="Staff", created_by=developer
    )
    from tests.oauth.conftest import Consumer

    other_token = get_token(Consumer(other.bindings.get(environment__handle="development")))
    assert post("introspect", {"token": other_token}, auth=auth).json() == {"active": False}


# --- Links to the page ---


def test_the_component_page_links_each_published_service(
    login, viewer, oauth_service, api_key_service
):
    component = oauth_service.provider_component
    url = reverse(
        "console:component",
        args=[component.project.organization.handle, component.project.handle, component.handle],
    )
    html = login(viewer).get(url).content.decode()
    assert 'id="verify-callers"' in html
    assert _url(oauth_service) in html and _url(api_key_service) in html


def test_a_component_that_publishes_nothing_has_no_verify_callers_section(login, viewer, component):
    url = reverse("console:component", args=["acme", "payments", "checkout-api"])
    html = login(viewer).get(url).content.decode()
    assert 'id="verify-callers"' not in html


def _how_to_use(client, project_handle: str, service) -> str:
    url = reverse(
        "marketplace:service",
        kwargs={"org": "acme", "project": project_handle, "service_id": service.pk},
    )
    response = client.get(url, {"tab": "how-to-use"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_publishing_team_sees_the_facts_on_how_to_use(login, viewer, oauth_service, settings):
    html = _how_to_use(login(viewer), "ledger", oauth_service)
    assert 'id="provider-how-to-use"' in html
    assert f"data-copy-source>{AUDIENCE}</code>" in html
    assert f"{settings.JUNCTION_PUBLIC_URL}/oauth2/jwks" in html
    assert _url(oauth_service) in html


def test_other_projects_do_not_see_the_providers_facts(login, org_admin, oauth_service, project):
    html = _how_to_use(login(org_admin), project.handle, oauth_service)
    assert AUDIENCE in html  # the resource reference every consumer sees
    assert 'id="provider-how-to-use"' not in html
    assert _url(oauth_service) not in html
    assert "/oauth2/jwks" not in html


def test_a_third_party_service_has_no_providers_facts(login, org_admin, organization, project):
    stripe = factories.make_third_party_service(organization, "Stripe API")
    html = _how_to_use(login(org_admin), project.handle, stripe)
    assert 'id="provider-how-to-use"' not in html


# --- The samples, run ---


@pytest.fixture
def jwks_from_test_server(client, monkeypatch):
    """PyJWKClient fetches the JWKS from the test server, not the network."""

    def fetch_data(self):
        assert self.uri.endswith("/oauth2/jwks")
        return client.get(reverse("oauth:jwks")).json()

    monkeypatch.setattr(pyjwt.PyJWKClient, "fetch_data", fetch_data)


def _run(code: str) -> dict:
    namespace: dict = {"__name__": "sample"}
    exec(compile(code, "<sample>", "exec"), namespace)  # our own sample, as the page shows it
    return namespace


def test_the_python_sample_verifies_a_real_token_for_this_service_only(
    oauth_service, consumer, get_token, jwks_from_test_server, organization, project, developer
):
    facts = provider_samples.caller_facts(oauth_service)
    sample = _run(provider_samples.python_verify(oauth_service, facts))
    token = get_token(consumer)
    claims = sample["verify_authorization_header"](f"Bearer {token}")
    assert claims["aud"] == AUDIENCE
    assert claims["connection"] == str(consumer.binding.connection.public_id)
    assert sample["verify"](token) == claims

    other_component = factories.make_component(oauth_service.provider_component.project, "Two")
    other_service = factories.make_internal_service(
        other_component, "two", security=Security.OAUTH2
    )
    other = connection_create(
        project=project, service=other_service, name="Two", created_by=developer
    )
    from tests.oauth.conftest import Consumer

    other_token = get_token(Consumer(other.bindings.get(environment__handle="development")))
    with pytest.raises(pyjwt.InvalidAudienceError):
        sample["verify"](other_token)
    with pytest.raises(pyjwt.InvalidTokenError):
        sample["verify_authorization_header"](f"Basic {token}")
    with pytest.raises(pyjwt.PyJWTError):
        sample["verify"](token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))


def test_the_python_introspection_sample_asks_the_real_endpoint(
    api_key_service,
    api_key_connection,
    api_key_binding,
    introspection_client,
    post,
    monkeypatch,
):
    def fake_post(url, data, auth, timeout):
        assert url.endswith("/oauth2/introspect")
        answer = post("introspect", data, auth=basic(*auth))
        return httpx.Response(
            answer.status_code, content=answer.content, request=httpx.Request("POST", url)
        )

    monkeypatch.setattr(httpx, "post", fake_post)
    monkeypatch.setenv(provider_samples.SECRET_VARIABLE, PROVIDER_SECRET)
    facts = provider_samples.caller_facts(api_key_service)
    sample = _run(provider_samples.python_introspect(api_key_service, facts, PROVIDER_ID))
    claims = sample["introspect"](api_key_binding.api_key.reveal())
    assert claims["active"] is True and claims["aud"] == api_key_service.resource_reference
    assert sample["introspect"]("not-a-key") is None


def test_the_samples_hold_hostile_names_as_plain_text(oauth_service, tmp_path):
    oauth_service.name = 'Books """ \\ `rm -rf` ${x}\n</script>'
    facts = provider_samples.caller_facts(oauth_service)
    python = provider_samples.python_verify(oauth_service, facts)
    compile(python, "<sample>", "exec")
    compile(provider_samples.python_introspect(oauth_service, facts, None), "<sample>", "exec")
    assert f"AUDIENCE = {json.dumps(AUDIENCE)}" in python
    node = provider_samples.node_verify(oauth_service, facts)
    assert f"const AUDIENCE = {json.dumps(AUDIENCE)};" in node
    # The name stays on its comment line: no line was added or broken.
    assert node.count("\n") == provider_samples.NODE_VERIFY.lstrip("\n").count("\n")
    if node_binary := shutil.which("node"):
        sample = tmp_path / "verify.mjs"
        sample.write_text(node)
        checked = subprocess.run(
            [node_binary, "--check", str(sample)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stderr


def test_the_curl_sample_posts_the_token_with_the_client_credentials(oauth_service, settings):
    facts = provider_samples.caller_facts(oauth_service)
    curl = provider_samples.curl_introspect(oauth_service, facts, "jpi_abc")
    assert f'--user "jpi_abc:${provider_samples.SECRET_VARIABLE}"' in curl
    assert '--data-urlencode "token=$TOKEN"' in curl
    assert f'"{settings.JUNCTION_PUBLIC_URL}/oauth2/introspect"' in curl


def test_any_developer_of_the_organization_manages_the_credentials(
    organization, provider_component
):
    # Roles are the organization's (docs/domain.md): a Developer of it is a
    # writer of every project in it.
    user = factories.make_user()
    factories.add_member(user, organization, Role.DEVELOPER)
    record = introspection_client_create(project=provider_component.project, actor=user)
    assert introspection_secret_reveal(project=provider_component.project, actor=user) == (
        record.client_secret.reveal()
    )
