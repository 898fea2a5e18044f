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


def test_it_locks_a_username_out_at_the_fifth_failure_even_for_the_right_password(
    client, developer
):
    for _ in range(4):
        assert (
            client.post(reverse("login"), {"username": "dave", "password": "no"}).status_code == 200
        )
    fifth = client.post(reverse("login"), {"username": "dave", "password": "no"})

    locked = client.post(reverse("login"), {"username": "dave", "password": PASSWORD})

    assert fifth.status_code == 429
    assert locked.status_code == 429
    assert b"Too many failed log-ins" in locked.content
    assert "_auth_user_id" not in client.session


def test_a_success_resets_the_count(client, developer):
    for _ in range(4):
        client.post(reverse("login"), {"username": "dave", "password": "no"})
    assert (
        client.post(reverse("login"), {"username": "dave", "password": PASSWORD}).status_code == 302
    )
    client.logout()
    for _ in range(4):
        assert (
            client.post(reverse("login"), {"username": "dave", "password": "no"}).status_code == 200
        )


def test_other_usernames_are_not_locked_by_one_attack(client, developer, viewer):
    for _ in range(6):
        client.post(reverse("login"), {"username": "dave", "password": "no"})
    response = client.post(reverse("login"), {"username": "vera", "password": PASSWORD})
    assert response.status_code == 302


def test_it_explains_an_over_long_username_without_trying_it(client, db):
    response = client.post(reverse("login"), {"username": "x" * 300, "password": "p"})
    assert response.status_code == 200
    assert b"A username has at most 150 characters (this one has 300)." in response.content
