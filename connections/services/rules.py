"""The naming and mapping rules a connection must keep (docs/domain.md), shared by
create and change."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import Q

from console.models import Component, Environment, Project
from marketplace.models import Endpoint, Service

from ..models import Connection, provided_keys
from ..naming import validate_connection_name, variable_name, variable_stem


def connection_keys(service: Service, scheme: str) -> list[str]:
    return [key for key, _ in provided_keys(service, scheme)]


def _stem_prefixes(stem: str) -> list[str]:
    """``A_B_C`` -> ``["A", "A_B"]``: the stems whose variables could end
    where this stem's begin."""
    parts = stem.split("_")
    return ["_".join(parts[:n]) for n in range(1, len(parts))]


def check_name_is_free(
    *,
    project: Project,
    component: Component | None,
    name: str,
    keys: list[str],
    exclude: Connection | None = None,
) -> None:
    """Raise a ValidationError on ``name`` if it repeats (ignoring case) the
    name of a connection the scope shares names with, or would produce an
    environment variable one of them already produces."""
    stem = variable_stem(name)
    # Variables CHOREO_<stem>_<key> can only meet when the stems are equal or
    # one continues the other after an underscore (stem "PAY" with key
    # "X_SERVICEURL" meets stem "PAY_X" with key "SERVICEURL"), so only
    # those few rows are read, whatever the number of connections.
    candidates = (
        Connection.objects.sharing_names_with(project, component)
        .filter(
            Q(name__iexact=name)
            | Q(variable_stem=stem)
            | Q(variable_stem__startswith=stem + "_")
            | Q(variable_stem__in=_stem_prefixes(stem))
        )
        .select_related("service", "component")
        .prefetch_related("service__parameters")
        .order_by("pk")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    new_variables = {variable_name(name, key) for key in keys}
    for other in candidates:
        where = (
            "in this project"
            if other.is_project_connection
            else f"in the component {other.component.name}"
        )
        if other.name.lower() == name.lower():
            raise ValidationError(
                {"name": f"A connection named “{other.name}” already exists {where}."},
                code="duplicate_name",
            )
        clash = sorted(new_variables & other.variable_names())
        if clash:
            raise ValidationError(
                {
                    "name": f"This name would produce the environment variable {clash[0]}, "
                    f"which the connection “{other.name}” {where} already provides. "
                    "Choose a more distinct name."
                },
                code="variable_collision",
            )


def default_endpoints(
    service: Service, environments: list[Environment]
) -> dict[int, Endpoint | None]:
    """The endpoint pre-selected for each environment: the first (by name)
    of the service's endpoints that serve it, or none."""
    chosen: dict[int, Endpoint | None] = {environment.pk: None for environment in environments}
    for endpoint in service.endpoints.prefetch_related("environments").order_by("name"):
        for environment in endpoint.environments.all():
            if environment.pk in chosen and chosen[environment.pk] is None:
                chosen[environment.pk] = endpoint
    return chosen


def resolve_endpoints(
    service: Service,
    environments: list[Environment],
    requested: Mapping[int, Endpoint | None] | None,
) -> dict[int, Endpoint | None]:
    mapping = default_endpoints(service, environments)
    for environment_id, endpoint in (requested or {}).items():
        if environment_id not in mapping:
            raise ValidationError("An environment of another organization was given.")
        if (
            endpoint is not None
            and endpoint.service_id == service.pk
            and not service.endpoints.filter(pk=endpoint.pk).exists()
        ):
            # Deleted since the form read it; the caller holds the service
            # lock endpoint_delete takes, so it stays gone or stays there.
            raise ValidationError(
                {
                    "mapping": f"The endpoint “{endpoint.name}” was deleted just now. "
                    "Choose another one."
                },
                code="endpoint_gone",
            )
        if endpoint is not None and (
            endpoint.service_id != service.pk
            or not endpoint.environments.filter(pk=environment_id).exists()
        ):
            environment = next(env for env in environments if env.pk == environment_id)
            raise ValidationError(
                {
                    "mapping": f"The endpoint “{endpoint.name}” cannot be used in "
                    f"{environment.name}. Choose one of the endpoints that serve it."
                },
                code="endpoint_not_allowed",
            )
        mapping[environment_id] = endpoint
    return mapping


def validated_name(name: str) -> str:
    name = name.strip()
    try:
        validate_connection_name(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error
    return name


def validated_description(description: str) -> str:
    description = description.strip()
    limit = Connection._meta.get_field("description").max_length
    if len(description) > limit:
        raise ValidationError(
            {
                "description": f"A description can have at most {limit} characters "
                f"(this one has {len(description)})."
            },
            code="too_long",
        )
    if "\x00" in description:
        # PostgreSQL cannot store a NUL character in text.
        raise ValidationError(
            {"description": "A description cannot contain null characters."}, code="null"
        )
    return description
