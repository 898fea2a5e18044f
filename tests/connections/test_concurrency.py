"""Concurrent writes on connections: one row per name, clear errors, and a
service removed from the marketplace or deleted while connections to it are
being created leaves a consistent state.

Real threads with their own database connections, so it runs where the
database serves several connections at once: PostgreSQL (in CI). SQLite's
test database is a single in-memory connection.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as default_connection
from django.db import connections

from connections.history import history_of
from connections.models import Connection, ConnectionBinding
from connections.services import connection_create
from connections.services import create as create_module
from console.models import Action
from marketplace.models import Endpoint, Service, Visibility
from marketplace.services import (
    endpoint_delete,
    service_delete,
    service_parameter_add,
    service_set_listed,
)
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        default_connection.vendor != "postgresql",
        reason="needs a database that serves concurrent connections (PostgreSQL)",
    ),
]


def _race(workers: int, create, *, alongside=None) -> tuple[list, list]:
    """Run ``create(index)`` in ``workers`` threads released at once, and
    ``alongside()`` (if given) in one more thread. Returns the creates'
    results and their ValidationErrors; any other exception, in any thread,
    fails the test (a thread's exception would otherwise only be printed)."""
    barrier = threading.Barrier(workers + (alongside is not None))
    created, refused, unexpected, lock = [], [], [], threading.Lock()

    def run(work) -> None:
        try:
            barrier.wait()
            result = work()
            with lock:
                created.append(result)
        except ValidationError as error:
            with lock:
                refused.append(error)
        except Exception as error:
            with lock:
                unexpected.append(error)
        finally:
            connections.close_all()

    def run_alongside() -> None:
        try:
            barrier.wait()
            alongside()
        except Exception as error:
            with lock:
                unexpected.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(lambda index=index: create(index),))
        for index in range(workers)
    ]
    if alongside is not None:
        threads.append(threading.Thread(target=run_alongside))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert unexpected == [], unexpected
    return created, refused


@pytest.fixture
def scene(organization):
    payments = factories.make_project(organization, "Payments", "payments")
    components = [
        factories.make_component(payments, f"Component {n}", f"component-{n}") for n in range(4)
    ]
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    service = factories.make_internal_service(provider, "employees", Visibility.ORGANIZATION)
    return payments, components, service


def test_it_keeps_one_connection_when_twenty_threads_create_the_same_name(scene):
    project, _, service = scene

    created, refused = _race(
        20,
        lambda index: connection_create(
            project=project, service=service, name="Employees" if index % 2 else "EMPLOYEES"
        ),
    )

    assert len(created) == 1
    assert len(refused) == 19
    assert all("already exists" in error.message_dict["name"][0] for error in refused)
    assert Connection.objects.count() == 1


def test_it_keeps_the_cross_level_rule_under_concurrent_creates(scene):
    # A project connection and component connections of the same name: no
    # unique index covers this pair, only the project row lock does.
    project, components, service = scene

    def create(index: int):
        component = None if index % 5 == 0 else components[index % len(components)]
        return connection_create(
            project=project, component=component, service=service, name="Employees"
        )

    created, refused = _race(10, create)

    rows = list(Connection.objects.filter(name__iexact="employees"))
    project_rows = [row for row in rows if row.component_id is None]
    if project_rows:
        assert rows == project_rows
    assert len(rows) == len(created)
    assert len(created) + len(refused) == 10
    assert len(rows) >= 1


# How long the first create waits, past its visibility check, for the
# removal to finish. With the service row locked the removal cannot finish
# (it waits for the create), so this is how long the test pauses; without
# the lock the removal lands in the gap, which is the race being tested.
PAUSE_SECONDS = 1.5
SERVICE_GONE = "This service is no longer available from here. Choose another one."


