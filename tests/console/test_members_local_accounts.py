"""Settings > Members > Create a local account: a new user, member with the
role chosen, whose one-time password is shown once (tests/console/
test_password.py follows them through their first log-in)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from console.models import Membership, PasswordChangeRequired, Role
from console.services.members import local_account_create

CREATE = reverse("console:member-create-account", args=["acme"])
NEW = {"name": "Nina Novak", "username": "nina", "email": "nina@acme.test", "role": "developer"}


def users() -> list[str]:
    return sorted(get_user_model().objects.values_list("username", flat=True))


def test_it_shows_the_form_to_admins(login, org_admin):
    response = login(org_admin).get(CREATE)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Full name", "Username", "E-mail address", "Role"):
        assert label in html


def test_it_creates_the_account_and_shows_its_one_time_password_once(login, org_admin):
    client = login(org_admin)
    response = client.post(CREATE, NEW)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["account"].one_time_password
    assert password in response.content.decode()
    user = get_user_model().objects.get(username="nina")
    assert (user.get_full_name(), user.email) == ("Nina Novak", "nina@acme.test")
    assert user.check_password(password)
    assert password not in user.password  # stored hashed
    assert Membership.objects.get(user=user).role == Role.DEVELOPER
    assert PasswordChangeRequired.objects.filter(user=user).exists()
    # Shown once: the members list never shows it again.
    assert password not in client.get(reverse("console:members", args=["acme"])).content.decode()


def test_each_account_gets_its_own_password(organization):
    first = local_account_create(organization=organization, **NEW)
    second = local_account_create(
        organization=organization,
        name="Otto",
        username="otto",
        email="otto@acme.test",
        role="viewer",
    )
    assert first.one_time_password != second.one_time_password
    assert len(first.one_time_password) >= 16


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "dave"}, "username", "The username dave is taken"),
        ({"username": "DAVE"}, "username", "The username DAVE is taken"),
        ({"username": "nina novak"}, "username", "Enter a valid username"),
        ({"username": "x" * 151}, "username", "at most 150 characters"),
        ({"username": ""}, "username", "This field is required."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": "DAVE@acme.test"}, "email", "A user with this e-mail address exists"),
        ({"email": ""}, "email", "This field is required."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "Nina\u202eNovak"}, "name", "is not allowed in a name"),
        ({"role": "owner"}, "role", "Select a valid choice."),
    ],
)
def test_it_refuses_bad_input_beside_its_field(
    login, org_admin, developer, organization, changes, field, message
):
    developer.email = "dave@acme.test"
    developer.save()
    before = users()
    data = {**NEW, **changes}
    response = login(org_admin).post(CREATE, data)
    assert response.status_code == 200
    field_errors = response.context["form"].errors.get(field, [])
    assert any(message in error for error in field_errors), field_errors
    html = response.content.decode()
    for kept in ("name", "email"):  # what was typed is still there
        if data[kept] and kept != field:
            assert data[kept] in html
    assert "account" not in response.context
    assert users() == before
    assert not PasswordChangeRequired.objects.exists()


def test_the_service_checks_the_username_again(organization, developer):
    with pytest.raises(ValidationError) as refused:
        local_account_create(organization=organization, **{**NEW, "username": "Dave"})
    assert "username" in refused.value.message_dict
    assert not PasswordChangeRequired.objects.exists()


@pytest.mark.parametrize("persona", ["developer", "viewer"])
def test_it_lets_no_one_else_create_an_account(login, developer, viewer, persona):
    before = users()
    client = login({"developer": developer, "viewer": viewer}[persona])
    assert client.post(CREATE, NEW).status_code == 403
    assert users() == before


def test_an_outsider_gets_a_404(login, outsider, organization):
    before = users()
    assert login(outsider).post(CREATE, NEW).status_code == 404
    assert users() == before
