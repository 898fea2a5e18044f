"""Every write against every role: who may make it, and that a refused write
changes nothing at all.

Third-party services are the Admins' (Developers and Viewers 403);
connections and a component's published endpoints are the Admins' and the
Developers' (Viewers 403). Members of another organization get a 404, and
anonymous visitors are sent to the login page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from tests import factories
from tests.world import World, database_state

PERSONAS = ("admin", "developer", "viewer", "outsider", "anonymous")


@dataclass(frozen=True)
class Write:
    url: Callable[[World], str]
    data: Callable[[World], dict]
    allowed: tuple[str, ...]
    status: int  # the answer to a persona that may write


def _scoped(name: str, component: bool = False, **ids) -> Callable[[World], str]:
    def url(world: World) -> str:
        a = world.a
        kwargs = {"org": a.organization.handle, "project": a.project.handle}
        if component:
            kwargs["component"] = a.component.handle
        kwargs.update({key: getter(world) for key, getter in ids.items()})
        return reverse(name, kwargs=kwargs)

    return url


def _org(name: str, **ids) -> Callable[[World], str]:
    def url(world: World) -> str:
        kwargs = {"org": world.a.organization.handle}
        kwargs.update({key: getter(world) for key, getter in ids.items()})
        return reverse(name, kwargs=kwargs)

    return url


def _mapping(world: World) -> dict:
    endpoints = {e.name: e.pk for e in world.a.third_party.endpoints.all()}
    return {"endpoint_development": endpoints["Sandbox"], "endpoint_production": endpoints["Live"]}


def _connection_create(world: World) -> dict:
    return {
        "name": "Fraud Check",
        "description": "Scores each payment.",
        "request_token": str(uuid.uuid4()),
        "action": "create",
        **_mapping(world),
    }


def _connection_edit(world: World) -> dict:
    return {"name": "Stripe Renamed", "description": "Changed.", **_mapping(world)}


def _service_details(**overrides) -> dict:
    data = {
        "version": "1.1.0",
        "service_type": "rest",
        "security": "none",
        "summary": "Payments.",
        "overview": "",
        "labels": "payments",
    }
    data.update(overrides)
    return data


def _register(world: World) -> dict:
    return {
        **_service_details(version="2.0.0"),
        "name": "Mapbox",
        "registered_for": "",
        "parameters-TOTAL_FORMS": "1",
        "parameters-INITIAL_FORMS": "0",
        "parameters-0-name": "accessToken",
        "parameters-0-is_secret": "on",
    }


def _endpoint(world: World, name: str) -> dict:
    development = world.a.organization.environments.get(handle="development")
    data = {"name": name, "url": "https://staging.stripe.test/v1", "environments": [development.pk]}
    for parameter in world.a.third_party.parameters.all():
        data[f"parameter_{parameter.pk}"] = f"new-{parameter.name}"
    return data


def _publish(**overrides) -> dict:
    data = {
        "endpoint_name": "Refunds",
        "handle": "refunds",
        "service_type": "rest",
        "visibility": "organization",
        "version": "1.0.0",
        "security": "none",
        "summary": "Refund a payment.",
        "overview": "",
        "labels": "",
        "url_development": "http://checkout-api.dev.internal:8080/refunds",
        "url_production": "",
    }
    data.update(overrides)
    return data


WRITERS = ("admin", "developer")
ADMINS = ("admin",)

CONNECTION_ID = {"connection_id": lambda w: w.a.project_connection.public_id}
COMPONENT_CONNECTION_ID = {"connection_id": lambda w: w.a.component_connection.public_id}
STRIPE = {"service_id": lambda w: w.a.third_party.pk}
SANDBOX = {**STRIPE, "endpoint_id": lambda w: w.a.endpoint.pk}


def _spare_endpoint(world: World) -> int:
    # An endpoint no connection is mapped to: one that is mapped to cannot be
    # deleted by anyone (tests/marketplace/third_party/).
    return factories.add_endpoint(
        world.a.third_party, "Spare", "https://spare.stripe.test/v1", []
    ).pk


SPARE_ENDPOINT = {**STRIPE, "endpoint_id": _spare_endpoint}
SECRET_PARAMETER = {**STRIPE, "parameter_id": lambda w: w.a.parameter.pk}
OWN_SERVICE = {"service_id": lambda w: w.a.own_service.pk}


def _environment(world: World) -> int:
    return world.a.organization.environments.get(handle="development").pk


def _token_form(world: World) -> dict:
    return {"name": "Deploy pipeline", "environment": _environment(world), "expiry": "30"}


def _token_id(at_component: bool) -> Callable[[World], str]:
    def token_id(world: World) -> str:
        from delivery.services import runtime_token_create

        return str(
            runtime_token_create(
                project=world.a.project,
                component=world.a.component if at_component else None,
                environment=world.a.organization.environments.first(),
                name="Roles probe",
                expires_at=None,
                actor=None,
            ).runtime_token.public_id
        )

    return token_id


def _component_yaml(world: World) -> dict:
    stripe = world.a.project_connection
    return {
        "text": 'schemaVersion: "1.2"\ndependencies:\n  connectionReferences:\n'
        f"    - name: {stripe.name}\n      resourceRef: {stripe.service.resource_reference}\n"
    }


def _saved_component_yaml(world: World) -> dict:
    from delivery.models import ComponentManifest

    ComponentManifest.objects.update_or_create(
        component=world.a.component, defaults={"text": 'schemaVersion: "1.2"\n'}
    )
    return {}


def _viewer_membership(world: World) -> int:
    return world.personas["viewer"].memberships.get().pk


def _newcomer(world: World) -> dict:
    # An account of the installation, member of no organization yet.
    return {"user": factories.make_user().username, "role": "developer"}


def _local_account(world: World) -> dict:
    return {"name": "Nina Novak", "username": "nina", "email": "nina@acme.test", "role": "viewer"}


def _environment_add(world: World) -> dict:
    development = world.a.organization.environments.get(handle="development")
    return {"name": "Staging", "handle": "", "after": development.pk}


def _deletable_environment(world: World) -> str:
    # Nothing resolves in a new environment: every connection is bound to
    # it, but none to an endpoint, and no service is deployed there.
    from console.services.environments import environment_create

    return environment_create(organization=world.a.organization, name="Staging").handle


DEVELOPMENT = {"environment": lambda w: "development"}


def _empty_project(world: World) -> str:
    # A project holding something cannot be deleted by anyone (tests/console/).
    return factories.make_project(world.a.organization, "Sandbox", "sandbox").handle


WRITES: dict[str, Write] = {
    "component.yaml save": Write(
        _scoped("delivery:component-yaml", component=True), _component_yaml, WRITERS, 302
    ),
    "component.yaml remove": Write(
        _scoped("delivery:component-yaml-remove", component=True),
        _saved_component_yaml,
        WRITERS,
        302,
    ),
    # The answer to a create is the page that shows the new token once.
    "runtime token create": Write(
        _scoped("delivery:token-create", component=True), _token_form, WRITERS, 200
    ),
    "project runtime token create": Write(
        _scoped("delivery:token-create"), _token_form, WRITERS, 200
    ),
    "runtime token revoke": Write(
        _scoped("delivery:token-revoke", component=True, token_id=_token_id(True)),
        lambda w: {},
        WRITERS,
        302,
    ),
    "project runtime token revoke": Write(
        _scoped("delivery:token-revoke", token_id=_token_id(False)), lambda w: {}, WRITERS, 302
    ),
    "connection create": Write(
        _scoped("connections:create-form", **STRIPE), _connection_create, WRITERS, 302
    ),
    "component connection create": Write(
        _scoped("connections:create-form", component=True, **STRIPE),
        _connection_create,
        WRITERS,
        302,
    ),
    "connection edit": Write(
        _scoped("connections:edit", **CONNECTION_ID), _connection_edit, WRITERS, 302
    ),
    "connection delete": Write(
        _scoped("connections:delete", **CONNECTION_ID), lambda w: {}, WRITERS, 302
    ),
    "component connection delete": Write(
        _scoped("connections:delete", component=True, **COMPONENT_CONNECTION_ID),
        lambda w: {},
        WRITERS,
        302,
    ),
    # A reveal writes too: it is recorded in the connection's history.
    "connection reveal": Write(
        _scoped("connections:reveal", **CONNECTION_ID),
        lambda w: {"environment": "development", "key": "webhookSigningSecret"},
        WRITERS,
        200,
    ),
    "third-party register": Write(_org("marketplace:third-party-register"), _register, ADMINS, 302),
    "third-party register at project level": Write(
        _scoped("marketplace:third-party-register"), _register, ADMINS, 302
    ),
    "third-party edit": Write(
        _org("marketplace:third-party-edit", **STRIPE),
        lambda w: {**_service_details(), "name": "Stripe Payments"},
        ADMINS,
        302,
    ),
    "third-party listing": Write(
        _org("marketplace:third-party-listing", **STRIPE),
        lambda w: {"listed": "0", "confirmed": "1"},
        ADMINS,
        302,
    ),
    "service deprecate": Write(
        _org("marketplace:service-deprecation", **STRIPE),
        lambda w: {"sunset_on": "2031-06-30", "message": "Move to v2."},
        ADMINS,
        302,
    ),
    "third-party delete": Write(
        _org("marketplace:third-party-delete", service_id=lambda w: w.a.unused_third_party.pk),
        lambda w: {},
        ADMINS,
        302,
    ),
    "third-party endpoint add": Write(
        _org("marketplace:third-party-endpoint-add", **STRIPE),
        lambda w: _endpoint(w, "Staging"),
        ADMINS,
        302,
    ),
    "third-party endpoint edit": Write(
        _org("marketplace:third-party-endpoint-edit", **SANDBOX),
        lambda w: _endpoint(w, "Sandbox EU"),
        ADMINS,
        302,
    ),
    "third-party endpoint delete": Write(
        _org("marketplace:third-party-endpoint-delete", **SPARE_ENDPOINT),
        lambda w: {},
        ADMINS,
        302,
    ),
    "third-party parameter add": Write(
        _org("marketplace:third-party-parameter-add", **STRIPE),
        lambda w: {"name": "apiVersion"},
        ADMINS,
        302,
    ),
    # Deleting a parameter changes the keys of every connection to the
    # service: the Admin types their number to confirm (marketplace/changes.py).
    "third-party parameter delete": Write(
        _org("marketplace:third-party-parameter-delete", **SECRET_PARAMETER),
        lambda w: {"confirm_affected": str(w.a.third_party.connections.count())},
        ADMINS,
        302,
    ),
    "member add": Write(_org("console:member-add"), _newcomer, ADMINS, 302),
    "member role change": Write(
        _org("console:member-role", membership_id=_viewer_membership),
        lambda w: {"role": "developer"},
        ADMINS,
        302,
    ),
    "member remove": Write(
        _org("console:member-remove", membership_id=_viewer_membership),
        lambda w: {},
        ADMINS,
        302,
    ),
    # The answer is the page that shows the one-time password once.
    "local account create": Write(
        _org("console:member-create-account"), _local_account, ADMINS, 200
    ),
    "environment add": Write(_org("console:environment-add"), _environment_add, ADMINS, 302),
    "environment edit": Write(
        _org("console:environment-edit", **DEVELOPMENT),
        lambda w: {"name": "Dev", "is_production": "on"},
        ADMINS,
        302,
    ),
    "environment move": Write(
        _org("console:environment-move", **DEVELOPMENT),
        lambda w: {"direction": "down"},
        ADMINS,
        302,
    ),
    "environment delete": Write(
        _org("console:environment-delete", environment=_deletable_environment),
        lambda w: {},
        ADMINS,
        302,
    ),
    "project create": Write(
        _org("console:project-create"), lambda w: {"name": "Billing", "handle": ""}, ADMINS, 302
    ),
    "project edit": Write(
        _scoped("console:project-edit"),
        lambda w: {"name": "Payments EU", "description": "Cards."},
        ADMINS,
        302,
    ),
    "project delete": Write(
        _org("console:project-delete", project=_empty_project), lambda w: {}, ADMINS, 302
    ),
    "component create": Write(
        _scoped("console:component-create"),
        lambda w: {"name": "Fraud Scorer", "handle": "", "type": "service"},
        WRITERS,
        302,
    ),
    "component edit": Write(
        _scoped("console:component-edit", component=True),
        lambda w: {"name": "Checkout", "type": "web-application", "description": ""},
        WRITERS,
        302,
    ),
    # Checkout API's own connection and runtime tokens go with it.
    "component delete": Write(
        _scoped("console:component-delete", component=True), lambda w: {}, WRITERS, 302
    ),
    "component endpoint add": Write(
        _scoped("marketplace:component-endpoint-add", component=True),
        lambda w: _publish(),
        WRITERS,
        302,
    ),
    "component endpoint edit": Write(
        _scoped("marketplace:component-endpoint-edit", component=True, **OWN_SERVICE),
        lambda w: _publish(endpoint_name="Api", handle="api", version="1.1.0"),
        WRITERS,
        302,
    ),
    "component endpoint remove": Write(
        _scoped("marketplace:component-endpoint-remove", component=True, **OWN_SERVICE),
        lambda w: {},
        WRITERS,
        302,
    ),
    "component endpoint listing": Write(
        _scoped("marketplace:component-endpoint-listing", component=True, **OWN_SERVICE),
        lambda w: {"listed": "0", "confirmed": "1"},
        WRITERS,
        302,
    ),
}


def _expected_refusal(persona: str) -> int:
    return {"viewer": 403, "developer": 403, "outsider": 404, "anonymous": 302}[persona]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_it_lets_each_role_make_only_the_writes_it_may(world, client, write, persona):
    rule = WRITES[write]
    user = world.personas[persona]
    if user is not None:
        client.force_login(user)
    url, data = rule.url(world), rule.data(world)
    before = database_state()

    response = client.post(url, data)

    if persona in rule.allowed:
        assert response.status_code == rule.status, (write, persona, response.status_code)
        # The data is valid: an allowed write really writes (a form error
        # would also be a 200 and change nothing).
        assert database_state() != before, f"{write} by {persona} changed nothing"
    else:
        assert response.status_code == _expected_refusal(persona), (write, persona)
        if persona == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        assert database_state() == before, f"a refused {write} by {persona} changed data"
