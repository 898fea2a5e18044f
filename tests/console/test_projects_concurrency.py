"""Concurrent writes of projects, components and organizations: one row per
handle and a form error for the others; a delete racing a write that would
make it wrong leaves a consistent state.

Real threads with their own database connections, so it runs where the
database serves several connections at once: PostgreSQL (in CI). SQLite's
test database is a single in-memory connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as default_connection
from django.db import connections

from connections.models import Connection
from connections.services import connection_create
from console.models import Component, Organization, Project
from console.services import projects as services
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        default_connection.vendor != "postgresql",
        reason="needs a database that serves concurrent connections (PostgreSQL)",
    ),
]


def _race(*works: Callable[[], object]) -> tuple[list, list[ValidationError]]:
    """Run each of ``works`` in a thread of its own, released at once.
    Returns their results and ValidationErrors; anything else fails the test."""
    barrier = threading.Barrier(len(works))
    done, refused, unexpected, lock = [], [], [], threading.Lock()

    def run(work: Callable[[], object]) -> None:
        try:
            barrier.wait()
            result = work()
            with lock:
                done.append(result)
        except ValidationError as error:
            with lock:
                refused.append(error)
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
    assert not unexpected, unexpected
    return done, refused


def test_two_admins_creating_the_same_project_handle_get_one_project(organization):
    done, refused = _race(
        lambda: services.project_create(
            organization=organization, name="Billing", handle="billing"
        ),
        lambda: services.project_create(
            organization=organization, name="Invoices", handle="BILLING"
        ),
    )

    assert len(done) == 1 and len(refused) == 1
    assert "handle" in refused[0].message_dict
    assert Project.objects.filter(handle__iexact="billing").count() == 1


def test_two_proposed_handles_from_one_name_are_both_free(organization):
    done, refused = _race(
        lambda: services.project_create(organization=organization, name="Billing EU"),
        lambda: services.project_create(organization=organization, name="Billing-EU"),
    )

    # The names differ; the second proposal, made under the lock, skips the first.
    assert refused == []
    assert sorted(p.handle for p in done) == ["billing-eu", "billing-eu-2"]


def test_two_users_creating_the_same_organization_handle_get_one(db):
    alice, bob = factories.make_user("alice"), factories.make_user("bob")

    done, refused = _race(
        lambda: services.organization_start(name="Initech", handle="initech", admin=alice),
        lambda: services.organization_start(name="Initech", handle="initech", admin=bob),
    )

    assert len(done) == 1 and len(refused) == 1
    assert "is taken" in refused[0].message_dict["handle"][0]
    organization = Organization.objects.get(handle="initech")
    assert organization.environments.count() == 2
    assert organization.memberships.count() == 1


def test_a_component_made_while_its_project_is_deleted_is_refused_or_blocks(project):
    done, refused = _race(
        lambda: services.project_delete(project=project),
        lambda: services.component_create(project=project, name="Late", type="service"),
    )

    assert len(done) == 1 and len(refused) == 1
    # Either the project went first and the component was refused, or the
    # component came first and the delete was.
    if Project.objects.filter(pk=project.pk).exists():
        assert Component.objects.filter(project=project, name="Late").exists()
    else:
        assert not Component.objects.filter(name="Late").exists()


def test_a_connection_made_while_its_provider_is_deleted_is_refused_or_blocks(
    organization, component
):
    published = factories.make_internal_service(component, "payments")
    consumer = factories.make_project(organization, "Storefront", "storefront")

    done, refused = _race(
        lambda: services.component_delete(component=component),
        lambda: connection_create(project=consumer, service=published, name="Pay"),
    )

    assert len(done) == 1 and len(refused) == 1
    if Component.objects.filter(pk=component.pk).exists():
        assert Connection.objects.filter(service_id=published.pk).exists()
    else:
        assert not Connection.objects.filter(project=consumer).exists()
