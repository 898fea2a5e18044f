"""The configuration endpoint (delivery, issue #14) as benchmark pages: a
component pulls its configuration in the json format with its runtime token,
then pulls it again with If-None-Match of the ETag the first answer gave (a
304: what a poller costs while nothing changes).

The component sees exactly 50 connections at every size, so that S and L
differ by the organization around it, not by what it receives. It is the one
component of a project of its own, made here once through the console's own
service function: project and component connections to internal services
(OAuth 2.0, API key, none) and third-party ones (with parameters, secret
and plain), every one resolving in the token's environment. The other pages
leave that project out of their picks (measure.select_targets).
"""

from __future__ import annotations

import re
from functools import cached_property
from itertools import zip_longest

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from connections.services import connection_create
from console.models import Component, ComponentType, Environment, Organization, Project
from delivery.services import runtime_token_create
from marketplace.models import Security, Service, ServiceKind

RUNTIME_PROJECT = "bench-runtime"
RUNTIME_COMPONENT = "config-reader"
VISIBLE_CONNECTIONS = 50
# Of the 50, those of the project (the rest are the component's own).
PROJECT_CONNECTIONS = 15
# At most this many connections to one service: a mix, not one service 50 times.
SERVICES_PER_KIND = 10


def runtime_component(organization: Organization) -> Component | None:
    return (
        Component.objects.filter(
            project__organization=organization,
            project__handle=RUNTIME_PROJECT,
            handle=RUNTIME_COMPONENT,
        )
        .select_related("project")
        .first()
    )


def token_environment(organization: Organization) -> Environment:
    """The first in promotion order (Development), where every service the
    connections use is deployed or has an endpoint."""
    return Environment.objects.filter(organization=organization).order_by("order").first()


def _services_by_kind(
    project: Project, component: Component, environment: Environment
) -> list[list[Service]]:
    """Services the component may connect to that resolve in ``environment``,
    grouped so that the connections mix every kind of key."""
    visible = Service.objects.visible_from(project, component)
    internal = visible.filter(
        kind=ServiceKind.INTERNAL, deployments__environment=environment
    ).distinct()
    third_party = visible.filter(
        kind=ServiceKind.THIRD_PARTY, endpoints__environments=environment
    ).distinct()
    groups = [
        internal.filter(security=Security.OAUTH2),
        internal.filter(security=Security.API_KEY),
        internal.filter(security=Security.NONE),
        third_party.filter(parameters__is_secret=True).distinct(),
        third_party.exclude(parameters__is_secret=True),
    ]
    return [list(group.order_by("pk")[:SERVICES_PER_KIND]) for group in groups]


def _connection_name(index: int, service: Service) -> str:
    # The index first: no two names (or variable stems) can meet.
    slug = re.sub(r"[^a-z0-9]+", "-", service.name.lower()).strip("-")
    return f"c{index:02d}-{slug}"[:50].rstrip("-")


def runtime_component_create(organization_handle: str, username: str) -> Component:
    """The component and its 50 connections, once per database."""
    organization = Organization.objects.get(handle=organization_handle)
    existing = runtime_component(organization)
    if existing is not None:
        return existing
    actor = get_user_model().objects.get(username=username)
    # All or nothing: a run stopped half-way leaves no component with fewer connections.
    with transaction.atomic():
        return _create(organization, actor)


def _create(organization: Organization, actor) -> Component:
    project = Project.objects.create(
        organization=organization,
        name="Bench Runtime",
        handle=RUNTIME_PROJECT,
        description="The component whose configuration the benchmark pulls.",
    )
    component = Component.objects.create(
        project=project,
        name="Config Reader",
        handle=RUNTIME_COMPONENT,
        type=ComponentType.SERVICE,
        description="Sees 50 connections: its own and its project's.",
    )
    groups = _services_by_kind(project, component, token_environment(organization))
    mix = [service for row in zip_longest(*groups) for service in row if service is not None]
    if not mix:
        raise RuntimeError(f"{organization.handle} has no service a component could connect to.")
    for index in range(VISIBLE_CONNECTIONS):
        service = mix[index % len(mix)]
        connection_create(
            project=project,
            component=None if index < PROJECT_CONNECTIONS else component,
            service=service,
            name=_connection_name(index + 1, service),
            created_by=actor,
        )
    return component


class RuntimeConfigRequests:
    """What the two pages send: a runtime token of the component, and the
    ETag of its first answer. Made when first sent, not when the pages are
    listed (the load test lists them too, and must write nothing)."""

    def __init__(self, component: Component) -> None:
        self.component = component

    @cached_property
    def url(self) -> str:
        return reverse("delivery:config") + "?format=json"

    @cached_property
    def token(self) -> str:
        return runtime_token_create(
            project=self.component.project,
            component=self.component,
            environment=token_environment(self.component.project.organization),
            name="bench",
            expires_at=None,
            actor=None,
        ).token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @cached_property
    def etag(self) -> str:
        # The test client's host, which production settings do not list (the
        # load test asks for the tag outside the benchmark's settings).
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            response = Client().get(self.url, headers=self.headers())
        if response.status_code != 200 or not response.get("ETag"):
            raise RuntimeError(
                f"The configuration endpoint answered {response.status_code}: "
                f"{response.content[:300]!r}"
            )
        return response["ETag"]

    def conditional_headers(self) -> dict[str, str]:
        return {**self.headers(), "If-None-Match": self.etag}
