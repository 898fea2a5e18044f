"""The 400, 403, 404 and 500 pages (console/errors.py, junction/errors.py):
inside the console's layout for a signed-in person, in the scope the URL
names when they can see it, with a sentence saying why and links onwards;
JSON on the machine endpoints; a 500 page that reads nothing. DEBUG is off
in the tests, as in production."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from junction import errors
from tests import factories

PROJECT = "/orgs/acme/projects/payments/"
SIDEBAR = 'aria-label="Console navigation"'
LOG_OUT = ">Log out</button>"


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def checkout(project):
    return factories.make_component(project, "Checkout API", "checkout-api")


def test_a_missing_connection_is_a_404_inside_its_project(login, developer, project):
    response = login(developer).get(f"{PROJECT}connections/{uuid.uuid4()}/")

    assert response.status_code == 404
    page = _text(response)
    assert SIDEBAR in page and LOG_OUT in page  # the console's shell, in Payments
    assert "Page not found" in page
    assert "No such connection here." in page  # why, in a sentence
    assert f'href="{PROJECT}"' in page  # Payments overview
    assert f'href="{PROJECT}connections/"' in page  # back to the list it was in
    assert f'href="{PROJECT}marketplace/"' in page
    assert 'href="/"' in page  # Your organizations


def test_a_url_that_matches_nothing_is_a_404_in_the_deepest_scope_one_can_see(
    login, developer, checkout
):
    response = login(developer).get(f"{PROJECT}components/checkout-api/no-such-page/")

    assert response.status_code == 404
    page = _text(response)
    assert SIDEBAR in page
    assert "Checkout API overview" in page
    assert "tried" not in page  # the resolver's internals are not a reason


def test_a_404_names_nothing_of_an_organization_one_is_not_in(client, outsider, project):
    client.force_login(outsider)

    response = client.get(f"{PROJECT}connections/")

    assert response.status_code == 404
    page = _text(response)
    assert LOG_OUT in page and SIDEBAR not in page
    assert "Acme" not in page and "Payments" not in page


def test_a_404_has_a_back_link_to_the_page_one_came_from_when_it_is_ours(login, developer):
    client = login(developer)

    ours = client.get("/nowhere/", HTTP_REFERER="http://testserver/orgs/acme/")
    theirs = client.get("/nowhere/", HTTP_REFERER="https://elsewhere.example/")

    assert 'href="http://testserver/orgs/acme/"' in _text(ours)
    assert "elsewhere.example" not in _text(theirs)


def test_an_anonymous_visitor_gets_a_404_card_with_a_way_to_log_in(client):
    response = client.get("/nowhere/")

    assert response.status_code == 404
    page = _text(response)
    assert "Page not found" in page
    assert f'href="{reverse("login")}"' in page
    assert LOG_OUT not in page


def test_a_viewer_who_tries_to_write_gets_a_403_saying_why(login, viewer, project):
    response = login(viewer).get(f"{PROJECT}connections/create/")

    assert response.status_code == 403
    page = _text(response)
    assert SIDEBAR in page
    assert "Not allowed" in page
    assert "Your role in this organization cannot make changes." in page


def test_a_form_without_its_csrf_token_gets_a_403_saying_what_to_do(developer, project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(developer)

    response = client.post(f"{PROJECT}connections/create/", {})

    assert response.status_code == 403
    page = _text(response)
    assert "This form has expired" in page
    assert "reload the page and send it again" in page
    assert SIDEBAR in page


def test_a_request_too_large_to_read_is_a_400_inside_the_console(login, developer, project):
    fields = {f"field{number}": "x" for number in range(1_001)}

    new_component = reverse(
        "console:component-create", kwargs={"org": "acme", "project": "payments"}
    )
    response = login(developer).post(new_component, fields)

    assert response.status_code == 400
    page = _text(response)
    assert "Bad request" in page and SIDEBAR in page


def test_a_request_for_another_host_is_a_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "Bad request" in _text(response)


def test_an_htmx_request_that_fails_replaces_the_page_with_the_error(login, developer, project):
    response = login(developer).get(
        f"{PROJECT}connections/{uuid.uuid4()}/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{PROJECT}connections/",
    )

    assert response.status_code == 404
    assert response["HX-Retarget"] == "body"
    assert response["HX-Reswap"] == "innerHTML"
    assert f'href="http://testserver{PROJECT}connections/"' in _text(response)  # Back


def test_a_500_is_a_page_of_the_console_with_the_content_security_policy(
    monkeypatch, developer, project
):
    def broken(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr("connections.views.list.render_page_or_fragment", broken)
    client = Client(raise_request_exception=False)
    client.force_login(developer)

    response = client.get(f"{PROJECT}connections/")

    assert response.status_code == 500
    page = _text(response)
    assert "Something went wrong on our side" in page
    assert "junction/junction.css" in page  # styled like the console
    assert "something broke" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_500_page_reads_neither_the_session_nor_the_database():
    # No database fixture: pytest-django refuses any query, so one would fail here.
    request = RequestFactory().get("/orgs/acme/", HTTP_COOKIE="sessionid=abc")

    response = errors.server_error(request)

    assert response.status_code == 500
    assert "Your organizations" in _text(response)


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/api/v1/nowhere", 404, "not_found"),
        ("/oauth2/nowhere", 404, "not_found"),
        ("/.well-known/nowhere", 404, "not_found"),
    ],
)
def test_the_machine_endpoints_answer_their_errors_in_json(client, path, status, error):
    response = client.get(path)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == error


def test_a_500_of_the_configuration_endpoint_is_json(monkeypatch, db):
    def broken(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr("delivery.api._presented_token", broken)
    client = Client(raise_request_exception=False)

    response = client.get(reverse("delivery:config"))

    assert response.status_code == 500
    assert response.json()["error"] == "server_error"


def test_a_403_of_a_machine_endpoint_is_json():
    request = RequestFactory().post("/oauth2/token")

    response = errors.permission_denied(request, PermissionDenied("no"))

    assert response.status_code == 403
    assert json.loads(response.content)["error"] == "access_denied"
