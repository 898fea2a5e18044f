"""Settings > Members: the list, adding an existing user, changing a role and
removing a member, for Admins only; an organization never loses its last
Admin (console/services/members.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from console.models import Membership, Role
from console.services.members import member_add, member_remove, member_role_change
from tests import factories

MEMBERS = reverse("console:members", args=["acme"])
ADD = reverse("console:member-add", args=["acme"])


def role_url(membership: Membership) -> str:
    return reverse("console:member-role", args=["acme", membership.pk])


def remove_url(membership: Membership) -> str:
    return reverse("console:member-remove", args=["acme", membership.pk])


def membership_of(user) -> Membership:
    return Membership.objects.get(user=user)


def roles(organization) -> dict[str, str]:
    return {m.user.username: m.role for m in organization.memberships.select_related("user").all()}


def errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


@pytest.fixture
def everyone(org_admin, developer, viewer, outsider):
    return {"admin": org_admin, "developer": developer, "viewer": viewer, "outsider": outsider}


# --- Who may see and write ---


def _member_urls(viewer) -> list[str]:
    membership = membership_of(viewer)
    return [
        MEMBERS,
        ADD,
        reverse("console:member-create-account", args=["acme"]),
        role_url(membership),
        remove_url(membership),
    ]


@pytest.mark.parametrize("persona", ["developer", "viewer"])
def test_it_refuses_every_members_page_to_developers_and_viewers(
    login, everyone, organization, persona
):
    client = login(everyone[persona])
    before = roles(organization)
    for url in _member_urls(everyone["viewer"]):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"user": "oscar", "role": "admin"}).status_code in (403, 405)
    assert roles(organization) == before


def test_it_hides_every_members_page_from_outsiders(login, everyone, organization):
    client = login(everyone["outsider"])
    for url in _member_urls(everyone["viewer"]):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"user": "oscar", "role": "admin"}).status_code in (404, 405)
    assert "oscar" not in roles(organization)


def test_it_sends_anonymous_visitors_to_the_login_page(client, everyone):
    for url in _member_urls(everyone["viewer"]):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_a_member_of_another_organization(login, everyone, other_organization):
    client = login(everyone["admin"])
    foreign = membership_of(everyone["outsider"])
    for name in ("console:member-role", "console:member-remove"):
        url = reverse(name, args=["acme", foreign.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"role": "viewer"}).status_code == 404
    assert membership_of(everyone["outsider"]).role == Role.ADMIN


@pytest.mark.parametrize("huge", [2**63, 10**30])
def test_it_answers_404_for_an_id_of_any_size(login, org_admin, huge):
    client = login(org_admin)
    for name in ("console:member-role", "console:member-remove"):
        assert client.get(reverse(name, args=["acme", huge])).status_code == 404


# --- The navigation ---


def _sidebar(client, url: str) -> str:
    html = client.get(url).content.decode()
    return html[html.index('aria-label="Sections"') :]


def test_it_shows_settings_in_the_navigation_to_admins_at_organization_level(
    login, org_admin, project
):
    client = login(org_admin)
    sidebar = _sidebar(client, reverse("console:organization", args=["acme"]))
    assert "Settings" in sidebar
    assert f'href="{MEMBERS}"' in sidebar
    assert 'href="/orgs/acme/settings/environments/"' in sidebar
    # Settings are the organization's: not in a project's navigation.
    assert "Settings" not in _sidebar(client, reverse("console:project", args=["acme", "payments"]))


@pytest.mark.parametrize("persona", ["developer", "viewer"])
def test_it_shows_settings_to_no_one_else(login, everyone, persona):
    sidebar = _sidebar(login(everyone[persona]), reverse("console:organization", args=["acme"]))
    assert "Settings" not in sidebar
    assert MEMBERS not in sidebar


def test_it_marks_members_as_the_open_settings_page(login, org_admin):
    sidebar = _sidebar(login(org_admin), ADD)
    assert '<details class="nav-group-details" open>' in sidebar.replace("\n", "")
    assert f'active" aria-current="page" href="{MEMBERS}"' in sidebar


# --- The list ---


def test_it_lists_each_member_with_name_username_email_role_and_since(
    login, everyone, organization
):
    everyone["developer"].first_name = "Dave Dev"
    everyone["developer"].email = "dave@acme.test"
    everyone["developer"].save()
    response = login(everyone["admin"]).get(MEMBERS)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Dave Dev", "dave", "dave@acme.test", "Developer", "alice", "vera", "Viewer"):
        assert text in html
    since = membership_of(everyone["developer"]).created_at
    assert since.strftime("%Y") in html
    assert "oscar" not in html  # a member of another organization only
    assert 'href="' + role_url(membership_of(everyone["viewer"])) + '"' in html
    assert 'href="' + remove_url(membership_of(everyone["viewer"])) + '"' in html


def test_it_pages_the_members_in_constant_queries(
    login, org_admin, organization, django_assert_num_queries
):
    client = login(org_admin)
    client.get(MEMBERS)  # warm the session
    # session, user, membership, page count, page rows, and the Organization
    # and Project menus
    with django_assert_num_queries(7):
        client.get(MEMBERS)
    for n in range(60):
        factories.add_member(factories.make_user(f"member{n:02d}"), organization, Role.VIEWER)
    with django_assert_num_queries(7):
        first = client.get(MEMBERS)
    assert len(first.context["page"].object_list) == 25
    last = client.get(MEMBERS, {"page": 3})
    assert [m.user.username for m in last.context["page"].object_list][-1] == "member59"
    assert "Page 3 of 3 · 61 members" in last.content.decode()


# --- Adding a member ---


@pytest.mark.parametrize("given", ["oscar", "OSCAR", "oscar@globex.test", "Oscar@Globex.TEST"])
def test_it_adds_an_existing_user_by_username_or_email(login, org_admin, outsider, given):
    outsider.email = "oscar@globex.test"
    outsider.save()
    response = login(org_admin).post(ADD, {"user": given, "role": "developer"}, follow=True)
    assert response.redirect_chain[-1][0] == MEMBERS
    assert "Added oscar to Acme Corp as Developer." in response.content.decode()
    assert Membership.objects.get(user=outsider, organization__handle="acme").role == "developer"


def test_a_new_viewer_sees_the_organization_and_no_write_action(
    login, client, org_admin, outsider, project
):
    login(org_admin).post(ADD, {"user": "oscar", "role": "viewer"})
    client.force_login(outsider)
    response = client.get(reverse("console:organization", args=["acme"]))
    assert response.status_code == 200
    assert response.context["scope"].can_write is False
    assert client.get(MEMBERS).status_code == 403


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"user": "nobody", "role": "viewer"}, "user", "No account has the username"),
        ({"user": "nobody@acme.test", "role": "viewer"}, "user", "No account has the username"),
        ({"user": "dave", "role": "viewer"}, "user", "dave is already a member of Acme Corp."),
        ({"user": "", "role": "viewer"}, "user", "This field is required."),
        ({"user": "oscar", "role": "owner"}, "role", "Select a valid choice."),
        ({"user": "oscar"}, "role", "This field is required."),
        ({"user": "x" * 300, "role": "viewer"}, "user", "at most 254 characters"),
    ],
)
def test_it_refuses_bad_input_beside_its_field(
    login, org_admin, developer, outsider, organization, data, field, message
):
    before = roles(organization)
    response = login(org_admin).post(ADD, data)
    assert response.status_code == 200
    assert any(message in error for error in errors(response, field)), errors(response, field)
    assert data.get("user", "")[:254] in response.content.decode()  # nothing typed is lost
    assert roles(organization) == before


def test_it_asks_for_the_username_when_several_accounts_share_the_email(
    login, org_admin, organization
):
    for username in ("twin1", "twin2"):
        user = factories.make_user(username)
        user.email = "twins@example.test"
        user.save()
    response = login(org_admin).post(ADD, {"user": "twins@example.test", "role": "viewer"})
    assert "Several accounts have this e-mail address" in errors(response, "user")[0]


# --- Changing a role ---


def test_it_changes_a_members_role(login, org_admin, viewer):
    response = login(org_admin).post(role_url(membership_of(viewer)), {"role": "developer"})
    assert response.status_code == 302
    assert response["Location"] == MEMBERS
    assert membership_of(viewer).role == Role.DEVELOPER


def test_it_shows_the_current_role_on_the_form(login, org_admin, developer):
    response = login(org_admin).get(role_url(membership_of(developer)))
    assert response.context["form"]["role"].value() == "developer"


@pytest.mark.parametrize("role", ["developer", "viewer"])
def test_it_never_demotes_the_last_admin(login, org_admin, developer, organization, role):
    before = roles(organization)
    response = login(org_admin).post(role_url(membership_of(org_admin)), {"role": role})
    assert response.status_code == 200
    assert "alice is the last Admin of Acme Corp" in errors(response, "role")[0]
    assert roles(organization) == before


def test_an_admin_may_step_down_while_another_admin_remains(login, org_admin, developer):
    Membership.objects.filter(user=developer).update(role=Role.ADMIN)
    client = login(org_admin)
    response = client.post(role_url(membership_of(org_admin)), {"role": "viewer"})
    # Settings are closed to a Viewer: they land on the organization's page.
    assert response["Location"] == reverse("console:organization", args=["acme"])
    assert membership_of(org_admin).role == Role.VIEWER
    assert client.get(MEMBERS).status_code == 403


def test_it_refuses_an_unknown_role(login, org_admin, viewer):
    response = login(org_admin).post(role_url(membership_of(viewer)), {"role": "superuser"})
    assert "Select a valid choice" in errors(response, "role")[0]
    assert membership_of(viewer).role == Role.VIEWER


# --- Removing a member ---


def test_it_asks_before_removing_a_member(login, org_admin, viewer):
    response = login(org_admin).get(remove_url(membership_of(viewer)))
    html = response.content.decode()
    assert "Remove vera from Acme Corp?" in html
    assert ">Remove vera</button>" in html
    assert Membership.objects.filter(user=viewer).exists()


def test_it_removes_a_member(login, org_admin, viewer, project):
    client = login(org_admin)
    response = client.post(remove_url(membership_of(viewer)), follow=True)
    assert response.redirect_chain[-1][0] == MEMBERS
    assert "Removed vera from Acme Corp." in response.content.decode()
    assert not Membership.objects.filter(user=viewer).exists()
    assert viewer.__class__.objects.filter(pk=viewer.pk).exists()  # the account stays
    client.force_login(viewer)
    assert client.get(reverse("console:organization", args=["acme"])).status_code == 404


def test_it_never_removes_the_last_admin(login, org_admin, developer, organization):
    client = login(org_admin)
    url = remove_url(membership_of(org_admin))
    page = client.get(url)
    html = page.content.decode()
    assert "You cannot leave Acme Corp" in html
    assert "alice is the last Admin of Acme Corp" in html
    assert "Leave Acme Corp</button>" not in html
    before = roles(organization)
    refused = client.post(url)
    assert refused.status_code == 409
    assert "alice is the last Admin of Acme Corp" in refused.content.decode()
    assert roles(organization) == before


def test_an_admin_may_leave_while_another_admin_remains(login, org_admin, developer):
    Membership.objects.filter(user=developer).update(role=Role.ADMIN)
    client = login(org_admin)
    url = remove_url(membership_of(org_admin))
    assert "Leave Acme Corp?" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("console:home")
    assert not Membership.objects.filter(user=org_admin).exists()
    assert client.get(reverse("console:organization", args=["acme"])).status_code == 404


# --- The services, whoever calls them ---


def test_member_add_refuses_a_member_twice(organization, developer):
    with pytest.raises(ValidationError) as refused:
        member_add(organization=organization, user=developer, role=Role.ADMIN)
    assert "user" in refused.value.message_dict
    assert membership_of(developer).role == Role.DEVELOPER


def test_member_add_refuses_a_role_that_does_not_exist(organization, outsider):
    with pytest.raises(ValidationError) as refused:
        member_add(organization=organization, user=outsider, role="owner")
    assert "role" in refused.value.message_dict


def test_member_role_change_refuses_a_member_removed_meanwhile(org_admin, viewer):
    stale = membership_of(viewer)
    Membership.objects.filter(pk=stale.pk).delete()
    with pytest.raises(ValidationError, match="vera is no longer a member of Acme Corp"):
        member_role_change(membership=stale, role=Role.DEVELOPER)
    assert not Membership.objects.filter(user=viewer).exists()


def test_member_role_change_reads_the_role_as_committed(org_admin, developer):
    # A stale copy says alice is a Viewer: the check reads the database.
    stale = membership_of(org_admin)
    stale.role = Role.VIEWER
    with pytest.raises(ValidationError, match="last Admin"):
        member_role_change(membership=stale, role=Role.DEVELOPER)


def test_member_remove_of_a_member_already_gone_does_nothing(org_admin, viewer):
    stale = membership_of(viewer)
    member_remove(membership=stale)
    member_remove(membership=stale)
    assert list(Membership.objects.values_list("user__username", flat=True)) == ["alice"]


def test_it_tells_apart_usernames_that_differ_only_in_case(login, org_admin, organization):
    factories.make_user("Sam")
    factories.make_user("sam")
    client = login(org_admin)
    client.post(ADD, {"user": "sam", "role": "viewer"})
    assert roles(organization)["sam"] == Role.VIEWER
    assert "Sam" not in roles(organization)
