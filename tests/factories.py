"""Small builders for test data; each goes through the same service
functions the console uses, so tests exercise the real write paths."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from console.models import Component, ComponentType, Membership, Organization, Project, Role
from console.services import organization_create
from marketplace.definitions import detect_format
from marketplace.models import Security, Service, Visibility
from marketplace.services import (
    endpoint_create,
    internal_service_publish,
    third_party_service_register,
)

_sequence = itertools.count(1)


def make_user(username: str | None = None, password: str = "pw-for-tests-1"):
    username = username or f"user{next(_sequence)}"
    return get_user_model().objects.create_user(username=username, password=password)


def make_organization(name: str = "Acme Corp", handle: str = "acme") -> Organization:
    return organization_create(name=name, handle=handle)


def add_member(user, organization: Organization, role: Role) -> Membership:
    return Membership.objects.create(user=user, organization=organization, role=role)


def make_project(
    organization: Organization, name: str = "Payments", handle: str | None = None
) -> Project:
    return Project.objects.create(
        organization=organization, name=name, handle=handle or name.lower().replace(" ", "-")
    )


def make_component(
    project: Project,
    name: str = "Checkout API",
    handle: str | None = None,
    type: ComponentType = ComponentType.SERVICE,
) -> Component:
    return Component.objects.create(
        project=project, name=name, handle=handle or name.lower().replace(" ", "-"), type=type
    )


def make_internal_service(
    component: Component,
    endpoint: str = "api",
    visibility: Visibility = Visibility.ORGANIZATION,
    security: Security = Security.NONE,
    version: str = "1.0.0",
    deployed: bool = True,
    url: str | None = None,
) -> Service:
    """``url``: where it is deployed in every environment (a real process a
    test started), instead of a made-up address per environment."""
    environments = component.project.organization.environments.all()
    urls = (
        {
            env: url or f"http://{component.handle}-{env.handle}.internal:8080/{endpoint}"
            for env in environments
        }
        if deployed
        else {}
    )
    return internal_service_publish(
        component=component,
        endpoint_handle=endpoint,
        endpoint_name=endpoint.title(),
        version=version,
        visibility=visibility,
        security=security,
        urls=urls,
    )


def make_third_party_service(
    organization: Organization,
    name: str = "Stripe API",
    project: Project | None = None,
    security: Security = Security.NONE,
    parameters: tuple[tuple[str, bool], ...] = (),
    version: str = "1.0.0",
    api_definition: str = "",
) -> Service:
    return third_party_service_register(
        organization=organization,
        project=project,
        name=name,
        version=version,
        security=security,
        parameters=parameters,
        api_definition=api_definition,
        definition_format=detect_format(api_definition) if api_definition else "",
    )


def add_endpoint(
    service: Service, name: str, url: str, environment_handles: list[str], **values: str
):
    environments = service.organization.environments.filter(handle__in=environment_handles)
    return endpoint_create(
        service=service, name=name, url=url, environments=environments, parameter_values=values
    )


def bulk_connections(project: Project, service: Service, count: int, prefix: str, component=None):
    """Many connections at once, straight into the table: for tests that only
    need volume (query counts), not the create path."""
    from connections.models import Connection
    from connections.naming import variable_stem

    return Connection.objects.bulk_create(
        Connection(
            organization_id=project.organization_id,
            project=project,
            component=component,
            service=service,
            name=f"{prefix} {n:04d}",
            variable_stem=variable_stem(f"{prefix} {n:04d}"),
            auth_scheme=service.security,
        )
        for n in range(count)
    )
