"""A connection's status per environment (connections/status.py): each
reason computed after the change that causes it, and the same queries at 5
and at 5,000 connections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import formats, timezone

from connections.models import Connection, ConnectionBinding
from connections.services import connection_create, connection_update, credentials_rotate
from connections.status import connection_status, connection_statuses
from console.models import Environment
from marketplace.models import Security, Visibility
from marketplace.services import endpoint_update, service_set_listed
from tests import factories


@pytest.fixture
def scene(organization, project, component, developer):
    """Checkout API (in Payments) uses an internal OAuth2 service of HR,
    deployed everywhere, and the project a third-party service mapped to
    Sandbox in Development and Live in Production."""
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    employees = factories.make_internal_service(provider, "employees", security=Security.OAUTH2)
    stripe = factories.make_third_party_service(organization, "Stripe API")
    factories.add_endpoint(stripe, "Sandbox", "https://sandbox.stripe.test", ["development"])
    factories.add_endpoint(stripe, "Live", "https://live.stripe.test", ["production"])
    staff = connection_create(project=project, component=component, service=employees, name="Staff")
    payments = connection_create(project=project, service=stripe, name="Payments")
    return {
        "hr": hr,
        "provider": provider,
        "employees": employees,
        "stripe": stripe,
        "staff": staff,
        "payments": payments,
    }


def _status(connection: Connection, handle: str):
    fresh = Connection.objects.select_related("service").get(pk=connection.pk)
    environment = fresh.organization.environments.get(handle=handle)
    return connection_status(fresh).of(environment)


def test_every_connection_starts_ready_everywhere_with_nothing_to_say(scene):
    for name in ("staff", "payments"):
        status = connection_status(scene[name])
        assert [s.environment.handle for s in status.environments] == [
            "development",
            "production",
        ]
        assert status.ready
        assert [(s.label, s.problems, s.notices) for s in status.environments] == [
            ("Ready", (), ()),
            ("Ready", (), ()),
        ]


def test_narrowing_the_visibility_makes_other_projects_connections_pending(scene, organization):
    # A consumer inside the provider's project keeps seeing it.
    insider = connection_create(
        project=scene["hr"],
        component=factories.make_component(scene["hr"], "Payroll", "payroll"),
        service=scene["employees"],
        name="Staff",
    )

    factories.make_internal_service(
        scene["provider"], "employees", Visibility.PROJECT, security=Security.OAUTH2
    )

    for handle in ("development", "production"):
        status = _status(scene["staff"], handle)
        assert status.label == "Pending"
        assert status.reason == (
            "The service is no longer visible from this project: its provider narrowed "
            "its network visibility to Project."
        )
        assert _status(insider, handle).ready


def test_undeploying_from_an_environment_makes_it_pending_there_only(scene):
    provider = scene["provider"]
    development = provider.project.organization.environments.get(handle="development")
    from marketplace.services import internal_service_publish

    internal_service_publish(
        component=provider,
        endpoint_handle="employees",
        endpoint_name="Employees",
        version="1.0.0",
        visibility=Visibility.ORGANIZATION,
        security=Security.OAUTH2,
        urls={development: "http://employees.dev.internal"},
    )

    assert _status(scene["staff"], "development").ready
    production = _status(scene["staff"], "production")
    assert production.label == "Pending"
    assert production.problems == ("The service is not deployed in Production.",)


def test_an_unmapped_environment_is_pending(scene, organization, developer):
    production = organization.environments.get(handle="production")

    connection_update(
        connection=scene["payments"],
        name="Payments",
        description="",
        endpoints={production.pk: None},
        actor=developer,
    )

    assert _status(scene["payments"], "development").ready
    assert _status(scene["payments"], "production").problems == (
        "No endpoint is mapped to Production.",
    )


def test_an_endpoint_no_longer_allowed_in_an_environment_is_pending_there(scene, organization):
    live = scene["stripe"].endpoints.get(name="Live")

    endpoint_update(
        endpoint=live,
        name="Live",
        url=live.url,
        environments=organization.environments.filter(handle="development"),
    )

    assert _status(scene["payments"], "development").ready
    assert _status(scene["payments"], "production").problems == (
        "The endpoint Live is no longer allowed in Production: map another one.",
    )


def test_a_service_removed_from_the_marketplace_still_works_and_says_so(scene):
    service_set_listed(service=scene["stripe"], listed=False)

    for handle in ("development", "production"):
        status = _status(scene["payments"], handle)
        assert status.ready
        assert status.notices == (
            "The service was removed from the marketplace; this connection keeps working.",
        )
    assert _status(scene["staff"], "development").notices == ()


def test_a_rotation_grace_period_is_a_notice_with_its_end(scene, developer):
    staff = scene["staff"]
    binding = staff.bindings.select_related("environment").get(environment__handle="production")

    rotated = credentials_rotate(connection=staff, binding=binding, grace="24h", actor=developer)

    production = _status(staff, "production")
    until = formats.date_format(timezone.localtime(rotated.previous_valid_until), "DATETIME_FORMAT")
    assert production.ready
    assert production.notices == (
        f"Credentials were rotated: the replaced ones are still accepted until {until}.",
    )
    assert _status(staff, "development").notices == ()


def test_a_grace_period_that_has_ended_says_nothing(scene):
    ConnectionBinding.objects.filter(connection=scene["staff"]).update(
        previous_valid_until=timezone.now() - timedelta(seconds=1)
    )
    assert _status(scene["staff"], "production").notices == ()


def test_a_newer_major_version_is_a_notice_once_the_consumer_can_see_it(scene, organization):
    provider = scene["provider"]
    factories.make_internal_service(
        provider, "employees", Visibility.PROJECT, security=Security.OAUTH2, version="2.0.0"
    )
    # v2 is visible to HR only: nothing to tell Payments yet.
    assert _status(scene["staff"], "development").notices == ()

    v3 = factories.make_internal_service(
        provider, "employees", security=Security.OAUTH2, version="3.0.0"
    )
    service_set_listed(service=v3, listed=False)
    assert _status(scene["staff"], "development").notices == ()  # unlisted: not offered

    service_set_listed(service=v3, listed=True)
    factories.make_internal_service(provider, "other", version="9.0.0")  # another endpoint
    assert _status(scene["staff"], "development").notices == (
        "A newer major version of the service exists: v3.",
    )
    v3_connection = connection_create(project=scene["staff"].project, service=v3, name="Staff next")
    assert _status(v3_connection, "development").notices == ()


def test_a_newer_major_of_a_third_party_service_is_found_by_name(scene, organization):
    factories.make_third_party_service(organization, "stripe api", version="2.1.0")

    status = _status(scene["payments"], "production")

    assert status.ready
    assert status.notices == ("A newer major version of the service exists: v2.",)


def test_an_environment_added_outside_the_console_is_not_set_up(scene, organization):
    # The console's environment_create binds every connection at once; an
    # environment made another way (the admin, a script) leaves them unbound.
    Environment.objects.create(organization=organization, name="Staging", handle="staging", order=3)

    staging = _status(scene["staff"], "staging")

    assert staging.label == "Pending"
    assert staging.problems == (
        "This connection was created before Staging existed. Open Edit and save to set it up "
        "there.",
    )


def test_several_reasons_are_all_given(scene, organization):
    service_set_listed(service=scene["employees"], listed=False)
    factories.make_internal_service(
        scene["provider"],
        "employees",
        Visibility.PROJECT,
        security=Security.OAUTH2,
        deployed=False,
    )

    production = _status(scene["staff"], "production")

    assert production.problems == (
        "The service is no longer visible from this project: its provider narrowed its "
        "network visibility to Project.",
        "The service is not deployed in Production.",
    )
    assert production.notices == (
        "The service was removed from the marketplace; this connection keeps working.",
    )
    assert production.explanation == " ".join(production.problems + production.notices)


def test_no_connections_cost_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert connection_statuses([]) == {}


def _bulk(scene, component, count: int, batch: str) -> None:
    """``count`` connections of each kind and scope, with their bindings."""
    project = scene["staff"].project
    created = []
    for service, prefix in ((scene["employees"], "Emp"), (scene["stripe"], "Str")):
        created += factories.bulk_connections(project, service, count, f"{prefix} p{batch}")
        created += factories.bulk_connections(
            project, service, count, f"{prefix} c{batch}", component
        )
    live = scene["stripe"].endpoints.get(name="Live")
    environments = list(project.organization.environments.all())
    ConnectionBinding.objects.bulk_create(
        ConnectionBinding(
            connection=connection,
            environment=environment,
            endpoint=live if connection.service_id == scene["stripe"].pk else None,
        )
        for connection in created
        for environment in environments
    )


def test_the_queries_are_the_same_at_5_and_at_5000_connections(
    scene, component, django_assert_num_queries
):
    def statuses_of_all():
        connections = list(Connection.objects.select_related("service"))
        # environments, bindings, the services each consumer scope sees
        # (their candidates a subquery of it)
        with django_assert_num_queries(3):
            statuses = connection_statuses(connections)
        return connections, statuses

    _bulk(scene, component, 1, "a")
    few, _ = statuses_of_all()
    _bulk(scene, component, 1249, "b")
    many, statuses = statuses_of_all()

    assert (len(few), len(many)) == (6, 5002)
    pending = {
        (connection.service_id, status.environment.handle)
        for connection in many
        for status in statuses[connection.pk].environments
        if not status.ready
    }
    # The bulk third-party connections are mapped to Live, allowed in Production only.
    assert pending == {(scene["stripe"].pk, "development")}


def test_one_environment_only_skips_the_environments_query(
    scene, organization, django_assert_num_queries
):
    production = organization.environments.get(handle="production")
    connections = list(Connection.objects.select_related("service"))

    with django_assert_num_queries(2):
        statuses = connection_statuses(connections, environment=production)

    assert {len(status.environments) for status in statuses.values()} == {1}
