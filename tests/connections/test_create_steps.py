"""The create wizard's steps have addresses, and what was typed is kept in a
draft (connections/drafts.py), so that Back, Forward and reload keep it."""

from __future__ import annotations

import uuid

import pytest

from connections.drafts import KEPT, SESSION_KEY
from connections.models import Connection
from tests import factories
from tests.connections.test_create import create_url


@pytest.fixture
def directory(project):
    hr = factories.make_project(project.organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    return factories.make_internal_service(provider, "directory")


@pytest.fixture
def stripe(organization):
    return factories.make_third_party_service(organization, "Stripe API")


def _next(client, url, name="Staff directory", description="People", **headers):
    data = {"name": name, "description": description, "action": "next"}
    return client.post(url, {**data, "request_token": str(uuid.uuid4())}, headers=headers)


def test_step_two_read_from_its_address_shows_what_was_typed(login, developer, directory):
    client = login(developer)
    url = create_url(directory)
    _next(client, url)

    content = client.get(url + "?step=urls").content.decode()

    assert "Service URL" in content
    assert 'name="name" value="Staff directory"' in content
    assert 'name="description" value="People"' in content
    assert not Connection.objects.exists()


def test_step_one_read_again_shows_what_was_typed(login, developer, directory):
    client = login(developer)
    url = create_url(directory)
    _next(client, url, description="People & <places>")

    content = client.get(url).content.decode()

    assert 'value="Staff directory"' in content
    assert "People &amp; &lt;places&gt;</textarea>" in content


def test_without_a_draft_step_two_s_address_shows_step_one(login, developer, directory):
    content = login(developer).get(create_url(directory) + "?step=urls").content.decode()

    assert ">Next</button>" in content
    assert "Service URL</h2>" not in content


def test_a_name_taken_meanwhile_brings_step_one_back_with_the_error(
    login, developer, directory, project
):
    client = login(developer)
    url = create_url(directory)
    _next(client, url)
    factories.bulk_connections(project, directory, 1, "Staff directory")
    Connection.objects.update(name="Staff directory")

    content = client.get(url + "?step=urls").content.decode()

    assert ">Next</button>" in content
    assert 'aria-invalid="true"' in content


def test_htmx_pushes_each_step_s_address(login, developer, directory):
    client = login(developer)
    url = create_url(directory)

    forward = _next(client, url, **{"HX-Request": "true"})
    back = client.post(
        url,
        {"name": "Staff directory", "action": "back", "request_token": str(uuid.uuid4())},
        headers={"HX-Request": "true"},
    )
    wrong = _next(client, url, name="", **{"HX-Request": "true"})

    assert forward["HX-Push-Url"] == url + "?step=urls"
    assert back["HX-Push-Url"] == url
    assert "HX-Push-Url" not in wrong  # it stays on step 1, with the error


def test_reading_a_third_party_form_s_address_never_creates(login, developer, stripe):
    client = login(developer)
    url = create_url(stripe)
    client.post(url, {"name": "Payments", "action": "create"})  # refused: no token

    client.get(url + "?step=urls")

    assert not Connection.objects.exists()


def test_create_drops_the_draft_and_a_new_form_starts_empty(login, developer, directory):
    client = login(developer)
    url = create_url(directory)
    _next(client, url)

    client.post(
        url,
        {
            "name": "Staff directory",
            "description": "People",
            "action": "create",
            "request_token": str(uuid.uuid4()),
        },
    )

    assert Connection.objects.filter(name="Staff directory").exists()
    assert 'value="Staff directory"' not in client.get(url).content.decode()


def test_the_session_keeps_only_the_newest_drafts(login, developer, directory):
    client = login(developer)
    for n in range(KEPT + 3):
        # Each service's form has its own address, and so its own draft.
        other = factories.make_internal_service(directory.provider_component, f"api-{n}")
        _next(client, create_url(other), name=f"Draft {n}")

    names = [draft["name"] for draft in client.session[SESSION_KEY].values()]
    assert names == [f"Draft {n}" for n in range(3, KEPT + 3)]  # the oldest three dropped


def test_the_form_opens_with_its_first_field_focused_then_its_first_error(
    login, developer, directory
):
    client = login(developer)
    url = create_url(directory)

    opened = client.get(url).content.decode()
    wrong = _next(client, url, name="x").content.decode()

    assert 'name="name"' in opened and "autofocus" in opened.split('name="name"')[1][:200]
    name_input = wrong.split('name="name"')[1][:300]
    assert "autofocus" in name_input and 'aria-invalid="true"' in name_input
