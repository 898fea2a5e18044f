"""A small but complete world for the tests that go over every URL and every
role: organization A (Acme Corp) with something behind every kind of id a
URL can carry, and organization B (Globex) with its own equivalents.

B's names are deliberately distinctive (``LEAK_MARKERS``) so that a page of
A showing any of them is a cross-tenant leak, not a coincidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps

from connections.models import Connection
from connections.services import connection_create
from console.models import ComponentType, Organization, Role
from marketplace.models import Security, Service, Visibility
from tests import factories

# Anything of organization B that must never appear on a page of A.
LEAK_MARKERS = (
    "Globex",
    "secret-plans",
    "Secret Plans",
    "Doomsday Device",
    "doomsday-device",
    "Zeta Ray",
    "Scorpio Lasers",
    "Volcano Lair",
    "hammock-district",
    "cypress-creek.test",
    "hammockKey",
)

# The tables a write may touch. A refused write must leave every row of
# every one of them exactly as it was.
WATCHED_MODELS = (
    "console.Organization",
    "console.Project",
    "console.Component",
    "console.Membership",
    "console.Environment",
    "console.ActivityEvent",
    "marketplace.Service",
    "marketplace.Deployment",
    "marketplace.Endpoint",
    "marketplace.ServiceParameter",
    "marketplace.EndpointParameterValue",
    "marketplace.Tag",
    "connections.Connection",
    "connections.ConnectionBinding",
    "delivery.RuntimeToken",
    "delivery.ConfigPull",
    "delivery.ComponentManifest",
)


@dataclass
class Tenant:
    organization: Organization
    project: object
    component: object
    # The component's own published endpoint (component-endpoint-* URLs).
    own_service: Service
    # An internal service of another project that the component can connect to.
    internal_service: Service
    third_party: Service
    # A third-party service no connection uses: it can be deleted.
    unused_third_party: Service
    endpoint: object
    parameter: object
    project_connection: Connection
    component_connection: Connection
    extra: dict = field(default_factory=dict)

    def url_kwargs(self) -> dict[str, object]:
        """Every URL kwarg name a pattern of the project can take, filled
        with an object of this tenant."""
        return {
            "org": self.organization.handle,
            "project": self.project.handle,
            "component": self.component.handle,
            "service_id": self.third_party.pk,
            "connection_id": self.project_connection.public_id,
            "endpoint_id": self.endpoint.pk,
            "parameter_id": self.parameter.pk,
        }


@dataclass
class World:
    a: Tenant
    b: Tenant
    personas: dict[str, object]


def build_tenant(organization: Organization, names: dict[str, str], creator) -> Tenant:
    project = factories.make_project(organization, names["project"], names["project_handle"])
    component = factories.make_component(project, names["component"], names["component_handle"])
    factories.make_component(
        project, names["web"], names["web_handle"], type=ComponentType.WEB_APPLICATION
    )
    other_project = factories.make_project(organization, names["other_project"])
    provider = factories.make_component(other_project, names["provider"])
    own_service = factories.make_internal_service(component, names["own_endpoint"])
    internal_service = factories.make_internal_service(
        provider, names["endpoint"], Visibility.ORGANIZATION, security=Security.OAUTH2
    )
    third_party = factories.make_third_party_service(
        organization,
        names["third_party"],
        parameters=((names["secret_parameter"], True), ("region", False)),
        api_definition=f"openapi: 3.0.3\ninfo:\n  title: {names['third_party']}\npaths: {{}}\n",
    )
    third_party.tags.add(
        apps.get_model("marketplace", "Tag").objects.create(
            organization=organization, name=names["tag"]
        )
    )
    endpoint = factories.add_endpoint(
        third_party,
        "Sandbox",
        f"https://sandbox.{names['domain']}/v1",
        ["development"],
        **{names["secret_parameter"]: "plaintext-secret-value", "region": "eu"},
    )
    factories.add_endpoint(
        third_party, "Live", f"https://live.{names['domain']}/v1", ["production"]
    )
    unused = factories.make_third_party_service(organization, names["unused_third_party"])
    project_connection = connection_create(
        project=project,
        service=third_party,
        name=names["project_connection"],
        description="Card payments",
        created_by=creator,
    )
    component_connection = connection_create(
        project=project,
        component=component,
        service=internal_service,
        name=names["component_connection"],
        created_by=creator,
    )
    return Tenant(
        organization=organization,
        project=project,
        component=component,
        own_service=own_service,
        internal_service=internal_service,
        third_party=third_party,
        unused_third_party=unused,
        endpoint=endpoint,
        parameter=third_party.parameters.get(name=names["secret_parameter"]),
        project_connection=project_connection,
        component_connection=component_connection,
    )


A_NAMES = {
    "project": "Payments",
    "project_handle": "payments",
    "component": "Checkout API",
    "component_handle": "checkout-api",
    "web": "Storefront",
    "web_handle": "storefront",
    "other_project": "HR",
    "provider": "Employee Service",
    "own_endpoint": "api",
    "endpoint": "employees",
    "third_party": "Stripe API",
    "unused_third_party": "Twilio SMS",
    "secret_parameter": "webhookSigningSecret",
    "tag": "payments",
    "domain": "stripe.test",
    "project_connection": "Stripe",
    "component_connection": "Staff",
}

B_NAMES = {
    "project": "Secret Plans",
    "project_handle": "secret-plans",
    "component": "Doomsday Device",
    "component_handle": "doomsday-device",
    "web": "Globex Portal",
    "web_handle": "globex-portal",
    "other_project": "Globex Henchmen",
    "provider": "Globex Payroll",
    "own_endpoint": "zeta-ray",
    "endpoint": "globex-minions",
    "third_party": "Scorpio Lasers",
    "unused_third_party": "Globex Hammocks",
    "secret_parameter": "hammockKey",
    "tag": "hammock-district",
    "domain": "cypress-creek.test",
    "project_connection": "Volcano Lair",
    "component_connection": "Globex Laser Link",
}


def build_world(
    *, organization, other_organization, org_admin, developer, viewer, outsider
) -> World:
    # The world makes its own Payments and Checkout API: a test that uses it
    # does not ask for conftest's ``project`` or ``component`` as well.
    b_developer = factories.make_user("gina")
    factories.add_member(b_developer, other_organization, Role.DEVELOPER)
    b_viewer = factories.make_user("gus")
    factories.add_member(b_viewer, other_organization, Role.VIEWER)
    return World(
        a=build_tenant(organization, A_NAMES, developer),
        b=build_tenant(other_organization, B_NAMES, outsider),
        personas={
            "admin": org_admin,
            "developer": developer,
            "viewer": viewer,
            "outsider": outsider,
            "b_developer": b_developer,
            "b_viewer": b_viewer,
            "anonymous": None,
        },
    )


def database_state() -> dict[str, list[tuple]]:
    """Every row of every watched table, as plain values."""
    state = {}
    for label in WATCHED_MODELS:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields]
        state[label] = sorted(model.objects.values_list(*fields), key=repr)
    return state
