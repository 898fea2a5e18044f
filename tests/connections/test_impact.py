"""Who a provider's change affects (connections/impact.py), what a change
needs to be kept (marketplace/changes.py), and what the affected
connections' history and status say afterwards."""

from __future__ import annotations

import pytest

from connections.history import describe_event
from connections.impact import impact_of
from connections.models import Connection
from connections.services import connection_create
from connections.status import connection_status
from console.models import Action, ActivityEvent
from marketplace.changes import (
    UNLISTED,
    ConfirmationNeeded,
    change_service,
    endpoint_deleted,
    endpoint_environments_change,
    parameter_added,
    parameter_deleted,
    publish_changes,
)
from marketplace.models import Service, Visibility
from marketplace.services import endpoint_update, internal_service_publish
from tests import factories


@pytest.fixture
def scene(organization, project, component):
    """HR's Employee Service publishes "employees" (Organization, deployed
    everywhere); Payments uses it twice (a component and a project
    connection), HR once, from its own project."""
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    portal = factories.make_component(hr, "Portal", "portal")
    employees = factories.make_internal_service(provider, "employees")
    return {
        "employees": employees,
        "provider": provider,
        "staff": connection_create(
            project=project, component=component, service=employees, name="Staff"
        ),
        "people": connection_create(project=project, service=employees, name="People"),
        "directory": connection_create(
            project=hr, component=portal, service=employees, name="Directory"
        ),
    }


def _narrow(scene, visibility=Visibility.PROJECT, deployed=("development", "production")):
    service = scene["employees"]
    environments = list(service.organization.environments.filter(handle__in=deployed))
    changes = publish_changes(service, visibility=visibility, deployed_in=environments)

    def write() -> Service:
        return internal_service_publish(
            component=scene["provider"],
            endpoint_handle="employees",
            endpoint_name="Employees",
            version=service.version,
            visibility=visibility,
            urls={e: f"http://employees.{e.handle}.internal" for e in environments},
        )

    return changes, write


def _names(impact) -> list[tuple[str, list[str]]]:
    return [(a.connection.name, [e.handle for e in a.environments]) for a in impact.affected]


def test_it_lists_the_consumers_a_narrowed_visibility_hides_the_service_from(scene, org_admin):
    changes, write = _narrow(scene)
    _, impact = change_service(
        service=scene["employees"], changes=changes, actor=org_admin, typed="2", write=write
    )
    # Directory is in the provider's own project: it still sees a Project service.
    assert _names(impact) == [("People", []), ("Staff", [])]
    assert impact.needs_confirmation


def test_it_finds_nobody_losing_a_service_narrowed_from_public_to_organization(scene, org_admin):
    Service.objects.filter(pk=scene["employees"].pk).update(visibility=Visibility.PUBLIC)
    scene["employees"].refresh_from_db()
    changes, write = _narrow(scene, visibility=Visibility.ORGANIZATION)
    _, impact = change_service(
        service=scene["employees"], changes=changes, actor=org_admin, typed=None, write=write
    )
    assert impact.affected == ()
    assert scene["employees"].visibility == Visibility.PUBLIC  # the instance read before
    assert Service.objects.get(pk=scene["employees"].pk).visibility == Visibility.ORGANIZATION


@pytest.mark.parametrize("typed", [None, "", "2", "two"])
def test_it_keeps_nothing_of_a_change_without_the_right_count(scene, org_admin, typed):
    changes, write = _narrow(scene, deployed=("development",))
    with pytest.raises(ConfirmationNeeded) as refused:
        change_service(
            service=scene["employees"], changes=changes, actor=org_admin, typed=typed, write=write
        )
    check = refused.value.check
    assert check.impact.count == 3
    assert check.typed == (typed or "")
    assert "type 3" in check.error.lower()
    service = Service.objects.get(pk=scene["employees"].pk)
    assert service.visibility == Visibility.ORGANIZATION
    assert service.deployments.count() == 2
    assert not ActivityEvent.objects.filter(action=Action.PROVIDER_CHANGED).exists()


