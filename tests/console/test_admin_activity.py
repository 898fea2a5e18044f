"""The Django admin's plain saves and deletes reach the activity log
(console/admin_activity.py), as the console's own pages' writes do."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from console.models import Action, ActivityEvent, Environment, ObjectKind, Role
from tests import factories


def _change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _delete_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])


def _from_the_admin():
    # The factories write through the console's services, which record too.
    return ActivityEvent.objects.filter(detail__via="admin")


def _csv(client, organization) -> list[list[str]]:
    response = client.get(reverse("console:activity-export", args=[organization.handle]))
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_project_renamed_in_the_admin_is_in_the_log_with_before_and_after(
    admin_client, admin_user, organization, project
):
    response = admin_client.post(
        _change_url(project),
        {
            "organization": organization.pk,
            "name": "Billing",
            "handle": project.handle,
            "description": "",
            "components-TOTAL_FORMS": "0",
            "components-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    recorded = _from_the_admin().get(object_kind=ObjectKind.PROJECT)
    assert recorded.action == Action.UPDATED
    assert recorded.actor == admin_user
    assert recorded.project == project
    assert recorded.object_name == "Billing"
    assert recorded.changes == {"Name": ["Payments", "Billing"]}
    assert recorded.detail == {"via": "admin"}


def test_a_role_changed_in_the_admin_names_the_roles_and_the_member(
    admin_client, organization, developer
):
    membership = developer.memberships.get(organization=organization)

    admin_client.post(
        _change_url(membership),
        {"user": developer.pk, "organization": organization.pk, "role": Role.ADMIN},
    )

    recorded = _from_the_admin().get(object_kind=ObjectKind.MEMBER)
    assert recorded.object_name == developer.username
    assert recorded.changes == {"Role": ["Developer", "Admin"]}


def test_a_save_that_changes_nothing_records_nothing(admin_client, organization, project):
    admin_client.post(
        _change_url(project),
        {
            "organization": organization.pk,
            "name": project.name,
            "handle": project.handle,
            "description": project.description,
            "components-TOTAL_FORMS": "0",
            "components-INITIAL_FORMS": "0",
        },
    )

    assert not _from_the_admin().exists()


def test_a_deleted_environment_keeps_its_last_state_in_the_log(
    admin_client, admin_user, organization
):
    staging = Environment.objects.create(organization=organization, name="Staging", order=5)

    response = admin_client.post(_delete_url(staging), {"post": "yes"})

    assert response.status_code == 302
    assert not Environment.objects.filter(pk=staging.pk).exists()
    recorded = _from_the_admin().get(object_kind=ObjectKind.ENVIRONMENT)
    assert recorded.action == Action.DELETED
    assert recorded.object_id == str(staging.pk)
    assert recorded.object_name == "Staging"
    assert recorded.detail["state"]["name"] == "Staging"
    assert recorded.detail["via"] == "admin"


def test_a_project_deleted_in_the_admin_is_kept_by_name(admin_client, organization, project):
    admin_client.post(_delete_url(project), {"post": "yes"})

    recorded = _from_the_admin().get(object_kind=ObjectKind.PROJECT)
    assert recorded.action == Action.DELETED
    assert recorded.project is None  # gone with the project
    assert recorded.project_name == "Payments"


def test_members_added_inline_on_the_organization_are_in_the_log(
    admin_client, organization, org_admin
):
    newcomer = factories.make_user("nina")
    membership = org_admin.memberships.get(organization=organization)
    environments = list(organization.environments.order_by("order"))
    data = {
        "name": organization.name,
        "handle": organization.handle,
        "environments-TOTAL_FORMS": str(len(environments)),
        "environments-INITIAL_FORMS": str(len(environments)),
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": membership.pk,
        "memberships-0-organization": organization.pk,
        "memberships-0-user": org_admin.pk,
        "memberships-0-role": Role.ADMIN,
        "memberships-1-organization": organization.pk,
        "memberships-1-user": newcomer.pk,
        "memberships-1-role": Role.VIEWER,
    }
    for index, environment in enumerate(environments):
        data |= {
            f"environments-{index}-id": environment.pk,
            f"environments-{index}-organization": organization.pk,
            f"environments-{index}-name": environment.name,
            f"environments-{index}-is_production": "on" if environment.is_production else "",
        }

    response = admin_client.post(_change_url(organization), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    recorded = _from_the_admin().get(object_kind=ObjectKind.MEMBER)
    assert recorded.action == Action.ADDED
    assert recorded.object_name == "nina"
    assert recorded.changes["Role"] == [None, "Viewer"]


def test_a_service_edited_in_the_admin_shows_in_the_organizations_activity(
    admin_client, client, organization, org_admin
):
    stripe = factories.make_third_party_service(organization, "Stripe API")
    form = admin_client.get(_change_url(stripe)).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and not isinstance(value, list)
    }
    data |= {
        "summary": "Payments, refunds and payouts",
        "tags": [],
        "endpoints-TOTAL_FORMS": "0",
        "endpoints-INITIAL_FORMS": "0",
        "parameters-TOTAL_FORMS": "0",
        "parameters-INITIAL_FORMS": "0",
    }

    response = admin_client.post(_change_url(stripe), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    stripe.refresh_from_db()
    assert stripe.summary == "Payments, refunds and payouts"
    recorded = _from_the_admin().get(object_kind=ObjectKind.SERVICE)
    assert list(recorded.changes) == ["Summary"]
    client.force_login(org_admin)
    header, *rows = _csv(client, organization)
    latest = dict(zip(header, rows[0], strict=True))
    assert (latest["person"], latest["object"]) == ("admin", "Stripe API v1")
    assert "Summary" in latest["changes"], latest


def test_a_label_renamed_in_the_admin_is_in_the_log(admin_client, organization):
    from marketplace.models import Tag

    label = Tag.objects.create(organization=organization, name="payments")

    response = admin_client.post(_change_url(label), {"name": "billing"})

    assert response.status_code == 302, response.content.decode()[:3000]
    recorded = _from_the_admin().get(object_kind=ObjectKind.LABEL)
    assert (recorded.object_name, recorded.changes) == (
        "billing",
        {"Name": ["payments", "billing"]},
    )
