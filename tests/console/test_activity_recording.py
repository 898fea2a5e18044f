"""Every write records one event in the activity log, in its transaction,
with who made it and the fields it changed, before and after (issue #15).
Never a secret's value."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from connections.history import history_of
from connections.services import (
    connection_create,
    connection_delete,
    connection_secret_reveal,
)
from console.models import Action, ActivityEvent, ObjectKind, Role
from console.services import members, projects
from console.services.environments import (
    environment_create,
    environment_delete,
    environment_move,
    environment_update,
)
from delivery.services import (
    component_manifest_remove,
    component_manifest_save,
    runtime_token_create,
    runtime_token_revoke,
)
from marketplace.models import Security, Visibility
from marketplace.services import (
    endpoint_delete,
    endpoint_update,
    internal_service_publish,
    service_delete,
    service_deprecate,
    service_parameter_add,
    service_parameter_delete,
    service_parameter_rename,
    service_set_listed,
    service_undeprecate,
)
from oauth.providers import (
    introspection_client_create,
    introspection_client_rotate,
    introspection_secret_reveal,
)
from tests import factories

SECRET = "whsec_plaintext_0451"


def _last(kind: str) -> ActivityEvent:
    return ActivityEvent.objects.filter(object_kind=kind).order_by("-pk").first()


def _no_secret_anywhere(*secrets: str) -> None:
    for event in ActivityEvent.objects.all():
        recorded = f"{event.changes} {event.detail} {event.object_name}"
        for secret in secrets:
            assert secret not in recorded, (event.object_kind, event.action)


# --- The console: members, environments, projects, components ---


def test_it_records_a_member_added_given_a_role_and_removed(organization, org_admin):
    newcomer = factories.make_user("nina")

    membership = members.member_add(
        organization=organization, user=newcomer, role=Role.VIEWER, actor=org_admin
    )
    members.member_role_change(membership=membership, role=Role.DEVELOPER, actor=org_admin)
    members.member_remove(membership=membership, actor=org_admin)

    events = list(
        ActivityEvent.objects.filter(object_kind=ObjectKind.MEMBER)
        .order_by("pk")
        .values_list("action", "object_name", "actor", "changes", "detail")
    )
    assert events == [
        ("added", "nina", org_admin.pk, {"role": [None, "Viewer"]}, {}),
        ("updated", "nina", org_admin.pk, {"role": ["Viewer", "Developer"]}, {}),
        ("removed", "nina", org_admin.pk, {}, {"state": {"role": "Developer"}}),
    ]


def test_it_never_records_a_local_accounts_one_time_password(organization, org_admin):
    account = members.local_account_create(
        organization=organization,
        name="Nina",
        username="nina",
        email="nina@acme.test",
        role=Role.VIEWER,
        actor=org_admin,
    )

    event = _last(ObjectKind.MEMBER)
    assert (event.action, event.detail) == ("added", {"local_account": True})
    _no_secret_anywhere(account.one_time_password)


def test_it_records_an_environment_added_renamed_moved_and_deleted(organization, org_admin):
    staging = environment_create(organization=organization, name="Staging", actor=org_admin)
    environment_update(environment=staging, name="QA", is_production=False, actor=org_admin)
    environment_move(environment=staging, direction="up", actor=org_admin)
    environment_delete(environment=staging, actor=org_admin)

    events = list(ActivityEvent.objects.filter(object_kind=ObjectKind.ENVIRONMENT).order_by("pk"))
    assert [event.action for event in events] == ["created", "updated", "moved", "deleted"]
    assert events[0].changes["promotion order"] == [None, "Development, Production, Staging"]
    assert events[1].changes == {"name": ["Staging", "QA"]}
    assert events[2].changes == {
        "promotion order": ["Development, Production, QA", "Development, QA, Production"]
    }
    assert events[3].detail["state"]["name"] == "QA"
    assert {event.project_id for event in events} == {None}


def test_it_records_nothing_when_an_edit_changes_nothing(organization, project, org_admin):
    projects.project_update(project=project, name=project.name, description="", actor=org_admin)

    assert not ActivityEvent.objects.filter(object_kind=ObjectKind.PROJECT).exists()


def test_it_records_a_project_and_a_component_from_create_to_delete(organization, org_admin):
    loyalty = projects.project_create(organization=organization, name="Loyalty", actor=org_admin)
    projects.project_update(
        project=loyalty, name="Loyalty Points", description="Rewards", actor=org_admin
    )
    points = projects.component_create(
        project=loyalty, name="Points API", type="service", actor=org_admin
    )
    projects.component_update(
        component=points, name="Points", type="webhook", description="", actor=org_admin
    )
    projects.component_delete(component=points, actor=org_admin)
    projects.project_delete(project=loyalty, actor=org_admin)

    made = ActivityEvent.objects.filter(object_kind=ObjectKind.PROJECT).order_by("pk")
    assert [event.action for event in made] == ["created", "updated", "deleted"]
    assert made[1].changes == {
        "name": ["Loyalty", "Loyalty Points"],
        "description": ["", "Rewards"],
    }
    component = ActivityEvent.objects.filter(object_kind=ObjectKind.COMPONENT).order_by("pk")
    assert [event.action for event in component] == ["created", "updated", "deleted"]
    assert component[1].changes == {
        "name": ["Points API", "Points"],
        "type": ["Service", "Webhook"],
    }
    # The project is gone; its events keep its name as it was then.
    assert {event.project_id for event in made} == {None}
    assert [event.project_name for event in made] == [
        "Loyalty",
        "Loyalty Points",
        "Loyalty Points",
    ]


def test_a_deleted_component_takes_its_connections_history_with_a_deleted_event(
    organization, project, component, developer
):
    stripe = factories.make_third_party_service(organization)
    own = connection_create(
        project=project, component=component, service=stripe, name="Pay", created_by=developer
    )
    published = factories.make_internal_service(component, "orders")

    projects.component_delete(component=component, actor=developer)

    deleted = history_of(own).get(action=Action.DELETED)
    assert deleted.actor == developer
    assert deleted.detail["with_component"] == "Checkout API"
    assert deleted.detail["state"]["service"] == "Stripe API v1"
    service = _last(ObjectKind.SERVICE)
    assert (service.action, service.object_id) == ("deleted", str(published.pk))


# --- The marketplace ---


def test_it_records_what_a_republished_endpoint_changed(organization, component, developer):
    service = factories.make_internal_service(component, "orders")
    assert _last(ObjectKind.SERVICE).action == Action.PUBLISHED
    development = organization.environments.get(handle="development")

    internal_service_publish(
        component=component,
        endpoint_handle="orders",
        endpoint_name="Orders",
        version="1.1.0",
        visibility=Visibility.PROJECT,
        urls={development: "http://orders.dev:8080"},
        actor=developer,
    )

    event = _last(ObjectKind.SERVICE)
    assert (event.action, event.object_id, event.actor) == ("updated", str(service.pk), developer)
    assert event.changes["version"] == ["1.0.0", "1.1.0"]
    assert event.changes["network visibility"] == ["Organization", "Project"]
    assert event.changes["deployed in"] == [["Development", "Production"], ["Development"]]
    assert event.changes["URL in Production"][1] is None
    assert event.project_id == component.project_id


def test_it_records_an_endpoints_edit_without_its_secret_values(organization, org_admin):
    service = factories.make_third_party_service(
        organization, parameters=(("region", False), ("signingSecret", True))
    )
    endpoint = factories.add_endpoint(
        service, "Live", "https://live.test", ["production"], region="eu", signingSecret=SECRET
    )
    development = organization.environments.get(handle="development")
    production = organization.environments.get(handle="production")

    endpoint_update(
        endpoint=endpoint,
        name="Live",
        url="https://live.test/v2",
        environments=[development, production],
        parameter_values={"region": "us", "signingSecret": "whsec_new_plaintext_9"},
        actor=org_admin,
    )

    event = _last(ObjectKind.ENDPOINT)
    assert event.action == Action.UPDATED
    assert event.detail == {"of": "Stripe API v1"}
    assert event.changes == {
        "URL": ["https://live.test", "https://live.test/v2"],
        "environments": [["Production"], ["Development", "Production"]],
        "parameter region": ["eu", "us"],
        "parameter signingSecret": ["hidden", "changed"],
    }
    _no_secret_anywhere(SECRET, "whsec_new_plaintext_9")


def test_it_records_parameters_listing_deprecation_and_deletes(organization, org_admin):
    service = factories.make_third_party_service(organization)
    endpoint = factories.add_endpoint(service, "Live", "https://live.test", ["production"])

    parameter = service_parameter_add(service=service, name="zone", actor=org_admin)
    service_parameter_rename(parameter=parameter, name="region", actor=org_admin)
    service_parameter_delete(parameter=parameter, actor=org_admin)
    service_set_listed(service=service, listed=False, actor=org_admin)
    service_set_listed(service=service, listed=False, actor=org_admin)  # no change: no event
    service_deprecate(
        service=service, sunset_on=date(2030, 1, 31), message="Use v2.", actor=org_admin
    )
    service_undeprecate(service=service, actor=org_admin)
    endpoint_delete(endpoint=endpoint, actor=org_admin)
    service_delete(service=service, actor=org_admin)

    parameters = ActivityEvent.objects.filter(object_kind=ObjectKind.PARAMETER).order_by("pk")
    assert [(e.action, e.changes) for e in parameters] == [
        ("created", {"name": [None, "zone"], "secret": [None, "no"]}),
        ("renamed", {"name": ["zone", "region"]}),
        ("deleted", {}),
    ]
    services = ActivityEvent.objects.filter(object_kind=ObjectKind.SERVICE).order_by("pk")
    assert [event.action for event in services] == [
        "registered",
        "unlisted",
        "deprecated",
        "undeprecated",
        "deleted",
    ]
    assert services[2].changes == {"sunset": [None, "2030-01-31"], "message": [None, "Use v2."]}
    assert _last(ObjectKind.ENDPOINT).detail["state"]["URL"] == "https://live.test"


# --- Connections, delivery, oauth ---


def test_a_deleted_connection_keeps_its_last_state_and_mappings(organization, project, developer):
    stripe = factories.make_third_party_service(organization, security=Security.API_KEY)
    factories.add_endpoint(stripe, "Sandbox", "https://sandbox.test", ["development"])
    factories.add_endpoint(stripe, "Live", "https://live.test", ["production"])
    connection = connection_create(
        project=project, service=stripe, name="Pay", description="Cards", created_by=developer
    )
    binding = connection.bindings.get(environment__handle="production")
    api_key = connection_secret_reveal(
        connection=connection, binding=binding, key="ChoreoAPIKey", actor=developer
    )

    connection_delete(connection=connection, actor=developer)

    deleted = history_of(connection).get(action=Action.DELETED)
    assert deleted.detail["state"] == {
        "name": "Pay",
        "service": "Stripe API v1",
        "version": "1.0.0",
        "level": "Project",
        "description": "Cards",
        "endpoint in Development": "Sandbox",
        "endpoint in Production": "Live",
    }
    _no_secret_anywhere(api_key)


def test_it_records_runtime_tokens_and_component_yaml(organization, project, component, developer):
    production = organization.environments.get(handle="production")
    issued = runtime_token_create(
        project=project,
        component=component,
        environment=production,
        name="ci",
        expires_at=None,
        actor=developer,
    )
    runtime_token_revoke(runtime_token=issued.runtime_token, actor=developer)
    runtime_token_revoke(runtime_token=issued.runtime_token, actor=developer)  # already: none
    declared = {"references": [{"name": "Pay", "resourceRef": "thirdparty:Stripe API/v1"}]}
    component_manifest_save(component=component, text="x", declared=declared, actor=developer)
    component_manifest_save(
        component=component, text="y", declared={"references": []}, actor=developer
    )
    component_manifest_remove(component=component, actor=developer)

    tokens = ActivityEvent.objects.filter(object_kind=ObjectKind.RUNTIME_TOKEN).order_by("pk")
    assert [event.action for event in tokens] == ["created", "revoked"]
    assert tokens[0].changes["environment"] == [None, "Production"]
    assert tokens[0].object_id == str(issued.runtime_token.public_id)
    manifests = ActivityEvent.objects.filter(object_kind=ObjectKind.COMPONENT_YAML).order_by("pk")
    assert [event.action for event in manifests] == ["created", "updated", "removed"]
    assert manifests[1].changes == {
        "connections": [["Pay (thirdparty:Stripe API/v1)"], []],
    }
    _no_secret_anywhere(issued.token, issued.runtime_token.hint)


def test_it_records_introspection_credentials_without_them(project, developer):
    client = introspection_client_create(project=project, actor=developer)
    introspection_client_rotate(project=project, actor=developer)
    secret = introspection_secret_reveal(project=project, actor=developer)

    events = ActivityEvent.objects.filter(object_kind=ObjectKind.INTROSPECTION_CREDENTIALS)
    assert sorted(events.values_list("action", flat=True)) == [
        "created",
        "credentials-rotated",
        "secret-revealed",
    ]
    _no_secret_anywhere(secret, client.client_id)


def test_a_refused_write_records_nothing(organization, org_admin):
    with pytest.raises(ValidationError):
        projects.project_create(organization=organization, name="", actor=org_admin)
    only = organization.memberships.get(user=org_admin)
    with pytest.raises(ValidationError):
        members.member_remove(membership=only, actor=org_admin)

    assert not ActivityEvent.objects.exclude(object_kind=ObjectKind.ORGANIZATION).exists()
