"""connection_update, connection_delete and connection_secret_reveal: the
same rules as Create, checked again inside the write's transaction."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from connections.history import history_of
from connections.models import Connection
from connections.services import (
    connection_create,
    connection_delete,
    connection_secret_reveal,
    connection_update,
)
from console.models import Action, ActivityEvent
from marketplace.models import Security, Visibility
from tests import factories

SANDBOX_SECRET = "sk_sandbox_plaintext_0451"


@pytest.fixture
def storefront(project):
    return factories.make_component(project, "Storefront", "storefront")


@pytest.fixture
def employees(organization):
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    return factories.make_internal_service(
        provider, "employees", Visibility.ORGANIZATION, security=Security.OAUTH2
    )


@pytest.fixture
def stripe(organization):
    service = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("secretKey", True), ("region", False))
    )
    factories.add_endpoint(
        service,
        "Sandbox",
        "https://sandbox.stripe.test",
        ["development"],
        secretKey=SANDBOX_SECRET,
        region="eu",
    )
    factories.add_endpoint(
        service,
        "Live",
        "https://api.stripe.test",
        ["production"],
        secretKey="sk_live_plaintext",
        region="eu",
    )
    factories.add_endpoint(
        service, "Worldwide", "https://worldwide.stripe.test", ["development", "production"]
    )
    return service


def _create(project, service, name, component=None, actor=None):
    return connection_create(
        project=project, component=component, service=service, name=name, created_by=actor
    )


def _update(connection, actor, name=None, description=None, endpoints=None):
    return connection_update(
        connection=connection,
        name=connection.name if name is None else name,
        description=connection.description if description is None else description,
        endpoints=endpoints,
        actor=actor,
    )


def _events(connection, action):
    return list(ActivityEvent.objects.filter(object_id=str(connection.public_id), action=action))


def _endpoint(service, name):
    return service.endpoints.get(name=name)


def _environment(organization, handle):
    return organization.environments.get(handle=handle)


def test_it_renames_and_keeps_the_variables_in_step(project, employees, developer):
    connection = _create(project, employees, "Staff")

    _update(connection, developer, name="  Staff directory ")

    connection.refresh_from_db()
    assert connection.name == "Staff directory"
    assert connection.variable_stem == "STAFF_DIRECTORY"
    (event,) = _events(connection, Action.RENAMED)
    assert event.changes == {"name": ["Staff", "Staff directory"]}
    assert event.actor == developer


def test_it_allows_changing_only_the_case_of_the_name(project, employees, developer):
    connection = _create(project, employees, "staff")

    _update(connection, developer, name="STAFF")

    connection.refresh_from_db()
    assert connection.name == "STAFF"


def test_it_refuses_a_duplicate_name_at_the_same_level_ignoring_case(project, employees, developer):
    _create(project, employees, "Employees")
    connection = _create(project, employees, "Staff")

    with pytest.raises(ValidationError) as raised:
        _update(connection, developer, name="EMPLOYEES")

    assert "“Employees” already exists in this project" in raised.value.message_dict["name"][0]
    connection.refresh_from_db()
    assert connection.name == "Staff"
    assert not _events(connection, Action.RENAMED)


def test_it_refuses_a_name_a_component_connection_already_has(
    project, employees, storefront, developer
):
    _create(project, employees, "Staff directory", component=storefront)
    project_connection = _create(project, employees, "Staff")

    with pytest.raises(ValidationError) as raised:
        _update(project_connection, developer, name="staff DIRECTORY")

    assert "in the component Storefront" in raised.value.message_dict["name"][0]


def test_it_refuses_a_component_name_a_project_connection_already_has(
    project, employees, storefront, developer
):
    _create(project, employees, "Employees")
    component_connection = _create(project, employees, "Staff", component=storefront)

    with pytest.raises(ValidationError) as raised:
        _update(component_connection, developer, name="employees")

    assert "“Employees” already exists in this project" in raised.value.message_dict["name"][0]


def test_it_refuses_a_name_that_would_produce_a_variable_another_connection_has(
    project, employees, developer
):
    _create(project, employees, "Pay-Roll")
    connection = _create(project, employees, "Staff")

    with pytest.raises(ValidationError) as raised:
        _update(connection, developer, name="Pay Roll")

    message = raised.value.message_dict["name"][0]
    assert "CHOREO_PAY_ROLL_" in message
    assert "“Pay-Roll”" in message


@pytest.mark.parametrize(
    ("name", "words"),
    [("ab", "at least 3"), ("a  b c", "two spaces"), ("<script>", "is not one of them")],
)
def test_it_refuses_an_invalid_name(project, employees, developer, name, words):
    connection = _create(project, employees, "Staff")

    with pytest.raises(ValidationError) as raised:
        _update(connection, developer, name=name)

    assert words in raised.value.message_dict["name"][0]


def test_it_refuses_a_description_that_is_too_long(project, employees, developer):
    connection = _create(project, employees, "Staff")

    with pytest.raises(ValidationError) as raised:
        _update(connection, developer, description="x" * 1001)

    assert "at most 1000 characters" in raised.value.message_dict["description"][0]


def test_it_records_a_description_change(project, employees, developer):
    connection = _create(project, employees, "Staff")

    _update(connection, developer, description="Who works here")

    connection.refresh_from_db()
    assert connection.description == "Who works here"
    (event,) = _events(connection, Action.DESCRIPTION_CHANGED)
    assert event.changes == {"description": ["", "Who works here"]}


def test_it_records_nothing_when_nothing_changed(organization, project, stripe, developer):
    connection = _create(project, stripe, "Payments")
    development = _environment(organization, "development")
    before = ActivityEvent.objects.count()

    _update(
        connection,
        developer,
        name=" Payments ",
        endpoints={development.pk: _endpoint(stripe, "Sandbox")},
    )

    assert ActivityEvent.objects.count() == before


def test_it_changes_the_mapping_and_records_it(organization, project, stripe, developer):
    connection = _create(project, stripe, "Payments")
    development = _environment(organization, "development")
    production = _environment(organization, "production")

    _update(
        connection,
        developer,
        endpoints={development.pk: _endpoint(stripe, "Worldwide"), production.pk: None},
    )

    mapping = {b.environment.handle: b.endpoint for b in connection.bindings.all()}
    assert mapping == {"development": _endpoint(stripe, "Worldwide"), "production": None}
    (event,) = _events(connection, Action.MAPPING_CHANGED)
    assert event.changes == {
        "Development": ["Sandbox", "Worldwide"],
        "Production": ["Live", None],
    }


def test_it_records_one_event_per_kind_of_change(organization, project, stripe, developer):
    connection = _create(project, stripe, "Payments")
    production = _environment(organization, "production")

    _update(
        connection,
        developer,
        name="Card payments",
        description="Stripe for the shop",
        endpoints={production.pk: _endpoint(stripe, "Worldwide")},
    )

    actions = sorted(
        history_of(connection).exclude(action=Action.CREATED).values_list("action", flat=True)
    )
    assert actions == ["description-changed", "mapping-changed", "renamed"]


def test_it_refuses_an_endpoint_that_does_not_serve_the_environment(
    organization, project, stripe, developer
):
    connection = _create(project, stripe, "Payments")
    production = _environment(organization, "production")

    with pytest.raises(ValidationError) as raised:
        _update(connection, developer, endpoints={production.pk: _endpoint(stripe, "Sandbox")})

    assert "cannot be used in Production" in raised.value.message_dict["mapping"][0]
    assert connection.bindings.get(environment=production).endpoint.name == "Live"


def test_it_refuses_an_endpoint_of_another_service(organization, project, stripe, developer):
    other = factories.make_third_party_service(organization, "Twilio SMS")
    foreign = factories.add_endpoint(other, "Live", "https://twilio.test", ["production"])
    connection = _create(project, stripe, "Payments")
    production = _environment(organization, "production")

    with pytest.raises(ValidationError) as raised:
        _update(connection, developer, endpoints={production.pk: foreign})

    assert "mapping" in raised.value.message_dict


def test_it_refuses_a_mapping_for_an_internal_connection(
    organization, project, employees, stripe, developer
):
    connection = _create(project, employees, "Staff")
    production = _environment(organization, "production")

    with pytest.raises(ValidationError) as raised:
        _update(connection, developer, endpoints={production.pk: _endpoint(stripe, "Live")})

    assert "mapping" in raised.value.message_dict


def test_it_refuses_an_environment_of_another_organization(
    project, stripe, developer, other_organization
):
    connection = _create(project, stripe, "Payments")
    foreign = other_organization.environments.get(handle="production")

    with pytest.raises(ValidationError):
        _update(connection, developer, endpoints={foreign.pk: _endpoint(stripe, "Live")})


def test_it_deletes_and_keeps_the_history(project, employees, developer):
    connection = _create(project, employees, "Staff", actor=developer)
    public_id = connection.public_id

    connection_delete(connection=connection, actor=developer)

    assert not Connection.objects.filter(public_id=public_id).exists()
    events = ActivityEvent.objects.filter(object_id=str(public_id))
    assert sorted(events.values_list("action", flat=True)) == ["created", "deleted"]
    deleted = events.get(action=Action.DELETED)
    assert (deleted.object_kind, deleted.object_name, deleted.actor, deleted.project) == (
        "connection",
        "Staff",
        developer,
        project,
    )
    # Its last state, never a credential.
    assert deleted.detail["state"] == {
        "name": "Staff",
        "service": str(employees),
        "version": employees.version,
        "level": "Project",
    }


def test_it_deletes_once_when_asked_twice(project, employees, developer):
    connection = _create(project, employees, "Staff")

    connection_delete(connection=connection, actor=developer)
    connection_delete(connection=connection, actor=developer)

    assert ActivityEvent.objects.filter(action=Action.DELETED).count() == 1


def test_it_reveals_an_oauth_secret_and_records_it_without_the_value(project, employees, developer):
    connection = _create(project, employees, "Staff")
    binding = connection.bindings.get(environment__handle="development")

    plaintext = connection_secret_reveal(
        connection=connection, binding=binding, key="ConsumerSecret", actor=developer
    )

    assert plaintext == binding.consumer_secret.reveal()
    (event,) = _events(connection, Action.SECRET_REVEALED)
    assert event.detail == {"environment": "Development", "key": "ConsumerSecret"}
    assert plaintext not in str(event.detail)


def test_it_reveals_a_secret_endpoint_parameter(project, stripe, org_admin):
    connection = _create(project, stripe, "Payments")
    binding = connection.bindings.get(environment__handle="development")

    plaintext = connection_secret_reveal(
        connection=connection, binding=binding, key="secretKey", actor=org_admin
    )

    assert plaintext == SANDBOX_SECRET


@pytest.mark.parametrize("key", ["region", "ServiceURL", "ChoreoAPIKey", "nope"])
def test_it_reveals_only_secrets(project, stripe, developer, key):
    connection = _create(project, stripe, "Payments")
    binding = connection.bindings.get(environment__handle="development")

    with pytest.raises(ValidationError):
        connection_secret_reveal(connection=connection, binding=binding, key=key, actor=developer)

    assert not _events(connection, Action.SECRET_REVEALED)


def test_it_reveals_nothing_to_a_viewer_or_an_outsider(
    project, employees, viewer, outsider, developer
):
    connection = _create(project, employees, "Staff")
    binding = connection.bindings.first()

    for person in (viewer, outsider, None):
        with pytest.raises(PermissionDenied):
            connection_secret_reveal(
                connection=connection, binding=binding, key="ConsumerSecret", actor=person
            )

    assert not _events(connection, Action.SECRET_REVEALED)


def test_it_refuses_a_binding_of_another_connection(project, employees, developer):
    connection = _create(project, employees, "Staff")
    other = _create(project, employees, "Others")

    with pytest.raises(ValidationError):
        connection_secret_reveal(
            connection=connection,
            binding=other.bindings.first(),
            key="ConsumerSecret",
            actor=developer,
        )