def test_it_records_a_confirmed_change_on_every_affected_connection(scene, org_admin):
    changes, write = _narrow(scene, deployed=("development",))
    _, impact = change_service(
        service=scene["employees"], changes=changes, actor=org_admin, typed=" 3 ", write=write
    )
    # Un-deploying reaches everyone, in Production; narrowing, Payments everywhere.
    assert _names(impact) == [("Directory", ["production"]), ("People", []), ("Staff", [])]
    events = ActivityEvent.objects.filter(action=Action.PROVIDER_CHANGED)
    assert sorted(e.object_name for e in events) == ["Directory", "People", "Staff"]
    directory = events.get(object_id=str(scene["directory"].public_id))
    assert directory.actor == org_admin
    assert directory.detail["environments"] == ["Production"]
    assert describe_event(directory) == (
        f"{org_admin.username} changed Employee Service - Employees v1: narrowed its network "
        "visibility from Organization to Project; stopped deploying it in Production "
        "(in Production)"
    )


def test_the_status_of_each_affected_connection_says_why_it_is_pending(scene, org_admin):
    changes, write = _narrow(scene, deployed=("development",))
    change_service(
        service=scene["employees"], changes=changes, actor=org_admin, typed="3", write=write
    )
    staff = connection_status(
        Connection.objects.select_related("service").get(pk=scene["staff"].pk)
    )
    assert not staff.ready
    assert "narrowed its network visibility to Project" in staff.environments[0].reason
    directory = connection_status(
        Connection.objects.select_related("service").get(pk=scene["directory"].pk)
    )
    assert [s.ready for s in directory.environments] == [True, False]
    assert directory.environments[1].reason == "The service is not deployed in Production."


@pytest.fixture
def stripe(organization, project):
    service = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("region", False),)
    )
    sandbox = factories.add_endpoint(service, "Sandbox", "https://s.test", ["development"])
    live = factories.add_endpoint(service, "Live", "https://l.test", ["development", "production"])
    development, production = organization.environments.order_by("order")
    connection_create(
        project=project,
        service=service,
        name="Pay",
        endpoints={development.pk: sandbox, production.pk: live},
    )
    connection_create(
        project=project,
        service=service,
        name="Refunds",
        endpoints={development.pk: live, production.pk: live},
    )
    return {"service": service, "sandbox": sandbox, "live": live}


def test_it_lists_the_connections_mapped_to_an_endpoint_in_the_environments_it_loses(
    stripe, organization, org_admin
):
    live = stripe["live"]
    development = organization.environments.get(handle="development")
    changes = endpoint_environments_change(live, [development])
    _, impact = change_service(
        service=stripe["service"],
        changes=changes,
        actor=org_admin,
        typed="2",
        write=lambda: endpoint_update(
            endpoint=live, name="Live", url=live.url, environments=[development]
        ),
    )
    assert _names(impact) == [("Pay", ["production"]), ("Refunds", ["production"])]
    pay = Connection.objects.select_related("service").get(name="Pay")
    assert connection_status(pay).environments[1].reason == (
        "The endpoint Live is no longer allowed in Production: map another one."
    )


def test_an_unchanged_set_of_environments_is_no_change(stripe, organization):
    live = stripe["live"]
    assert endpoint_environments_change(live, list(organization.environments.all())) == []


def test_it_lists_every_environment_mapped_to_an_endpoint_about_to_be_deleted(stripe):
    impact = impact_of(stripe["service"], [endpoint_deleted(stripe["live"])])
    assert _names(impact) == [("Pay", ["production"]), ("Refunds", ["development", "production"])]
    assert impact.needs_confirmation


@pytest.mark.parametrize(
    ("change", "confirmed"),
    [(parameter_added("zone"), False), (parameter_deleted("region"), True), (UNLISTED, False)],
)
def test_a_change_of_keys_or_listing_reaches_every_connection_everywhere(stripe, change, confirmed):
    impact = impact_of(stripe["service"], [change])
    assert _names(impact) == [("Pay", []), ("Refunds", [])]
    assert impact.needs_confirmation is confirmed


def test_it_reads_who_is_affected_in_the_same_queries_at_5_and_500_connections(
    organization, project, django_assert_num_queries
):
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    employees = factories.make_internal_service(provider, "employees")
    changes = publish_changes(employees, visibility=Visibility.PROJECT, deployed_in=[])
    for count in (5, 500):
        Connection.objects.all().delete()
        components = [
            factories.make_component(project, f"C{count}-{n}", f"c{count}-{n}") for n in range(5)
        ]
        for n, component in enumerate(components):
            factories.bulk_connections(
                project, employees, count // 5, f"Use {n}", component=component
            )
        # The connections, and one UNION for who still sees the service.
        with django_assert_num_queries(2):
            impact = impact_of(employees, changes)
        assert impact.count == count
