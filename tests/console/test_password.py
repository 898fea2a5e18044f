"""A user's own password: every user changes it from the top bar, and a local
account's user must replace their one-time password at first log-in before
any other page opens (console/password_change.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from console.models import Membership, PasswordChangeRequired, Role
from console.services.members import local_account_create
from tests.conftest import PASSWORD

CHANGE = reverse("console:password-change")
ORGANIZATION = reverse("console:organization", args=["acme"])
NEW_PASSWORD = "a-brand-new-passphrase-7"


def log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def change(client: Client, old: str, new: str = NEW_PASSWORD, again: str | None = None):
    return client.post(
        CHANGE,
        {
            "old_password": old,
            "new_password1": new,
            "new_password2": new if again is None else again,
        },
    )


@pytest.fixture
def local_account(organization, org_admin):
    """Nina's account, as an Admin made it: (user, one-time password)."""
    account = local_account_create(
        organization=organization,
        name="Nina Novak",
        username="nina",
        email="nina@acme.test",
        role=Role.VIEWER,
    )
    return account.user, account.one_time_password


# --- Every user's own password ---


@pytest.mark.parametrize("persona", ["org_admin", "developer", "viewer", "outsider"])
def test_every_user_reaches_the_page_from_the_top_bar(request, login, persona):
    client = login(request.getfixturevalue(persona))
    home = client.get(reverse("console:home"), follow=True)
    assert f'href="{CHANGE}"' in home.content.decode()
    page = client.get(CHANGE)
    assert page.status_code == 200
    assert "Change your password" in page.content.decode()


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_changes_the_password_and_keeps_this_session(client, developer):
    log_in(client, "dave", PASSWORD)
    response = change(client, PASSWORD)
    assert response["Location"] == reverse("console:home")
    developer.refresh_from_db()
    assert developer.check_password(NEW_PASSWORD)
    landing = client.get(response["Location"], follow=True)  # still signed in
    assert landing.redirect_chain[-1][0] == ORGANIZATION
    assert "Your password is changed." in landing.content.decode()


def test_it_ends_the_users_other_sessions(developer):
    here, elsewhere = Client(), Client()
    log_in(here, "dave", PASSWORD)
    log_in(elsewhere, "dave", PASSWORD)
    change(here, PASSWORD)
    assert here.get(ORGANIZATION).status_code == 200
    assert elsewhere.get(ORGANIZATION).status_code == 302  # back to the login page


@pytest.mark.parametrize(
    ("old", "new", "again", "field", "message"),
    [
        ("wrong", NEW_PASSWORD, None, "old_password", "Your old password was entered incorrectly"),
        (PASSWORD, NEW_PASSWORD, "something-else-9", "new_password2", "didn’t match"),
        (PASSWORD, "password", None, "new_password2", "too common"),
        (PASSWORD, "short7", None, "new_password2", "too short"),
        (PASSWORD, "1234567890123", None, "new_password2", "entirely numeric"),
        (PASSWORD, "", None, "new_password1", "This field is required."),
    ],
)
def test_it_refuses_a_bad_change_beside_its_field(
    login, developer, old, new, again, field, message
):
    response = change(login(developer), old, new, again)
    assert response.status_code == 200
    field_errors = response.context["form"].errors.get(field, [])
    assert any(message in error for error in field_errors), field_errors
    developer.refresh_from_db()
    assert developer.check_password(PASSWORD)


# --- A local account's first log-in ---


def test_the_first_log_in_goes_to_the_change_password_page(client, local_account):
    _, one_time = local_account
    response = log_in(client, "nina", one_time)
    assert response["Location"] == CHANGE
    page = client.get(CHANGE).content.decode()
    assert "Choose your password" in page
    assert "One-time password" in page


def test_every_other_page_sends_them_there_first(client, local_account, project):
    _, one_time = local_account
    log_in(client, "nina", one_time)
    for url in (
        reverse("console:home"),
        ORGANIZATION,
        reverse("console:project", args=["acme", "payments"]),
        reverse("marketplace:browse", kwargs={"org": "acme"}),
        "/admin/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == CHANGE, url
    # A write is not made either.
    assert client.post(reverse("console:member-add", args=["acme"]))["Location"] == CHANGE
    # An HTMX swap would put the page inside another: the window goes there.
    swapped = client.get(
        reverse("console:project-menu", args=["acme"]), headers={"HX-Request": "true"}
    )
    assert swapped["HX-Redirect"] == CHANGE


def test_they_may_log_out_without_changing_it(client, local_account):
    _, one_time = local_account
    log_in(client, "nina", one_time)
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(ORGANIZATION).status_code == 302
    # Still owed at the next log-in.
    assert log_in(client, "nina", one_time)["Location"] == CHANGE


def test_changing_it_opens_the_console_and_ends_the_one_time_password(client, local_account):
    user, one_time = local_account
    log_in(client, "nina", one_time)
    response = change(client, one_time)
    assert response["Location"] == reverse("console:home")
    assert not PasswordChangeRequired.objects.filter(user=user).exists()
    assert client.get(ORGANIZATION).status_code == 200
    client.post(reverse("logout"))
    assert log_in(client, "nina", one_time).status_code == 200  # refused: the form again
    assert log_in(client, "nina", NEW_PASSWORD)["Location"] == reverse("console:home")


def test_the_one_time_password_must_be_given_to_change_it(client, local_account):
    user, one_time = local_account
    log_in(client, "nina", one_time)
    response = change(client, "a-guess")
    assert response.context["form"].errors["old_password"]
    assert PasswordChangeRequired.objects.filter(user=user).exists()
    assert client.get(ORGANIZATION)["Location"] == CHANGE


def test_a_user_without_a_one_time_password_goes_where_they_asked(client, developer):
    response = log_in(client, "dave", PASSWORD)
    assert response["Location"] == reverse("console:home")
    assert client.get(ORGANIZATION).status_code == 200


def test_failed_log_ins_still_lock_a_local_account_out(client, local_account, settings):
    _, one_time = local_account
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "nina", "wrong")
    locked = log_in(client, "nina", one_time)
    assert locked.status_code == 429
    assert not client.session.get("_auth_user_id")


def test_the_viewer_it_made_may_not_manage_members(client, local_account, project):
    user, one_time = local_account
    log_in(client, "nina", one_time)
    change(client, one_time)
    assert Membership.objects.get(user=user).role == Role.VIEWER
    assert client.get(reverse("console:member-add", args=["acme"])).status_code == 403
    assert get_user_model().objects.get(username="nina").check_password(NEW_PASSWORD)
