"""What a connection gives a component in each environment: the URL and the
other values, each with the environment variable that carries it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from console.crypto import SecretValue
from console.models import Environment
from marketplace.models import SECURITY_KEYS, Endpoint, EndpointParameterValue

from .models import Connection, ConnectionBinding
from .naming import variable_name


@dataclass(frozen=True)
class ResolvedValue:
    key: str
    variable: str
    # A SecretValue for secrets: it renders masked unless revealed.
    value: str | SecretValue | None
    secret: bool = False


@dataclass
class ResolvedEnvironment:
    environment: Environment
    url: str | None
    endpoint: Endpoint | None = None
    values: list[ResolvedValue] = field(default_factory=list)
    problem: str = ""


def _bindings(connection: Connection) -> list[ConnectionBinding]:
    parameter_values = EndpointParameterValue.objects.select_related("parameter")
    return list(
        connection.bindings.select_related("environment", "endpoint").prefetch_related(
            Prefetch("endpoint__parameter_values", queryset=parameter_values)
        )
    )


def _scheme_value(
    key: str, binding: ConnectionBinding, url: str | None
) -> str | SecretValue | None:
    """Where the value of one of the scheme's keys (SECURITY_KEYS) comes from."""
    if key == "ServiceURL":
        return url
    if key == "TokenURL":
        # Junction's own token endpoint (the oauth app), by URL name only.
        return settings.JUNCTION_PUBLIC_URL + reverse("oauth:token")
    return binding.credential(key)


def resolve(connection: Connection) -> list[ResolvedEnvironment]:
    """One entry per environment of the connection, in promotion order."""
    service = connection.service
    deployed = (
        {d.environment_id: d.url for d in service.deployments.all()} if service.is_internal else {}
    )
    name = connection.name
    parameters = [] if service.is_internal else list(service.parameters.all())
    resolved = []
    for binding in _bindings(connection):
        environment = binding.environment
        if service.is_internal:
            url = deployed.get(environment.pk)
            problem = "" if url else f"The service is not deployed in {environment.name}."
        else:
            url = binding.endpoint.url if binding.endpoint else None
            problem = "" if url else f"No endpoint is mapped to {environment.name}."
        values = [
            ResolvedValue(key, variable_name(name, key), _scheme_value(key, binding, url), secret)
            for key, secret in SECURITY_KEYS[connection.auth_scheme]
        ]
        # Every parameter of the service gets its row (and its variable),
        # valued from the mapped endpoint; unmapped, it shows as missing.
        given = (
            {v.parameter_id: v for v in binding.endpoint.parameter_values.all()}
            if binding.endpoint is not None
            else {}
        )
        for parameter in parameters:
            parameter_value = given.get(parameter.pk)
            if parameter_value is None:
                shown = None
            elif parameter.is_secret:
                shown = parameter_value.value
            else:
                shown = parameter_value.shown_value
            values.append(
                ResolvedValue(
                    parameter.name,
                    variable_name(name, parameter.name),
                    shown,
                    secret=parameter.is_secret,
                )
            )
        resolved.append(ResolvedEnvironment(environment, url, binding.endpoint, values, problem))
    bound = {entry.environment.pk for entry in resolved}
    for environment in Environment.objects.filter(
        organization_id=connection.organization_id
    ).exclude(pk__in=bound):
        resolved.append(
            ResolvedEnvironment(
                environment,
                None,
                problem=f"This connection was created before {environment.name} existed. "
                "Open Edit and save to set it up there.",
            )
        )
    resolved.sort(key=lambda entry: entry.environment.order)
    return resolved
