"""Projects from the console: Admins create, edit and delete them (an empty
one only); Developers and Viewers get a 403, other organizations a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from connections.services import connection_create
from console.models import Project
from console.services import projects as services
from delivery.services import runtime_token_create, runtime_token_revoke
from tests import factories

NEW = reverse("console:project-create", kwargs={"org": "acme"})


def _edit(handle: str = "payments") -> str:
    return reverse("console:project-edit", kwargs={"org": "acme", "project": handle})


def _delete(handle: str = "payments") -> str:
    return reverse("console:project-delete", kwargs={"org": "acme", "project": handle})


def _errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


def _token(project, component=None, expires_at=None):
    return runtime_token_create(
        project=project,
        component=component,
        environment=project.organization.environments.first(),
        name="Deploy pipeline",
        expires_at=expires_at,
        actor=None,
    ).runtime_token


# --- Create ---------------------------------------------------------------


def test_it_offers_create_project_to_admins_only(login, org_admin, developer, viewer):
    page = reverse("console:organization", args=["acme"])

    assert NEW.encode() in login(org_admin).get(page).content
    for user in (developer, viewer):
        assert NEW.encode() not in login(user).get(page).content


def test_it_creates_a_project_with_a_handle_proposed_from_the_name(login, org_admin):
    response = login(org_admin).post(
        NEW, {"name": "Billing Team", "handle": "", "description": "Invoices."}
    )

    project = Project.objects.get(organization__handle="acme", name="Billing Team")
    assert project.handle == "billing-team"
    assert project.description == "Invoices."
    assert response.status_code == 302
    assert response["Location"] == reverse("console:project", args=["acme", "billing-team"])


def test_it_proposes_a_handle_no_sibling_has(login, org_admin, organization):
    factories.make_project(organization, "Old Payments", "payments")

    login(org_admin).post(NEW, {"name": "Payments", "handle": ""})

    assert Project.objects.get(name="Payments").handle == "payments-2"


def test_it_stores_a_typed_handle_in_lower_case(login, org_admin):
    login(org_admin).post(NEW, {"name": "Billing", "handle": "Billing-EU"})

    assert Project.objects.get(name="Billing").handle == "billing-eu"


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"name": "", "handle": "x"}, "name", "This field is required."),
        ({"name": "Ops\u200bTeam", "handle": ""}, "name", "U+200B ZERO WIDTH SPACE"),
        ({"name": "x" * 101, "handle": ""}, "name", "at most 100 characters"),
        ({"name": "Billing", "handle": "new"}, "handle", "“new” is reserved"),
        ({"name": "Billing", "handle": "bil_ling"}, "handle", "Use lower-case letters"),
        ({"name": "Billing", "handle": "Payments"}, "handle", "“Payments” already has the handle"),
        ({"name": "PAYMENTS", "handle": ""}, "name", "“Payments” already has this name"),
        # Fullwidth letters are the same name once normalized (NFKC).
        ({"name": "Ｐａｙｍｅｎｔｓ", "handle": ""}, "name", "“Payments” already has this name"),
        ({"name": "Billing", "description": "x" * 2001}, "description", "at most 2000"),
    ],
)
def test_it_refuses_bad_input_beside_its_field_and_creates_nothing(
    login, org_admin, project, data, field, says
):
    before = Project.objects.count()

    response = login(org_admin).post(NEW, data)

    assert response.status_code == 200
    assert any(says in error for error in _errors(response, field)), _errors(response, field)
    assert Project.objects.count() == before
    # What was typed is kept.
    assert response.context["form"]["name"].value() == data["name"]


def test_it_names_the_sibling_of_a_name_that_differs_only_by_case(login, org_admin, project):
    response = login(org_admin).post(NEW, {"name": "payments", "handle": "other"})

    assert "The project “Payments” already has this name" in response.content.decode()


def test_it_allows_a_name_another_organization_uses(login, org_admin, other_organization):
    factories.make_project(other_organization, "Billing", "billing")

    response = login(org_admin).post(NEW, {"name": "Billing", "handle": "billing"})

    assert response.status_code == 302
    assert Project.objects.filter(organization__handle="acme", handle="billing").exists()


@pytest.mark.parametrize(("persona", "status"), [("developer", 403), ("viewer", 403)])
def test_it_refuses_project_writes_to_non_admins(request, login, persona, status, project):
    client = login(request.getfixturevalue(persona))

    assert client.get(NEW).status_code == status
    assert client.post(NEW, {"name": "Billing"}).status_code == status
    assert client.post(_edit(), {"name": "Renamed"}).status_code == status
    assert client.post(_delete()).status_code == status
    assert list(Project.objects.values_list("name", flat=True)) == ["Payments"]


def test_it_hides_the_project_pages_from_other_organizations(login, outsider, project):
    client = login(outsider)

    for url in (NEW, _edit(), _delete()):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Mine"}).status_code == 404
    assert Project.objects.get(pk=project.pk).name == "Payments"


def test_the_service_turns_a_handle_the_database_holds_into_a_handle_error(organization):
    # A writer that bypassed the lock: the unique index is the last guard.
    factories.make_project(organization, "Payments", "payments")

    with pytest.raises(ValidationError) as refused:
        services._insert(
            Project(organization=organization, name="Other", handle="payments"), "payments"
        )

    assert "“payments” was taken just now" in refused.value.message_dict["handle"][0]


def test_the_service_checks_what_the_form_checks(organization, project):
    with pytest.raises(ValidationError) as refused:
        services.project_create(organization=organization, name="PAYMENTS", handle="Payments")

    assert set(refused.value.message_dict) == {"name", "handle"}
    with pytest.raises(ValidationError) as refused:
        services.project_create(organization=organization, name="Ops", handle="edit")
    assert "reserved" in refused.value.message_dict["handle"][0]


# --- Edit -----------------------------------------------------------------


def test_it_shows_the_handle_fixed_on_the_edit_form(login, org_admin, project):
    response = login(org_admin).get(_edit())

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="handle"' in html and "disabled" in html
    assert "Fixed when the project was created" in html


def test_it_renames_a_project_and_keeps_its_handle(login, org_admin, project):
    response = login(org_admin).post(
        _edit(), {"name": "Payments EU", "handle": "hacked", "description": "Cards."}
    )

    project.refresh_from_db()
    assert response.status_code == 302
    assert (project.name, project.handle, project.description) == (
        "Payments EU",
        "payments",
        "Cards.",
    )


def test_it_keeps_a_projects_own_name_in_another_case(login, org_admin, project):
    response = login(org_admin).post(_edit(), {"name": "PAYMENTS", "description": ""})

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "PAYMENTS"


def test_it_refuses_a_siblings_name_on_edit(login, org_admin, organization, project):
    factories.make_project(organization, "Billing", "billing")

    response = login(org_admin).post(_edit(), {"name": "billing", "description": ""})

    assert "The project “Billing” already has this name" in _errors(response, "name")[0]
    project.refresh_from_db()
    assert project.name == "Payments"


# --- Delete ---------------------------------------------------------------


def test_it_asks_before_deleting_an_empty_project(login, org_admin, project):
    client = login(org_admin)

    page = client.get(_delete())
    assert "Delete the project “Payments”?" in page.content.decode()

    response = client.post(_delete())
    assert response.status_code == 302
    assert response["Location"] == reverse("console:organization", args=["acme"])
    assert not Project.objects.filter(pk=project.pk).exists()


def test_it_lists_what_a_project_holds_and_refuses_to_delete_it(login, org_admin, organization):
    project = factories.make_project(organization, "Payments", "payments")
    component = factories.make_component(project, "Checkout API", "checkout-api")
    stripe = factories.make_third_party_service(organization, "Stripe API")
    connection_create(project=project, service=stripe, name="Stripe")
    factories.make_third_party_service(organization, "Adyen", project=project)
    _token(project)
    client = login(org_admin)

    page = client.get(_delete()).content.decode()
    response = client.post(_delete())

    assert "cannot be deleted" in page
    for shown in ("Checkout API", "Stripe", "Adyen v1", "Deploy pipeline"):
        assert shown in page
    assert response.status_code == 409
    assert Project.objects.filter(pk=project.pk).exists()
    assert component.__class__.objects.filter(pk=component.pk).exists()


def test_it_deletes_a_project_whose_tokens_no_longer_work(login, org_admin, project):
    revoked = _token(project)
    runtime_token_revoke(runtime_token=revoked, actor=None)
    _token(project, expires_at=timezone.now() - timedelta(days=1))

    response = login(org_admin).post(_delete())

    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()


def test_it_counts_what_it_does_not_list(login, org_admin, project):
    for n in range(23):
        factories.make_component(project, f"Worker {n:02d}", f"worker-{n:02d}")

    page = login(org_admin).get(_delete()).content.decode()

    # The top bar's component menu lists components too: read the list only.
    contents = page[page.index("project-contents") :]
    assert "23 components" in contents
    assert "Worker 19" in contents and "Worker 20" not in contents
    assert "and 3 more" in contents
