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

from connections.models import Connection, EventAction
from connections.services import connection_create
from connections.services import create as create_module
from marketplace.models import Service, Visibility
from marketplace.services import service_delete, service_set_listed
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
    assert connection.events.filter(action=EventAction.CREATED).count() == 1


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
