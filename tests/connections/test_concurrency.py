"""Concurrent creates of the same connection name: one row, clear errors.

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

from connections.models import Connection
from connections.services import connection_create
from marketplace.models import Visibility
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        default_connection.vendor != "postgresql",
        reason="needs a database that serves concurrent connections (PostgreSQL)",
    ),
]


def _race(workers: int, create) -> tuple[list, list]:
    barrier = threading.Barrier(workers)
    created, refused, lock = [], [], threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait()
            result = create(index)
            with lock:
                created.append(result)
        except ValidationError as error:
            with lock:
                refused.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
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
