"""Settings → Environments: listed in promotion order, added (anywhere in
that order), edited (the handle fixed), moved, deleted only when nothing
resolves in them; Admins only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.services import connection_create
from console.services.environments import (
    SHOWN_USES,
    environment_create,
    environment_delete,
    environment_move,
)
from delivery.services import runtime_token_create
from marketplace.changes import SHOWN as SHOWN_AFFECTED
from marketplace.models import Visibility
from tests import factories


def _url(name: str, environment: str | None = None, org: str = "acme") -> str:
    kwargs = {"org": org}
    if environment is not None:
        kwargs["environment"] = environment
    return reverse(f"console:{name}", kwargs=kwargs)


def _handles(organization) -> list[str]:
    return list(organization.environments.order_by("order").values_list("handle", flat=True))


def _orders(organization) -> list[int]:
    return list(organization.environments.order_by("order").values_list("order", flat=True))


def _add(client, organization, name="Staging", handle="", after="development", **extra):
    data = {"name": name, "handle": handle, **extra}
    if after is not None:
        data["after"] = organization.environments.get(handle=after).pk
    return client.post(_url("environment-add"), data)


def _errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


# The list


def test_it_lists_the_environments_in_promotion_order(login, org_admin, organization):
    environment_create(organization=organization, name="Staging", after=None)
    environment_move(environment=organization.environments.get(handle="staging"), direction="up")

    response = login(org_admin).get(_url("environments"))

    page = response.content.decode()
    table = page[page.index("<tbody>") :]
    assert response.status_code == 200
    assert table.index("Development") < table.index("Staging") < table.index("Production")
    assert "<code>staging</code>" in page
    assert "+ Add environment" in page


@pytest.mark.parametrize("persona", ["developer", "viewer"])
def test_it_shows_the_settings_to_admins_only(request, login, persona):
    user = request.getfixturevalue(persona)

    assert login(user).get(_url("environments")).status_code == 403


def test_it_hides_the_environments_from_outsiders(login, outsider, organization):
    assert login(outsider).get(_url("environments")).status_code == 404


def test_the_list_costs_the_same_queries_with_many_environments(login, org_admin, organization):
    client = login(org_admin)

    def queries() -> int:
        with CaptureQueriesContext(db_connection) as captured:
            assert client.get(_url("environments")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        environment_create(organization=organization, name=f"Stage {n}")
    assert queries() == few


# Add


def test_it_offers_to_add_after_the_last_environment(login, org_admin, organization):
    response = login(org_admin).get(_url("environment-add"))

    form = response.context["form"]
    assert response.status_code == 200
    assert form["after"].value() == organization.environments.get(handle="production").pk
    assert "After Development" in response.content.decode()
    assert "cannot be changed later" in response.content.decode()


def test_it_adds_staging_between_development_and_production(login, org_admin, organization):
    response = _add(login(org_admin), organization, name="Staging", after="development")

    assert response.status_code == 302
    assert response["Location"] == _url("environments")
    assert _handles(organization) == ["development", "staging", "production"]
    assert _orders(organization) == [1, 2, 3]
    staging = organization.environments.get(handle="staging")
    assert staging.name == "Staging"
    assert not staging.is_production


def test_it_adds_at_the_end_with_the_given_handle_in_lower_case(login, org_admin, organization):
    response = _add(
        login(org_admin), organization, name="DR site", handle="DR-Site", after="production",
        is_production="on",
    )  # fmt: skip

    assert response.status_code == 302
    assert _handles(organization) == ["development", "production", "dr-site"]
    assert organization.environments.get(handle="dr-site").is_production


def test_it_proposes_a_free_handle_when_none_is_given(login, org_admin, organization):
    client = login(org_admin)
    _add(client, organization, name="Pre-production", handle="staging")

    _add(client, organization, name="Staging")

    assert organization.environments.get(name="Staging").handle == "staging-2"


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        ("DEVELOPMENT", "Another environment of this organization has the handle “development”."),
        ("settings", "“settings” is reserved"),
        ("-staging", "Use lower-case letters a to z"),
        ("x" * 51, "A handle has at most 50 characters"),
    ],
)
def test_it_refuses_a_bad_handle_beside_the_field(login, org_admin, organization, handle, message):
    response = _add(login(org_admin), organization, name="Staging", handle=handle)

    assert response.status_code == 200
    assert any(message in error for error in _errors(response, "handle"))
    assert response.context["form"]["name"].value() == "Staging"  # nothing lost
    assert _handles(organization) == ["development", "production"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ｄｅｖｅｌｏｐｍｅｎｔ", "already has an environment named “Development”"),
        ("PRODUCTION", "already has an environment named “Production”"),
        ("Stag\u200bing", "U+200B ZERO WIDTH SPACE is not allowed"),
        ("", "This field is required."),
        ("x" * 61, "at most 60 characters"),
    ],
)
def test_it_refuses_a_bad_name_beside_the_field(login, org_admin, organization, name, message):
    response = _add(login(org_admin), organization, name=name, handle="staging")

    assert response.status_code == 200
    assert any(message in error for error in _errors(response, "name"))
    assert _handles(organization) == ["development", "production"]


def test_it_refuses_a_place_after_an_environment_of_another_organization(
    login, org_admin, organization, other_organization
):
    foreign = other_organization.environments.get(handle="development")

    response = login(org_admin).post(
        _url("environment-add"), {"name": "Staging", "after": foreign.pk}
    )

    assert response.status_code == 200
    assert _errors(response, "after")
    assert _handles(organization) == ["development", "production"]


@pytest.mark.parametrize("persona", ["developer", "viewer"])
def test_it_lets_only_admins_add_an_environment(request, login, organization, persona):
    response = _add(login(request.getfixturevalue(persona)), organization)

    assert response.status_code == 403
    assert _handles(organization) == ["development", "production"]


def failing_hook(*, environment) -> None:
    raise RuntimeError("a higher app failed")


def test_it_adds_nothing_when_a_hook_fails(organization, settings):
    settings.ENVIRONMENT_CREATED_HOOKS = [f"{__name__}.failing_hook"]

    with pytest.raises(RuntimeError):
        environment_create(organization=organization, name="Staging", after=None)

    assert _handles(organization) == ["development", "production"]
    assert _orders(organization) == [1, 2]


def test_it_keeps_orders_unique_wherever_environments_are_added(organization):
    development = organization.environments.get(handle="development")
    for name in ("A", "B", "C"):
        environment_create(organization=organization, name=name, after=development)

    assert _handles(organization) == ["development", "c", "b", "a", "production"]
    assert _orders(organization) == [1, 2, 3, 4, 5]


# Edit


def test_it_shows_the_handle_fixed_on_the_edit_form(login, org_admin, organization):
    response = login(org_admin).get(_url("environment-edit", "development"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Fixed once created" in page
    assert 'value="development"' in page
    assert "disabled" in str(response.context["form"]["handle"])


def test_it_renames_an_environment_and_keeps_its_handle(login, org_admin, organization):
    response = login(org_admin).post(
        _url("environment-edit", "development"),
        {"name": "Dev", "handle": "dev", "is_production": "on"},
    )

    assert response.status_code == 302
    development = organization.environments.get(handle="development")
    assert development.name == "Dev"
    assert development.is_production


def test_it_refuses_a_name_another_environment_has(login, org_admin, organization):
    response = login(org_admin).post(
        _url("environment-edit", "development"), {"name": "production"}
    )

    assert response.status_code == 200
    assert _errors(response, "name") == [
        "This organization already has an environment named “Production”."
    ]
    assert organization.environments.get(handle="development").name == "Development"


def test_it_keeps_a_name_that_changes_only_its_case(login, org_admin, organization):
    response = login(org_admin).post(
        _url("environment-edit", "development"), {"name": "DEVELOPMENT"}
    )

    assert response.status_code == 302
    assert organization.environments.get(handle="development").name == "DEVELOPMENT"


@pytest.mark.parametrize("persona", ["developer", "viewer"])
def test_it_lets_only_admins_edit_an_environment(request, login, organization, persona):
    client = login(request.getfixturevalue(persona))

    response = client.post(_url("environment-edit", "development"), {"name": "Dev"})

    assert response.status_code == 403
    assert organization.environments.get(handle="development").name == "Development"


def test_an_unknown_environment_is_404(login, org_admin, other_organization):
    environment_create(organization=other_organization, name="Globex Only")
    client = login(org_admin)

    for name in ("environment-edit", "environment-delete"):
        assert client.get(_url(name, "globex-only")).status_code == 404
    assert (
        client.post(_url("environment-move", "globex-only"), {"direction": "up"}).status_code == 404
    )


# Move


def test_it_moves_an_environment_up_and_down(login, org_admin, organization):
    client = login(org_admin)
    environment_create(organization=organization, name="Staging")

    response = client.post(_url("environment-move", "staging"), {"direction": "up"})

    assert response.status_code == 302
    assert _handles(organization) == ["development", "staging", "production"]
    client.post(_url("environment-move", "development"), {"direction": "down"})
    assert _handles(organization) == ["staging", "development", "production"]
    assert _orders(organization) == [1, 2, 3]


def test_it_says_when_an_environment_cannot_move_further(login, org_admin, organization):
    response = login(org_admin).post(
        _url("environment-move", "development"), {"direction": "up"}, follow=True
    )

    assert "Development is already first." in response.content.decode()
    assert _handles(organization) == ["development", "production"]


def test_it_answers_a_move_without_a_direction_with_400(login, org_admin, organization):
    response = login(org_admin).post(_url("environment-move", "development"), {"direction": "x"})

    assert response.status_code == 400
    assert _handles(organization) == ["development", "production"]


@pytest.mark.parametrize("persona", ["developer", "viewer"])
def test_it_lets_only_admins_move_an_environment(request, login, organization, persona):
    client = login(request.getfixturevalue(persona))

    response = client.post(_url("environment-move", "development"), {"direction": "down"})

    assert response.status_code == 403
    assert _handles(organization) == ["development", "production"]


# Delete


def test_it_deletes_an_environment_in_which_nothing_resolves(
    login, org_admin, organization, project
):
    # A connection to an internal service not deployed in Staging: its
    # binding there holds credentials with nothing to call.
    provider = factories.make_component(project, "Employee Service")
    service = factories.make_internal_service(provider, "employees", Visibility.ORGANIZATION)
    connection = connection_create(project=project, service=service, name="Employees")
    environment_create(organization=organization, name="Staging")
    client = login(org_admin)

    confirm = client.get(_url("environment-delete", "staging"))
    response = client.post(_url("environment-delete", "staging"))

    assert "Delete the environment Staging?" in confirm.content.decode()
    assert response.status_code == 302
    assert _handles(organization) == ["development", "production"]
    assert connection.bindings.count() == 2


def test_it_lists_the_connections_that_resolve_in_an_environment_and_keeps_it(
    login, org_admin, organization, project, component
):
    stripe = factories.make_third_party_service(organization, "Stripe API")
    factories.add_endpoint(stripe, "Sandbox", "https://sandbox.stripe.test", ["development"])
    connection_create(project=project, component=component, service=stripe, name="Payments")
    client = login(org_admin)

    confirm = client.get(_url("environment-delete", "development"))
    response = client.post(_url("environment-delete", "development"))

    page = confirm.content.decode()
    assert "The environment Development cannot be deleted" in page
    # Listed as every change that reaches consumers lists them, with no count to type.
    assert "1 connection</strong> would be affected by this change" in page
    assert "(deleting the environment Development)" in page
    assert "component connection of Checkout API, Payments)</span>: Development" in page
    assert "Payments</a>" in page
    assert "confirm_affected" not in page
    assert "Stripe API v1: Sandbox" in page  # the endpoint that serves it
    assert response.status_code == 409
    assert _handles(organization) == ["development", "production"]


def test_it_lists_deployments_and_runtime_tokens_that_keep_an_environment(
    login, org_admin, organization, project, component
):
    factories.make_internal_service(component, "orders")
    runtime_token_create(
        project=project,
        component=component,
        environment=organization.environments.get(handle="production"),
        name="Deploy pipeline",
        expires_at=None,
        actor=None,
    )

    response = login(org_admin).post(_url("environment-delete", "production"))

    page = response.content.decode()
    assert response.status_code == 409
    assert "1 service is deployed in it" in page
    assert "Orders v1" in page and "published by Checkout API, Payments" in page
    assert "1 runtime token was made for it" in page
    assert "Deploy pipeline" in page


def test_it_lists_the_first_uses_and_counts_the_rest(login, org_admin, organization, project):
    stripe = factories.make_third_party_service(organization, "Stripe API")
    factories.add_endpoint(stripe, "Sandbox", "https://sandbox.stripe.test", ["development"])
    for n in range(SHOWN_AFFECTED + 2):
        connection_create(project=project, service=stripe, name=f"Stripe {n:02d}")
    endpoints = [
        factories.add_endpoint(stripe, f"Extra {n:02d}", "https://x.stripe.test", ["development"])
        for n in range(SHOWN_USES + 1)
    ]

    page = login(org_admin).get(_url("environment-delete", "development")).content.decode()

    assert f"{SHOWN_AFFECTED + 2} connections</strong> would be affected" in page
    assert f"Stripe {SHOWN_AFFECTED - 1:02d}</a>" in page
    assert f"Stripe {SHOWN_AFFECTED:02d}</a>" not in page
    assert "and 2 more" in page
    assert f"{len(endpoints) + 1} third-party endpoints serve it" in page
    assert "and 2 more" in page.split("third-party endpoints serve it")[1]


def test_it_never_deletes_the_last_environment(login, org_admin, organization):
    client = login(org_admin)
    assert client.post(_url("environment-delete", "production")).status_code == 302

    response = client.post(_url("environment-delete", "development"))

    assert response.status_code == 409
    assert "It is the only environment of Acme Corp" in response.content.decode()
    assert _handles(organization) == ["development"]
    with pytest.raises(ValidationError):
        environment_delete(environment=organization.environments.get())


@pytest.mark.parametrize("persona", ["developer", "viewer"])
def test_it_lets_only_admins_delete_an_environment(request, login, organization, persona):
    client = login(request.getfixturevalue(persona))

    assert client.get(_url("environment-delete", "production")).status_code == 403
    assert client.post(_url("environment-delete", "production")).status_code == 403
    assert _handles(organization) == ["development", "production"]
