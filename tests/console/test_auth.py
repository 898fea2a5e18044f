"""Logging in and out with Django's auth views, styled like the console."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


def test_it_serves_the_login_page(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in to your developer console" in response.content
    assert b'name="username"' in response.content


def test_it_logs_a_member_in_and_lands_on_their_organization(client, developer):
    response = client.post(
        reverse("login"), {"username": "dave", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("console:organization", args=["acme"])
    assert b"Acme Corp" in response.content


def test_it_explains_a_wrong_password_and_keeps_the_username(client, developer):
    response = client.post(reverse("login"), {"username": "dave", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert b'value="dave"' in response.content


@pytest.mark.parametrize(
    "username",
    ["", "x" * 10_000, "<script>alert(1)</script>", "' OR 1=1 --", "名前\u0000\u202e"],
)
def test_it_answers_hostile_login_input_with_a_form_error(client, db, username):
    response = client.post(reverse("login"), {"username": username, "password": "p"})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content
    assert b"invalid-feedback" in response.content or b"alert" in response.content


def test_it_logs_out_on_post_only(login, developer):
    client = login(developer)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("console:home")).status_code == 302


def test_login_without_csrf_token_is_refused(db, developer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "dave", "password": PASSWORD})
    assert response.status_code == 403
