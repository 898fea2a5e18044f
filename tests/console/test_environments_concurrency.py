"""Concurrent changes to an organization's environments: two Admins adding
the same handle get one environment and one form error; environments added
at once keep unique orders; connections made while an environment is added
are bound to it all the same.

Real threads with their own database connections, so it runs where the
database serves several connections at once: PostgreSQL (in CI). SQLite's
test database is a single in-memory connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection as default_connection
from django.db import connections
from django.test import Client
from django.urls import reverse

from connections.models import Connection, ConnectionBinding
from connections.services import connection_create
from console.models import Role
from console.services.environments import environment_create
from marketplace.models import Visibility
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        default_connection.vendor != "postgresql",
        reason="needs a database that serves concurrent connections (PostgreSQL)",
    ),
]


def _race(works: list[Callable[[], object]]) -> list[object]:
    """Run each of ``works`` in its own thread, released at once; their
    results. Any exception, in any thread, fails the test."""
    barrier = threading.Barrier(len(works))
    results, unexpected, lock = [], [], threading.Lock()

    def run(work) -> None:
        try:
            barrier.wait()
            result = work()
            with lock:
                results.append(result)
        except Exception as error:
            with lock:
                unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert unexpected == [], unexpected
    return results


def test_two_admins_adding_the_same_handle_get_one_environment_and_one_form_error(
    organization, org_admin
):
    second_admin = factories.make_user("amira")
    factories.add_member(second_admin, organization, Role.ADMIN)
    after = organization.environments.get(handle="development").pk
    url = reverse("console:environment-add", kwargs={"org": organization.handle})

    def add(user, name: str):
        client = Client()
        client.force_login(user)
        return lambda: client.post(url, {"name": name, "handle": "staging", "after": after})

    responses = _race([add(org_admin, "Staging"), add(second_admin, "Staging EU")])

    assert sorted(response.status_code for response in responses) == [200, 302]
    (refused,) = [response for response in responses if response.status_code == 200]
    assert refused.context["form"].errors["handle"] == [
        "Another environment of this organization has the handle “staging”."
    ]
    assert organization.environments.filter(handle="staging").count() == 1
    assert list(organization.environments.order_by("order").values_list("order", flat=True)) == [
        1,
        2,
        3,
    ]


def test_environments_added_at_once_keep_unique_orders(organization):
    development = organization.environments.get(handle="development")

    _race(
        [
            lambda n=n: environment_create(
                organization=organization, name=f"Stage {n}", after=development
            )
            for n in range(8)
        ]
    )

    handles = list(organization.environments.order_by("order").values_list("handle", flat=True))
    assert handles[0] == "development" and handles[-1] == "production"
    assert sorted(handles[1:-1]) == [f"stage-{n}" for n in range(8)]
    orders = list(organization.environments.order_by("order").values_list("order", flat=True))
    assert orders == list(range(1, 11))


def test_connections_made_while_an_environment_is_added_are_bound_to_it(organization, project):
    components = [factories.make_component(project, f"Component {n}") for n in range(8)]
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service")
    service = factories.make_internal_service(provider, "employees", Visibility.ORGANIZATION)

    def create(n: int):
        return lambda: connection_create(
            project=project, component=components[n], service=service, name=f"Employees {n}"
        )

    _race(
        [
            *(create(n) for n in range(8)),
            lambda: environment_create(organization=organization, name="Staging"),
        ]
    )

    assert Connection.objects.count() == 8
    environments = organization.environments.count()
    assert environments == 3
    for connection in Connection.objects.all():
        assert connection.bindings.count() == environments, connection.name
    assert ConnectionBinding.objects.filter(environment__handle="staging").count() == 8