def _hold_first_create_after_the_check(monkeypatch, removed: threading.Event) -> threading.Event:
    """Make the interleaving the race is about happen every run: the first
    create to pass the service check waits there until the removal is done
    (or PAUSE_SECONDS). Returns the event set when a create got there."""
    past_check = threading.Event()
    real_check = create_module.check_name_is_free

    def check_then_wait(**kwargs):
        if not past_check.is_set():
            past_check.set()
            removed.wait(PAUSE_SECONDS)
        return real_check(**kwargs)

    monkeypatch.setattr(create_module, "check_name_is_free", check_then_wait)
    return past_check


def _create_numbered(project, components, service):
    # Distinct names at both levels: the only reason left to refuse a create
    # is the service going away.
    def create(index: int):
        component = None if index % 4 == 0 else components[index % len(components)]
        return connection_create(
            project=project, component=component, service=service, name=f"Employees {index}"
        )

    return create


def _assert_whole(connection: Connection) -> None:
    environments = set(connection.organization.environments.values_list("pk", flat=True))
    assert set(connection.bindings.values_list("environment_id", flat=True)) == environments
    assert history_of(connection).filter(action=Action.CREATED).count() == 1


def _service_gone(error: ValidationError) -> bool:
    return error.message_dict == {"service": [SERVICE_GONE]}


def test_it_refuses_every_create_that_comes_after_the_service_leaves_the_marketplace(
    scene, monkeypatch
):
    project, components, service = scene
    removed = threading.Event()
    past_check = _hold_first_create_after_the_check(monkeypatch, removed)
    at_removal = {}

    def unlist() -> None:
        past_check.wait(10)
        service_set_listed(service=Service.objects.get(pk=service.pk), listed=False)
        # Committed: every connection that will ever exist is here now, since
        # a create that had not finished must see the service unlisted.
        at_removal["connections"] = set(Connection.objects.values_list("pk", flat=True))
        removed.set()

    created, refused = _race(19, _create_numbered(project, components, service), alongside=unlist)

    assert len(created) + len(refused) == 19
    assert set(Connection.objects.values_list("pk", flat=True)) == at_removal["connections"]
    assert {connection.pk for connection in created} == at_removal["connections"]
    assert all(_service_gone(error) for error in refused), [e.messages for e in refused]
    assert not Service.objects.get(pk=service.pk).listed
    for connection in Connection.objects.all():
        _assert_whole(connection)


def test_it_never_connects_to_a_service_deleted_during_the_creates(scene, monkeypatch):
    project, components, service = scene
    removed = threading.Event()
    past_check = _hold_first_create_after_the_check(monkeypatch, removed)
    deletion = {}

    def delete() -> None:
        past_check.wait(10)
        try:
            service_delete(service=Service.objects.get(pk=service.pk))
            deletion["outcome"] = "deleted"
        except ValidationError as error:
            deletion["outcome"] = error.messages[0]
        removed.set()

    created, refused = _race(19, _create_numbered(project, components, service), alongside=delete)

    assert len(created) + len(refused) == 19
    if Service.objects.filter(pk=service.pk).exists():
        # The delete came second: it saw the connections and refused.
        assert "is used by" in deletion["outcome"]
        assert refused == []
        assert Connection.objects.count() == 19
    else:
        assert deletion["outcome"] == "deleted"
        assert created == []
        assert Connection.objects.count() == 0
        assert all(_service_gone(error) for error in refused), [e.messages for e in refused]
    for connection in Connection.objects.all():
        _assert_whole(connection)


# --- Third-party endpoints and parameters changing under the creates ---------

ENDPOINT_GONE = "was deleted just now"


@pytest.fixture
def stripe_scene(scene):
    project, components, _ = scene
    stripe = factories.make_third_party_service(project.organization, "Stripe API")
    sandbox = factories.add_endpoint(
        stripe, "Sandbox", "https://sandbox.stripe.test", ["development"]
    )
    factories.add_endpoint(stripe, "Backup", "https://backup.stripe.test", ["development"])
    return project, components, stripe, sandbox


