"""New organizations from the console: a superuser, or any signed-in user
when JUNCTION_ALLOW_ORG_CREATION is on, creates one and becomes its Admin;
it starts with Development and Production."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from console.models import Membership, Organization, Role
from tests import factories

NEW = reverse("console:organization-create")
MENU = reverse("console:organization-menu")


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.test", "pw-for-tests-1")


@pytest.fixture
def open_creation(settings):
    settings.JUNCTION_ALLOW_ORG_CREATION = True


def test_it_refuses_members_when_creation_is_off(login, org_admin, viewer):
    for user in (org_admin, viewer):
        client = login(user)
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, {"name": "Initech", "handle": "initech"}).status_code == 403
        assert NEW.encode() not in client.get(MENU).content
    assert not Organization.objects.filter(handle="initech").exists()


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.post(NEW, {"name": "Initech"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Organization.objects.exists()


def test_a_superuser_creates_an_organization_and_becomes_its_admin(login, superuser):
    client = login(superuser)
    assert NEW.encode() in client.get(reverse("console:home")).content
    assert NEW.encode() in client.get(MENU).content

    response = client.post(NEW, {"name": "Initech", "handle": ""})

    organization = Organization.objects.get(handle="initech")
    assert response.status_code == 302
    assert response["Location"] == reverse("console:organization", args=["initech"])
    assert list(organization.environments.values_list("name", "order", "is_production")) == [
        ("Development", 1, False),
        ("Production", 2, True),
    ]
    assert Membership.objects.get(organization=organization).user == superuser
    assert Membership.objects.get(organization=organization).role == Role.ADMIN
    page = client.get(response["Location"]).content.decode()
    assert "Created the organization Initech" in page


@pytest.mark.usefixtures("open_creation")
def test_any_signed_in_user_creates_one_when_the_setting_is_on(login, viewer):
    lonely = factories.make_user("lonely")
    home = login(lonely).get(reverse("console:home")).content.decode()
    assert NEW in home and "or create one" in home

    response = login(viewer).post(NEW, {"name": "Vera's Lab", "handle": "veras-lab"})

    assert response.status_code == 302
    membership = Membership.objects.get(organization__handle="veras-lab")
    assert (membership.user, membership.role) == (viewer, Role.ADMIN)
    # The shell's organization menu offers it on every page.
    page = login(viewer).get(reverse("console:organization", args=["acme"]))
    assert NEW.encode() in page.content


@pytest.mark.usefixtures("open_creation")
@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"name": "Globex Two", "handle": "GLOBEX"}, "The handle “globex” is taken."),
        ({"name": "New", "handle": "new"}, "“new” is reserved"),
        ({"name": "Bad", "handle": "bad handle"}, "Use lower-case letters"),
        ({"name": "", "handle": "empty"}, "This field is required."),
    ],
)
def test_it_refuses_bad_input_beside_its_field(login, viewer, other_organization, data, says):
    before = Organization.objects.count()

    response = login(viewer).post(NEW, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert any(says in error for errors in form.errors.values() for error in errors)
    assert Organization.objects.count() == before
    # Another tenant's organization is never named.
    assert "Globex Industries" not in response.content.decode()


@pytest.mark.usefixtures("open_creation")
def test_it_proposes_a_free_handle(login, viewer, organization):
    login(viewer).post(NEW, {"name": "Acme", "handle": ""})

    assert Organization.objects.filter(name="Acme", handle="acme-2").exists()
