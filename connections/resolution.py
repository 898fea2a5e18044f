"""What a connection gives a component in each environment: the URL and the
other values, each with the environment variable that carries it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from console.crypto import SecretValue
from console.models import Environment
from marketplace.models import (
    SECURITY_KEYS,
    Deployment,
    Endpoint,
    EndpointParameterValue,
    ServiceParameter,
)

from .models import BINDING_FIELDS, Connection, ConnectionBinding
from .naming import variable_name
from .services.rotation import ROTATED_FIELDS
from .status import no_endpoint, not_deployed, not_set_up


@dataclass(frozen=True)
class ResolvedValue:
    key: str
    variable: str
    # A SecretValue for secrets: it renders masked unless revealed.
    value: str | SecretValue | None
    secret: bool = False
    # While a rotation's grace period runs, the generated secret it replaced
    # (still accepted until previous_valid_until), masked like the value.
    previous: SecretValue | None = None
    previous_valid_until: datetime | None = None
    # A generated secret that Rotate replaces (rotatable_keys).
    rotatable: bool = False


@dataclass
class ResolvedEnvironment:
    environment: Environment
    url: str | None
    endpoint: Endpoint | None = None
    values: list[ResolvedValue] = field(default_factory=list)
    problem: str = ""


def rotatable_keys(scheme: str) -> list[str]:
    """The keys of ``scheme`` whose values Rotate generates anew: the
    consumer secret or the API key, never the consumer key (the client id)."""
    return [
        key
        for key, secret in SECURITY_KEYS[scheme]
        if secret and BINDING_FIELDS.get(key) in ROTATED_FIELDS
    ]


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


def _scheme_resolved(
    connection: Connection,
    binding: ConnectionBinding,
    url: str | None,
    now: datetime,
) -> list[ResolvedValue]:
    """The scheme's keys, each generated secret with the one a rotation
    replaced while that one is still accepted (read from the binding row
    already loaded: no query)."""
    values = []
    rotatable = rotatable_keys(connection.auth_scheme)
    for key, secret in SECURITY_KEYS[connection.auth_scheme]:
        previous = binding.previous_credential(key, now) if secret else None
        values.append(
            ResolvedValue(
                key,
                variable_name(connection.name, key),
                _scheme_value(key, binding, url),
                secret,
                previous=previous or None,
                previous_valid_until=binding.previous_valid_until if previous else None,
                rotatable=key in rotatable,
            )
        )
    return values


def _parameter_values(
    connection: Connection,
    parameters: list,
    given: dict[int, EndpointParameterValue],
) -> list[ResolvedValue]:
    """Every parameter of a third-party service gets its row (and its
    variable), valued from the mapped endpoint; unmapped, it shows as missing."""
    values = []
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
                variable_name(connection.name, parameter.name),
                shown,
                secret=parameter.is_secret,
            )
        )
    return values


def _problem(service, environment: Environment, url: str | None) -> str:
    if url:
        return ""
    if service.is_internal:
        return not_deployed(environment)
    return no_endpoint(environment)


def resolve(
    connection: Connection, environments: Iterable[Environment] | None = None
) -> list[ResolvedEnvironment]:
    """One entry per environment of the connection, in promotion order.
    ``environments``, the organization's when the caller has read them
    already (the connection page, for its statuses), are not read again."""
    service = connection.service
    deployed = (
        {d.environment_id: d.url for d in service.deployments.all()} if service.is_internal else {}
    )
    if not service.is_internal:
        # Kept on the service, for the guide's variable names that follow.
        prefetch_related_objects([service], "parameters")
    parameters = [] if service.is_internal else list(service.parameters.all())
    resolved = []
    now = timezone.now()
    for binding in _bindings(connection):
        environment = binding.environment
        if service.is_internal:
            url = deployed.get(environment.pk)
        else:
            url = binding.endpoint.url if binding.endpoint else None
        given = (
            {v.parameter_id: v for v in binding.endpoint.parameter_values.all()}
            if binding.endpoint is not None
            else {}
        )
        values = _scheme_resolved(connection, binding, url, now)
        values += _parameter_values(connection, parameters, given)
        resolved.append(
            ResolvedEnvironment(
                environment, url, binding.endpoint, values, _problem(service, environment, url)
            )
        )
    bound = {entry.environment.pk for entry in resolved}
    if environments is None:
        environments = Environment.objects.filter(organization_id=connection.organization_id)
    for environment in environments:
        if environment.pk not in bound:
            resolved.append(ResolvedEnvironment(environment, None, problem=not_set_up(environment)))
    resolved.sort(key=lambda entry: entry.environment.order)
    return resolved


def resolve_in_environment(
    connections: list[Connection], environment: Environment
) -> dict[int, ResolvedEnvironment]:
    """What each of ``connections`` gives in one environment, by connection
    id, in a constant number of queries whatever their number (delivery
    reads every connection a component sees at once). Select each
    connection's ``service`` with it."""
    ids = [connection.pk for connection in connections]
    # An internal service's URL there is read with the binding (one
    # deployment per service and environment).
    deployed_url = (
        Deployment.objects.filter(
            service_id=OuterRef("connection__service_id"),
            environment_id=OuterRef("environment_id"),
        )
        .order_by()
        .values("url")[:1]
    )
    bindings = {
        binding.connection_id: binding
        for binding in ConnectionBinding.objects.filter(
            connection_id__in=ids, environment_id=environment.pk
        )
        .select_related("endpoint")
        .annotate(deployed_url=Subquery(deployed_url))
    }
    services = {connection.service_id: connection.service for connection in connections}
    internal = [pk for pk, service in services.items() if service.is_internal]
    parameters: dict[int, list[ServiceParameter]] = defaultdict(list)
    for parameter in ServiceParameter.objects.filter(
        service_id__in=[pk for pk in services if pk not in internal]
    ).order_by("name"):
        parameters[parameter.service_id].append(parameter)
    endpoint_values: dict[int, dict[int, EndpointParameterValue]] = defaultdict(dict)
    for value in EndpointParameterValue.objects.filter(
        endpoint_id__in=[b.endpoint_id for b in bindings.values() if b.endpoint_id]
    ).select_related("parameter"):
        endpoint_values[value.endpoint_id][value.parameter_id] = value

    now = timezone.now()
    resolved = {}
    for connection in connections:
        service = connection.service
        binding = bindings.get(connection.pk)
        if binding is None:
            resolved[connection.pk] = ResolvedEnvironment(
                environment, None, problem=not_set_up(environment)
            )
            continue
        if service.is_internal:
            url = binding.deployed_url
        else:
            url = binding.endpoint.url if binding.endpoint else None
        values = _scheme_resolved(connection, binding, url, now)
        values += _parameter_values(
            connection, parameters[service.pk], endpoint_values[binding.endpoint_id]
        )
        resolved[connection.pk] = ResolvedEnvironment(
            environment, url, binding.endpoint, values, _problem(service, environment, url)
        )
    return resolved
