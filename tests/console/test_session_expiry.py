"""An expired session (console.middleware.LoginRequiredMiddleware): a page
goes to the log-in page; an HTMX request sends the whole page there, with the
page the person was on to come back to."""

from __future__ import annotations

from django.urls import reverse

WIZARD = "/orgs/acme/projects/payments/connections/create/1/"


def test_a_page_redirects_to_the_login_page_and_back(client, db):
    response = client.get(WIZARD + "?step=urls")

    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("login")
        + "?next="
        + "/orgs/acme/projects/payments/connections/create/1/%3Fstep%3Durls"
    )


def test_an_htmx_request_sends_the_whole_page_to_log_in(client, db):
    response = client.post(
        WIZARD,
        {"name": "Staff", "action": "next"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{WIZARD}?step=urls"},
    )

    assert response.status_code == 200
    assert response.content == b""
    assert response["HX-Redirect"] == (
        reverse("login") + "?next=/orgs/acme/projects/payments/connections/create/1/%3Fstep%3Durls"
    )


def test_it_returns_only_to_a_page_of_this_site(client, db):
    response = client.get(
        "/orgs/acme/marketplace/?q=x",
        headers={"HX-Request": "true", "HX-Current-URL": "https://elsewhere.example/steal"},
    )

    assert response["HX-Redirect"] == reverse("login") + "?next=/orgs/acme/marketplace/%3Fq%3Dx"


def test_logging_in_returns_to_that_page(client, developer):
    from tests.conftest import PASSWORD

    response = client.post(
        reverse("login"), {"username": "dave", "password": PASSWORD, "next": WIZARD}
    )

    assert response.status_code == 302
    assert response["Location"] == WIZARD
