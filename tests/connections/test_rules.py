"""The rules of docs/domain.md for connections, through connection_create and straight
against the database constraints. Runs on SQLite and, in CI, PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from connections.history import history_of
from connections.models import (
    AuthScheme,
    Connection,
    ConnectionBinding,
)
from connections.naming import validate_connection_name, variable_name, variable_stem
from connections.services import connection_create
from console.crypto import SecretValue
from console.models import Action
from marketplace.models import Endpoint, Security, Visibility
from marketplace.services import (
    endpoint_delete,
    service_parameter_add,
    service_parameter_rename,
    third_party_service_update,
)
from tests import factories


@pytest.fixture
def provider(organization):
    hr = factories.make_project(organization, "HR", "hr")
    return factories.make_component(hr, "Employee Service", "employee-service")


@pytest.fixture
def service(provider):
    return factories.make_internal_service(provider, "employees", Visibility.ORGANIZATION)


@pytest.fixture
def storefront(project):
    return factories.make_component(project, "Storefront", "storefront")


def _create(project, service, name, component=None, **kwargs):
    return connection_create(
        project=project, component=component, service=service, name=name, **kwargs
    )


@pytest.mark.parametrize(
    "name",
    ["abc", "Payments DB", "hr.employees-v1", "a_b c.d-e", "X" * 50, "123"],
)
def test_it_accepts_valid_names(name):
    validate_connection_name(name)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ab", "too_short"),
        ("x" * 51, "too_long"),
        ("-abc", "ends"),
        ("abc.", "ends"),
        ("a  b", "separator_run"),
        ("a_-b", "separator_run"),
        ("a/b", "characters"),
        ("naïve", "characters"),
        # A character no variable name can hold is named before where it stands.
        ("é-abc", "characters"),
        ("<script>", "characters"),
    ],
)
def test_it_rejects_invalid_names_with_a_reason(name, code):
    with pytest.raises(ValidationError) as raised:
        validate_connection_name(name)
    assert raised.value.code == code


@pytest.mark.parametrize(("name", "character"), [("Ünïcödé", "Ü"), ("名前テスト", "名")])
def test_a_name_in_other_letters_is_told_the_rule_is_ascii_letters_and_digits(name, character):
    with pytest.raises(ValidationError) as raised:
        validate_connection_name(name)

    assert raised.value.messages == [
        "A connection name may only use ASCII letters (A to Z, without accents), digits, "
        f"spaces, underscores (_), hyphens (-) and dots (.): “{character}” is not one of them."
    ]


def test_it_builds_variable_names_from_runs_of_other_characters():
    assert variable_stem("hr.employees - v1") == "HR_EMPLOYEES_V1"
    assert variable_name("my-stripe", "ServiceURL") == "CHOREO_MY_STRIPE_SERVICEURL"
    assert variable_name("Payments DB", "ConsumerSecret") == "CHOREO_PAYMENTS_DB_CONSUMERSECRET"


def test_it_creates_a_project_connection_with_a_binding_per_environment(
    project, service, developer
):
    connection = _create(project, service, "Employees", created_by=developer)

    assert connection.is_project_connection
    assert connection.organization_id == project.organization_id
    assert connection.auth_scheme == AuthScheme.NONE
    assert connection.variable_stem == "EMPLOYEES"
    environments = [b.environment.name for b in connection.bindings.order_by("environment__order")]
    assert environments == ["Development", "Production"]
    event = history_of(connection).get()
    assert (event.action, event.actor, event.object_name) == (
        Action.CREATED,
        developer,
        "Employees",
    )


def test_it_generates_oauth_credentials_per_environment_stored_encrypted(project, provider):
    oauth_service = factories.make_internal_service(provider, "payroll", security=Security.OAUTH2)

    connection = _create(project, oauth_service, "Payroll")

    bindings = list(connection.bindings.all())
    assert connection.auth_scheme == AuthScheme.OAUTH2
    assert all(b.consumer_key and isinstance(b.consumer_secret, SecretValue) for b in bindings)
    assert bindings[0].consumer_secret.reveal() != bindings[1].consumer_secret.reveal()
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT consumer_secret FROM connections_connectionbinding WHERE id = %s",
            [bindings[0].pk],
        )
        (stored,) = cursor.fetchone()
    assert bindings[0].consumer_secret.reveal() not in stored
    assert str(bindings[0].consumer_secret) == "••••••••"


def test_it_generates_an_api_key_for_api_key_services(organization, project):
    twilio = factories.make_third_party_service(
        organization, "Twilio SMS", security=Security.API_KEY
    )

    connection = _create(project, twilio, "sms")

    assert connection.auth_scheme == AuthScheme.API_KEY
    assert all(b.api_key.reveal().startswith("jct_") for b in connection.bindings.all())
    assert connection.variable_names() == {"CHOREO_SMS_SERVICEURL", "CHOREO_SMS_CHOREOAPIKEY"}


@pytest.mark.parametrize(
    ("description", "message"),
    [("x" * 1001, "at most 1000 characters"), ("a\x00b", "cannot contain null characters")],
)
def test_it_checks_the_description_as_an_edit_does(project, service, description, message):
    with pytest.raises(ValidationError) as raised:
        _create(project, service, "Employees", description=description)

    assert message in raised.value.message_dict["description"][0]
    assert not Connection.objects.exists()


def test_it_keeps_a_connections_keys_when_its_service_changes_security(organization, project):
    twilio = factories.make_third_party_service(
        organization, "Twilio SMS", security=Security.API_KEY
    )
    connection = _create(project, twilio, "sms")

    third_party_service_update(
        service=twilio,
        name=twilio.name,
        version=twilio.version,
        service_type=twilio.service_type,
        security=Security.OAUTH2,
    )

    connection = Connection.objects.get(pk=connection.pk)
    assert connection.auth_scheme == AuthScheme.API_KEY
    assert connection.variable_names() == {"CHOREO_SMS_SERVICEURL", "CHOREO_SMS_CHOREOAPIKEY"}
    assert all(b.api_key and not b.consumer_secret for b in connection.bindings.all())


def test_it_rejects_a_case_insensitive_duplicate_at_the_same_level(project, service):
    _create(project, service, "Employees")

    with pytest.raises(ValidationError) as raised:
        _create(project, service, "EMPLOYEES")

    assert "already exists" in raised.value.message_dict["name"][0]
    assert Connection.objects.count() == 1


def test_it_rejects_a_component_connection_named_like_a_project_connection(
    project, service, storefront
):
    _create(project, service, "Employees")

    with pytest.raises(ValidationError) as raised:
        _create(project, service, "employees", component=storefront)

    assert "“Employees” already exists in this project" in raised.value.message_dict["name"][0]


def test_it_rejects_a_project_connection_named_like_any_component_connection(
    project, service, storefront
):
    _create(project, service, "Employees", component=storefront)

    with pytest.raises(ValidationError) as raised:
        _create(project, service, "Employees")

    assert raised.value.message_dict["name"] == [
        "A connection named “Employees” already exists in the component Storefront."
    ]


def test_it_allows_the_same_name_in_two_components_of_a_project(project, service, storefront):
    worker = factories.make_component(project, "Ledger Worker", "ledger-worker")

    _create(project, service, "Employees", component=storefront)
    _create(project, service, "Employees", component=worker)

    assert Connection.objects.filter(name="Employees").count() == 2


def test_it_names_the_connection_whose_variables_would_collide(project, service, storefront):
    _create(project, service, "hr-employees")

    with pytest.raises(ValidationError) as raised:
        _create(project, service, "HR employees", component=storefront)

    message = raised.value.message_dict["name"][0]
    assert "CHOREO_HR_EMPLOYEES_SERVICEURL" in message
    assert "“hr-employees”" in message


def test_it_catches_a_collision_through_a_third_party_parameter_key(organization, project, service):
    stripe = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("x_ServiceURL", False),)
    )
    _create(project, stripe, "pay")

    with pytest.raises(ValidationError) as raised:
        _create(project, service, "pay x")

    assert "CHOREO_PAY_X_SERVICEURL" in raised.value.message_dict["name"][0]


def test_it_refuses_a_service_not_visible_from_the_scope(organization, project, provider):
    project_only = factories.make_internal_service(provider, "internal", Visibility.PROJECT)
    unlisted = factories.make_internal_service(provider, "legacy")
    unlisted.listed = False
    unlisted.save()

    for hidden in (project_only, unlisted):
        with pytest.raises(ValidationError) as raised:
            _create(project, hidden, f"conn {hidden.endpoint_handle}")
        assert "service" in raised.value.message_dict


def test_it_refuses_a_components_own_service(organization, provider, service):
    with pytest.raises(ValidationError):
        _create(provider.project, service, "Self", component=provider)
    assert _create(provider.project, service, "From project") is not None


def test_it_maps_third_party_endpoints_by_environment_and_refuses_a_disallowed_one(
    organization, project
):
    stripe = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("webhookSecret", True),)
    )
    sandbox = factories.add_endpoint(
        stripe, "Sandbox", "https://sandbox.stripe.test", ["development"], webhookSecret="s1"
    )
    live = factories.add_endpoint(
        stripe, "Live", "https://api.stripe.test", ["production"], webhookSecret="s2"
    )
    development, production = organization.environments.order_by("order")

    connection = _create(project, stripe, "Stripe")
    mapping = {b.environment_id: b.endpoint_id for b in connection.bindings.all()}
    assert mapping == {development.pk: sandbox.pk, production.pk: live.pk}
    assert "CHOREO_STRIPE_WEBHOOKSECRET" in connection.variable_names()

    with pytest.raises(ValidationError) as raised:
        _create(project, stripe, "Stripe live", endpoints={development.pk: live})
    assert "cannot be used in Development" in raised.value.message_dict["mapping"][0]


def test_the_database_rejects_a_duplicate_name_ignoring_case(project, service):
    first = _create(project, service, "Employees")
    duplicate = Connection(
        organization=first.organization,
        project=project,
        service=service,
        name="eMployees",
        variable_stem="EMPLOYEES_2",
        auth_scheme=AuthScheme.NONE,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_database_rejects_a_duplicate_variable_stem(project, service, storefront):
    first = _create(project, service, "a-b-c", component=storefront)
    clash = Connection(
        organization=first.organization,
        project=project,
        component=storefront,
        service=service,
        name="a b c",
        variable_stem="A_B_C",
        auth_scheme=AuthScheme.NONE,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()


def test_the_database_rejects_a_name_too_short(project, service):
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(
            organization=project.organization,
            project=project,
            service=service,
            name="ab",
            variable_stem="AB",
            auth_scheme=AuthScheme.NONE,
        )


def test_the_database_protects_a_service_in_use(project, service):
    from django.db.models import ProtectedError

    _create(project, service, "Employees")
    with pytest.raises(ProtectedError):
        service.delete()


def test_a_deleted_connection_keeps_its_history(project, service):
    connection = _create(project, service, "Employees")
    public_id = connection.public_id

    connection.delete()

    (event,) = history_of(connection)
    assert (event.object_id, event.object_name) == (str(public_id), "Employees")
    assert not ConnectionBinding.objects.exists()


# --- A service's keys changing under its connections --------------------------


def test_it_refuses_a_parameter_a_connection_would_provide_twice(organization, project):
    stripe = factories.make_third_party_service(organization, "Stripe API")
    _create(project, stripe, "Pay")

    with pytest.raises(ValidationError) as raised:
        service_parameter_add(service=stripe, name="serviceURL")

    message = raised.value.message_dict["name"][0]
    assert "“Pay” in the project Payments would provide CHOREO_PAY_SERVICEURL twice" in message
    assert not stripe.parameters.exists()


def test_it_refuses_a_parameter_rename_that_collides_and_keeps_the_name(
    organization, project, service, storefront
):
    stripe = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("region", False),)
    )
    _create(project, stripe, "Pay", component=storefront)
    _create(project, service, "Pay X")  # a project connection: storefront sees it
    region = stripe.parameters.get()

    with pytest.raises(ValidationError) as raised:
        service_parameter_rename(parameter=region, name="X_ServiceURL")

    message = raised.value.message_dict["name"][0]
    assert "“Pay” (component Storefront) and “Pay X”" in message
    assert "CHOREO_PAY_X_SERVICEURL" in message
    region.refresh_from_db()
    assert region.name == "region"
    service_parameter_rename(parameter=region, name="zone")
    assert stripe.parameters.get().name == "zone"


def test_it_checks_a_parameter_in_the_same_queries_for_many_connections(
    organization, project, service
):
    stripe = factories.make_third_party_service(organization, "Stripe API")

    def queries_to_check(count: int) -> int:
        Connection.objects.all().delete()
        factories.bulk_connections(project, stripe, count, "Stripe")
        factories.bulk_connections(project, service, count, "Employees")
        with CaptureQueriesContext(db_connection) as queries:
            stripe.connections.variable_collisions(parameters={stripe.pk: ["region"]})
        return len(queries)

    assert queries_to_check(2) == queries_to_check(40)


def test_it_refuses_an_endpoint_deleted_after_the_form_read_it(organization, project):
    stripe = factories.make_third_party_service(organization, "Stripe API")
    sandbox = factories.add_endpoint(stripe, "Sandbox", "https://sandbox.test", ["development"])
    development = organization.environments.get(handle="development")
    endpoint_delete(endpoint=Endpoint.objects.get(pk=sandbox.pk))

    with pytest.raises(ValidationError) as raised:
        _create(project, stripe, "Stripe", endpoints={development.pk: sandbox})

    assert raised.value.message_dict["mapping"] == [
        "The endpoint “Sandbox” was deleted just now. Choose another one."
    ]
    assert not Connection.objects.exists()


def test_it_refuses_to_delete_an_endpoint_a_connection_is_mapped_to(organization, project):
    stripe = factories.make_third_party_service(organization, "Stripe API")
    sandbox = factories.add_endpoint(stripe, "Sandbox", "https://sandbox.test", ["development"])
    _create(project, stripe, "Stripe Payments")

    with pytest.raises(ValidationError) as raised:
        endpoint_delete(endpoint=sandbox)

    assert raised.value.messages == [
        "The endpoint Sandbox cannot be deleted: 1 connection uses it (Stripe Payments). "
        "Map it to another endpoint first."
    ]
    assert Endpoint.objects.filter(pk=sandbox.pk).exists()
