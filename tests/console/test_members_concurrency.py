"""Two Admins demoting or removing each other at the same moment: the
organization's row lock makes one wait for the other, so exactly one change
is made, the other is refused as "the last Admin", and one Admin is left.

Real threads with their own database connections, so it runs where the
database serves several connections at once: PostgreSQL (in CI).
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as default_connection
from django.db import connections

from console.models import Membership, Role
from console.services.members import member_remove, member_role_change
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        default_connection.vendor != "postgresql",
        reason="needs a database that serves concurrent connections (PostgreSQL)",
    ),
]

ROUNDS = 5


def _at_once(*writes) -> tuple[int, list[ValidationError]]:
    """Run each write in its own thread, released together. Returns how many
    were made and the ValidationErrors of the others; any other exception
    fails the test."""
    barrier = threading.Barrier(len(writes))
    made, refused, unexpected, lock = [], [], [], threading.Lock()

    def run(write) -> None:
        try:
            barrier.wait()
            write()
            with lock:
                made.append(write)
        except ValidationError as error:
            with lock:
                refused.append(error)
        except Exception as error:
            with lock:
                unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(write,)) for write in writes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert unexpected == [], unexpected
    return len(made), refused


@pytest.fixture
def two_admins(organization):
    first, second = factories.make_user("ada"), factories.make_user("bob")
    return (
        factories.add_member(first, organization, Role.ADMIN),
        factories.add_member(second, organization, Role.ADMIN),
    )


def _admins(organization) -> list[str]:
    return list(
        Membership.objects.filter(organization=organization, role=Role.ADMIN).values_list(
            "user__username", flat=True
        )
    )


@pytest.mark.parametrize("round", range(ROUNDS))
def test_two_admins_demoting_each_other_leave_one_admin(organization, two_admins, round):
    ada, bob = two_admins
    made, refused = _at_once(
        lambda: member_role_change(membership=ada, role=Role.DEVELOPER),
        lambda: member_role_change(membership=bob, role=Role.VIEWER),
    )
    assert made == 1
    assert len(refused) == 1
    assert "is the last Admin of Acme Corp" in refused[0].message_dict["role"][0]
    assert len(_admins(organization)) == 1


@pytest.mark.parametrize("round", range(ROUNDS))
def test_two_admins_removing_each_other_leave_one_admin(organization, two_admins, round):
    ada, bob = two_admins
    made, refused = _at_once(
        lambda: member_remove(membership=ada), lambda: member_remove(membership=bob)
    )
    assert made == 1
    assert "is the last Admin of Acme Corp" in refused[0].messages[0]
    assert len(_admins(organization)) == 1
    assert Membership.objects.filter(organization=organization).count() == 1


def test_an_admin_stepping_down_while_the_other_leaves_keeps_one(organization, two_admins):
    ada, bob = two_admins
    made, refused = _at_once(
        lambda: member_role_change(membership=ada, role=Role.VIEWER),
        lambda: member_remove(membership=bob),
    )
    assert (made, len(refused)) == (1, 1)
    assert len(_admins(organization)) == 1