def _hold_first_create_after_the_mapping(monkeypatch, done: threading.Event) -> threading.Event:
    """As _hold_first_create_after_the_check, but past the endpoint checks:
    the first create waits there, its endpoints read, for the other write."""
    past_mapping = threading.Event()
    real_resolve = create_module.resolve_endpoints

    def resolve_then_wait(*args, **kwargs):
        mapping = real_resolve(*args, **kwargs)
        if not past_mapping.is_set():
            past_mapping.set()
            done.wait(PAUSE_SECONDS)
        return mapping

    monkeypatch.setattr(create_module, "resolve_endpoints", resolve_then_wait)
    return past_mapping


def test_it_never_maps_a_connection_to_an_endpoint_deleted_during_the_creates(
    stripe_scene, monkeypatch
):
    project, components, stripe, sandbox = stripe_scene
    development = project.organization.environments.get(handle="development")
    deleted = threading.Event()
    past_mapping = _hold_first_create_after_the_mapping(monkeypatch, deleted)
    deletion = {}

    def create(index: int):
        component = None if index % 4 == 0 else components[index % len(components)]
        return connection_create(
            project=project,
            component=component,
            service=stripe,
            name=f"Stripe {index}",
            endpoints={development.pk: sandbox},
        )

    def delete() -> None:
        past_mapping.wait(10)
        try:
            endpoint_delete(endpoint=Endpoint.objects.get(pk=sandbox.pk))
            deletion["outcome"] = "deleted"
        except ValidationError as error:
            deletion["outcome"] = error.messages[0]
        deleted.set()

    created, refused = _race(12, create, alongside=delete)

    assert len(created) + len(refused) == 12
    if Endpoint.objects.filter(pk=sandbox.pk).exists():
        # The delete came after a create: it saw the mapping and refused.
        assert "cannot be deleted" in deletion["outcome"]
        assert "Stripe" in deletion["outcome"]
    else:
        assert deletion["outcome"] == "deleted"
    assert all(ENDPOINT_GONE in error.message_dict["mapping"][0] for error in refused), [
        error.messages for error in refused
    ]
    mapped = ConnectionBinding.objects.filter(environment=development)
    assert set(mapped.values_list("endpoint_id", flat=True)) <= {sandbox.pk}
    assert mapped.count() == len(created)
    for connection in Connection.objects.all():
        _assert_whole(connection)


def test_it_never_lets_a_new_parameter_and_a_create_give_one_variable_twice(
    stripe_scene, monkeypatch
):
    # "Pay" (Stripe) gaining X_ServiceURL gives CHOREO_PAY_X_SERVICEURL, the
    # variable of the "Pay X" (another service) being created meanwhile.
    project, _, stripe, _ = stripe_scene
    employees = Service.objects.get(kind="internal")
    connection_create(project=project, service=stripe, name="Pay")
    added = threading.Event()
    past_check = threading.Event()
    real_check = create_module.check_name_is_free

    def check_then_wait(**kwargs):
        # Checked first, then held: the name passed against the parameters
        # as they were, and the addition gets its chance in between.
        real_check(**kwargs)
        past_check.set()
        added.wait(PAUSE_SECONDS)

    monkeypatch.setattr(create_module, "check_name_is_free", check_then_wait)
    addition = {}

    def add_parameter() -> None:
        past_check.wait(10)
        try:
            service_parameter_add(service=Service.objects.get(pk=stripe.pk), name="X_ServiceURL")
            addition["outcome"] = "added"
        except ValidationError as error:
            addition["outcome"] = error.messages[0]
        added.set()

    created, refused = _race(
        1,
        lambda index: connection_create(project=project, service=employees, name="Pay X"),
        alongside=add_parameter,
    )

    assert Connection.objects.all().variable_collisions() == []
    if created:
        assert "CHOREO_PAY_X_SERVICEURL" in addition["outcome"]
        assert not stripe.parameters.exists()
    else:
        assert addition["outcome"] == "added"
        assert "CHOREO_PAY_X_SERVICEURL" in refused[0].message_dict["name"][0]
