"""Runtime tokens in the console: the section of a component's and a
project's page, Create (shown once, kept hashed) and Revoke."""

from __future__ import annotations

import re

from delivery.models import RuntimeToken, token_digest
from tests import factories

from .conftest import CONFIG_URL, bearer

COMPONENT_PAGE = "/orgs/acme/projects/payments/components/checkout-api/"
PROJECT_PAGE = "/orgs/acme/projects/payments/"
CREATE = COMPONENT_PAGE + "runtime-tokens/new/"


def _created_token(response) -> str:
    match = re.search(r'id="runtime-token-value">(jrt_[A-Za-z0-9_-]+)<', response.content.decode())
    assert match, "the created token is not on the page"
    return match.group(1)


def test_a_developer_creates_a_token_sees_it_once_and_it_pulls(
    login, developer, delivery_world, development
):
    client = login(developer)
    page = client.get(COMPONENT_PAGE).content.decode()
    assert "Runtime tokens" in page and "+ Create token" in page

    response = client.post(
        CREATE, {"name": "GitHub Actions deploy", "environment": development.pk, "expiry": "30"}
    )

    assert response.status_code == 200
    token = _created_token(response)
    body = response.content.decode()
    assert "junction run -- python app.py" in body
    assert f"export JUNCTION_TOKEN={token}" in body
    stored = RuntimeToken.objects.get(name="GitHub Actions deploy")
    assert stored.digest == token_digest(token)
    assert token not in {stored.hint, stored.digest}
    assert stored.component.handle == "checkout-api"
    assert stored.expires_at is not None
    assert stored.created_by_name == "dave"
    assert client.get(CONFIG_URL, **bearer(token)).status_code == 200
    # Shown once: the component's page never shows it again.
    listed = client.get(COMPONENT_PAGE).content.decode()
    assert "GitHub Actions deploy" in listed
    assert token not in listed
    assert stored.hint in listed


def test_the_list_shows_who_made_it_when_it_expires_and_its_last_use(
    login, client, developer, delivery_world, issue_token
):
    issued = issue_token()
    client.get(CONFIG_URL, **bearer(issued.token), REMOTE_ADDR="10.9.8.7")

    page = login(developer).get(COMPONENT_PAGE).content.decode()

    section = page[page.index('id="runtime-tokens"') :]
    assert "CI deploy" in section
    assert "dave" in section
    assert "Never" in section  # no expiry
    assert "from 10.9.8.7" in section
    assert "Active" in section
    assert "Recent pulls" in section
    assert "“CI deploy” pulled Development (dotenv) from 10.9.8.7" in section
    assert "secrets of Directory, Payments" in section


def test_a_viewer_sees_the_list_only(login, viewer, delivery_world, issue_token, development):
    issue_token()
    client = login(viewer)

    page = client.get(COMPONENT_PAGE).content.decode()

    assert "CI deploy" in page
    assert "+ Create token" not in page
    assert "Revoke" not in page
    assert client.get(CREATE).status_code == 403
    refused = client.post(CREATE, {"name": "Mine", "environment": development.pk, "expiry": "30"})
    assert refused.status_code == 403
    assert not RuntimeToken.objects.filter(name="Mine").exists()


def test_bad_input_is_shown_beside_its_field_and_kept(
    login, developer, delivery_world, other_organization
):
    foreign = other_organization.environments.first()
    client = login(developer)

    response = client.post(CREATE, {"name": "ci", "environment": foreign.pk, "expiry": "10"})

    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors
    assert "environment" in form.errors
    assert "expiry" in form.errors
    assert 'value="ci"' in response.content.decode()
    assert not RuntimeToken.objects.exists()


def test_an_id_beyond_any_column_is_a_form_error(login, developer, delivery_world):
    response = login(developer).post(
        CREATE, {"name": "Deploy", "environment": "9" * 30, "expiry": "30"}
    )

    assert response.status_code == 200
    assert "environment" in response.context["form"].errors


def test_revoke_asks_then_stops_the_token_at_once(login, developer, delivery_world, issue_token):
    issued = issue_token()
    client = login(developer)
    url = f"{COMPONENT_PAGE}runtime-tokens/{issued.runtime_token.public_id}/revoke/"

    question = client.get(url).content.decode()
    assert "Revoke the runtime token “CI deploy”?" in question

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == COMPONENT_PAGE + "#runtime-tokens"
    refused = client.get(CONFIG_URL, **bearer(issued.token))
    assert refused.status_code == 401
    assert refused.json()["error_description"] == "This runtime token was revoked."
    page = client.get(COMPONENT_PAGE).content.decode()
    assert "Revoked" in page


def test_a_project_token_is_made_and_listed_on_the_project_page(
    login, developer, delivery_world, development, issue_token
):
    component_token = issue_token()
    client = login(developer)

    response = client.post(
        PROJECT_PAGE + "runtime-tokens/new/",
        {"name": "Shared runner", "environment": development.pk, "expiry": "never"},
    )

    token = _created_token(response)
    stored = RuntimeToken.objects.get(name="Shared runner")
    assert stored.component is None and stored.expires_at is None
    body = client.get(CONFIG_URL, **bearer(token), data={"format": "json"}).json()
    assert [c["name"] for c in body["connections"]] == ["Payments"]
    page = client.get(PROJECT_PAGE).content.decode()
    assert "Shared runner" in page
    assert component_token.runtime_token.name not in page
    # A component's token is not one of the project's.
    other_level = f"{PROJECT_PAGE}runtime-tokens/{component_token.runtime_token.public_id}/revoke/"
    assert client.get(other_level).status_code == 404


def test_a_token_of_another_component_is_a_404(login, developer, delivery_world, issue_token):
    issued = issue_token()
    factories.make_component(delivery_world["sibling"].project, "Mailer", "mailer")
    client = login(developer)

    url = (
        "/orgs/acme/projects/payments/components/mailer/runtime-tokens/"
        f"{issued.runtime_token.public_id}/revoke/"
    )

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert (
        client.get(url.replace(str(issued.runtime_token.public_id), "not-a-uuid")).status_code
        == 404
    )
