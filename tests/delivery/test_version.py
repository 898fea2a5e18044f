"""The delivery version (delivery/version.py): every write to what a token
receives moves it, whatever makes the write, so that a conditional pull
answered from it alone is never stale."""

from __future__ import annotations

import re

import pytest
from django.db import connection as db_connection
from django.db import connections
from django.test.utils import CaptureQueriesContext

from connections.services import connection_update
from delivery import version
from delivery.access import token_for_bearer
from delivery.config import configuration_for
from delivery.models import DeliveryVersion, RuntimeToken
from marketplace import triggers
from marketplace.models import Deployment, Endpoint, EndpointParameterValue, Service, Visibility
from tests import factories

from .conftest import CONFIG_URL, bearer


def _version(organization) -> int | None:
    row = DeliveryVersion.objects.filter(organization=organization).first()
    return row.version if row else None


def _tables(queries) -> set[str]:
    found = set()
    for query in queries:
        found |= set(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))
    return found


@pytest.mark.django_db
def test_the_triggers_are_installed():
    assert set(version.trigger_names(db_connection.vendor)) <= triggers.installed(db_connection)


def test_what_a_token_receives_is_read_from_traced_tables_only(delivery_world, issue_token):
    # A table read here and not traced would let a 304 hide a change to it.
    issued = issue_token()
    with CaptureQueriesContext(db_connection) as queries:
        token = token_for_bearer(issued.token)
        configuration_for(token)
    read = _tables(queries)
    assert "connections_connection" in read
    assert read - {"delivery_runtimetoken", "delivery_deliveryversion"} <= set(version.TRACED)


@pytest.mark.parametrize("table", sorted(version.TRACED))
def test_any_update_of_a_traced_table_moves_the_version(organization, delivery_world, table):
    if table == "delivery_componentmanifest":
        from tests.delivery.test_config import _declare

        _declare(delivery_world["sibling"], [])
    before = _version(organization)
    # The plainest write there is, outside every service function: the
    # trigger must see it all the same.
    with db_connection.cursor() as cursor:
        key = "component_id" if table == "delivery_componentmanifest" else "id"
        cursor.execute(
            f"UPDATE {table} SET {key} = {key} WHERE {key} = (SELECT max({key}) FROM {table})"
        )
        assert cursor.rowcount == 1
    assert _version(organization) > before


def test_writes_through_the_product_move_the_version(organization, delivery_world, developer):
    shared = delivery_world["shared"]
    stripe = shared.service
    steps = [
        lambda: connection_update(
            connection=shared, name="Payments Two", description="", actor=developer
        ),
        lambda: factories.add_endpoint(stripe, "Live", "https://live.test", ["production"]),
        lambda: EndpointParameterValue.objects.filter(endpoint__service=stripe).update(
            value="changed"
        ),
        lambda: Endpoint.objects.get(service=stripe, name="Live").delete(),
        lambda: Deployment.objects.filter(service=delivery_world["own"].service).delete(),
        lambda: Service.objects.filter(pk=delivery_world["own"].service.pk).update(
            visibility=Visibility.PROJECT
        ),
        lambda: organization.environments.filter(handle="development").update(name="Dev"),
    ]
    for step in steps:
        before = _version(organization)
        step()
        assert _version(organization) > before, step


def test_another_organizations_writes_leave_it_alone(organization, delivery_world):
    other = factories.make_organization("Globex", "globex")
    before = _version(organization)
    factories.make_project(other, "Other", "other")
    other.environments.update(name="Renamed")
    assert _version(organization) == before


def test_a_conditional_pull_is_answered_from_the_token_and_the_version(
    client, delivery_world, issue_token
):
    issued = issue_token()
    etag = client.get(CONFIG_URL, **bearer(issued.token))["ETag"]

    with CaptureQueriesContext(db_connection) as queries:
        again = client.get(CONFIG_URL, **bearer(issued.token), HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again["ETag"] == etag
    # The token with the version, the rate counter, the token's last use.
    assert "connections_connection" not in _tables(queries)
    assert len([q for q in queries if "SAVEPOINT" not in q["sql"]]) <= 3


@pytest.mark.parametrize(
    "change",
    ["rename", "endpoint-url", "parameter-value", "environment-rename", "undeploy"],
)
def test_after_any_change_the_same_tag_gets_the_new_values(
    client, organization, delivery_world, issue_token, developer, change
):
    issued = issue_token()
    first = client.get(CONFIG_URL, **bearer(issued.token), data={"format": "json"})
    etag = first["ETag"]
    assert (
        client.get(
            CONFIG_URL, **bearer(issued.token), data={"format": "json"}, HTTP_IF_NONE_MATCH=etag
        ).status_code
        == 304
    )

    stripe = delivery_world["shared"].service
    if change == "rename":
        connection_update(
            connection=delivery_world["shared"], name="Billing", description="", actor=developer
        )
    elif change == "endpoint-url":
        Endpoint.objects.filter(service=stripe).update(url="https://moved.stripe.test")
    elif change == "parameter-value":
        EndpointParameterValue.objects.filter(
            endpoint__service=stripe, parameter__name="region"
        ).update(value="us east")
    elif change == "environment-rename":
        organization.environments.filter(handle="development").update(name="Dev")
    else:
        Deployment.objects.filter(service=delivery_world["own"].service).delete()

    answer = client.get(
        CONFIG_URL, **bearer(issued.token), data={"format": "json"}, HTTP_IF_NONE_MATCH=etag
    )
    assert answer.status_code == 200
    assert answer["ETag"] != etag
    assert answer.json() != first.json()


def test_without_a_version_every_pull_resolves_and_still_answers_304(
    client, organization, delivery_world, issue_token
):
    DeliveryVersion.objects.filter(organization=organization).delete()
    issued = issue_token()
    etag = client.get(CONFIG_URL, **bearer(issued.token))["ETag"]
    assert _version(organization) is None

    with CaptureQueriesContext(db_connection) as queries:
        again = client.get(CONFIG_URL, **bearer(issued.token), HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert "connections_connection" in _tables(queries)


def test_a_pull_marks_the_token_used_by_its_trigger(client, delivery_world, issue_token):
    issued = issue_token()
    client.get(CONFIG_URL, **bearer(issued.token), REMOTE_ADDR="203.0.113.7")
    token = RuntimeToken.objects.get(pk=issued.runtime_token.pk)
    pull = token.pulls.get()
    assert token.last_used_at == pull.pulled_at
    assert token.last_used_address == "203.0.113.7"


@pytest.mark.django_db(transaction=True)
def test_migrate_takes_them_off_and_puts_them_back_with_every_version_moved(organization):
    before = _version(organization)
    db = connections["default"]
    version.before_migrate(using="default")
    assert not set(version.trigger_names(db.vendor)) & triggers.installed(db)

    version.after_migrate(using="default")

    assert set(version.trigger_names(db.vendor)) <= triggers.installed(db)
    assert _version(organization) == (before + 1 if before is not None else 2)
