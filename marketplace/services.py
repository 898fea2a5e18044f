"""Writes that publish and register marketplace services.

Each takes already-validated values (forms validate and convert) and keeps
the rows that belong together consistent in one transaction: a service's
major follows its version, an internal service's project follows its
provider, environments and tags belong to the service's organization.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from console.activity import changed, created, yes_no
from console.models import Action, Component, Environment, ObjectKind, Organization, Project

from .activity import (
    endpoint_state,
    record_part,
    record_service,
    secret_changes,
    secret_values,
    service_state,
)
from .documentation import documentation_fields
from .models import (
    DEPRECATION_MESSAGE_MAX_LENGTH,
    Deployment,
    Endpoint,
    EndpointParameterValue,
    Security,
    Service,
    ServiceKind,
    ServiceParameter,
    ServiceType,
    Tag,
    Visibility,
)
from .versions import parse_version

DEPRECATION_FIELDS = ("deprecated_at", "sunset_on", "deprecation_message")


def _tags_for(organization: Organization, names: Iterable[str]) -> list[Tag]:
    tags = []
    for name in {name.strip() for name in names if name.strip()}:
        tag = Tag.objects.filter(organization=organization, name__iexact=name).first()
        tags.append(tag or Tag.objects.create(organization=organization, name=name))
    return tags


def _check_environments(organization: Organization, environments: Iterable[Environment]) -> None:
    if any(environment.organization_id != organization.pk for environment in environments):
        raise ValidationError("An environment of another organization was given.")


@transaction.atomic
def internal_service_publish(
    *,
    component: Component,
    endpoint_handle: str,
    endpoint_name: str,
    version: str,
    visibility: Visibility | str,
    service_type: ServiceType | str = ServiceType.REST,
    security: Security | str = Security.NONE,
    summary: str = "",
    overview: str = "",
    tags: Iterable[str] = (),
    urls: Mapping[Environment, str] | None = None,
    api_definition: str = "",
    definition_format: str = "",
    actor=None,
) -> Service:
    """Publish (or update, for a newer release of the same major) a component
    endpoint as a marketplace service named ``<component> - <endpoint>``.

    ``urls`` maps an environment to the endpoint's URL there; an environment
    left out is "not deployed". ``actor``: who, for the activity log (None:
    a script), as in every write of this module.
    """
    project = component.project
    organization = project.organization
    parsed = parse_version(version)
    urls = dict(urls or {})
    _check_environments(organization, urls)
    existing = Service.objects.filter(
        kind=ServiceKind.INTERNAL,
        provider_component=component,
        endpoint_handle=endpoint_handle,
        major=parsed.major,
    ).first()
    before = service_state(existing) if existing is not None else None
    service, _ = Service.objects.update_or_create(
        kind=ServiceKind.INTERNAL,
        provider_component=component,
        endpoint_handle=endpoint_handle,
        major=parsed.major,
        defaults={
            "organization": organization,
            "project": project,
            "name": f"{component.name} - {endpoint_name}",
            "version": version.strip(),
            "visibility": visibility,
            "service_type": service_type,
            "security": security,
            "summary": summary,
            **documentation_fields(
                overview=overview,
                api_definition=api_definition,
                definition_format=definition_format,
            ),
        },
    )
    service.tags.set(_tags_for(organization, tags))
    service.deployments.exclude(environment__in=list(urls)).delete()
    for environment, url in urls.items():
        Deployment.objects.update_or_create(
            service=service, environment=environment, defaults={"url": url}
        )
    after = service_state(service)
    if before is None:
        record_service(service, actor=actor, action=Action.PUBLISHED, changes=created(after))
    elif changes := changed(before, after) | _gone(before, after):
        record_service(service, actor=actor, action=Action.UPDATED, changes=changes)
    return service


def _gone(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list]:
    """Fields the state had and no longer has (a URL of an environment it
    is no longer deployed in)."""
    return {field: [value, None] for field, value in before.items() if field not in after}


@transaction.atomic
def third_party_service_register(
    *,
    organization: Organization,
    project: Project | None = None,
    name: str,
    version: str,
    service_type: ServiceType | str = ServiceType.REST,
    security: Security | str = Security.NONE,
    summary: str = "",
    overview: str = "",
    tags: Iterable[str] = (),
    api_definition: str = "",
    definition_format: str = "",
    parameters: Iterable[tuple[str, bool]] = (),
    actor=None,
) -> Service:
    """Register a third-party service for the organization or one project.

    ``parameters`` are (name, is_secret): the additional parameters every
    endpoint of the service gives a value for.
    """
    if project is not None and project.organization_id != organization.pk:
        raise ValidationError("The project belongs to another organization.")
    parsed = parse_version(version)
    service = Service.objects.create(
        organization=organization,
        project=project,
        kind=ServiceKind.THIRD_PARTY,
        name=name.strip(),
        version=version.strip(),
        major=parsed.major,
        service_type=service_type,
        security=security,
        summary=summary,
        **documentation_fields(
            overview=overview, api_definition=api_definition, definition_format=definition_format
        ),
    )
    service.tags.set(_tags_for(organization, tags))
    parameters = list(parameters)
    ServiceParameter.objects.bulk_create(
        ServiceParameter(service=service, name=param_name, is_secret=is_secret)
        for param_name, is_secret in parameters
    )
    record_service(
        service,
        actor=actor,
        action=Action.REGISTERED,
        changes=created(
            {
                **service_state(service),
                "parameters": [
                    f"{param_name} (secret)" if is_secret else param_name
                    for param_name, is_secret in parameters
                ],
            }
        ),
    )
    return service


@transaction.atomic
def endpoint_create(
    *,
    service: Service,
    name: str,
    url: str,
    environments: Iterable[Environment],
    parameter_values: Mapping[str, str] | None = None,
    actor=None,
) -> Endpoint:
    """Add an endpoint to a third-party service, with a value for each of
    the service's parameters (a missing one is stored empty)."""
    if service.kind != ServiceKind.THIRD_PARTY:
        raise ValidationError("Only third-party services have endpoints.")
    environments = list(environments)
    _check_environments(service.organization, environments)
    endpoint = Endpoint.objects.create(service=service, name=name.strip(), url=url.strip())
    endpoint.environments.set(environments)
    values = parameter_values or {}
    unknown = set(values) - {parameter.name for parameter in service.parameters.all()}
    if unknown:
        raise ValidationError(f"Unknown parameters: {', '.join(sorted(unknown))}.")
    EndpointParameterValue.objects.bulk_create(
        EndpointParameterValue(
            endpoint=endpoint, parameter=parameter, value=values.get(parameter.name, "")
        )
        for parameter in service.parameters.all()
    )
    record_part(
        service,
        kind=ObjectKind.ENDPOINT,
        part=endpoint,
        actor=actor,
        action=Action.CREATED,
        changes=created(endpoint_state(endpoint)),
    )
    return endpoint


def _refuse_if_connected(service: Service) -> None:
    # Connection.service is PROTECT; saying so here gives a message a person
    # can act on instead of a ProtectedError.
    count = service.connections.count()
    if count:
        raise ValidationError(
            f"{service} is used by {count} connection{'s' if count != 1 else ''}: "
            "remove it from the marketplace instead, or delete those connections first.",
            code="in_use",
        )


def _require_third_party(service: Service) -> None:
    if service.kind != ServiceKind.THIRD_PARTY:
        raise ValidationError("Only a third-party service can be changed here.")


@transaction.atomic
def third_party_service_update(
    *,
    service: Service,
    name: str,
    version: str,
    service_type: ServiceType | str,
    security: Security | str,
    summary: str = "",
    overview: str = "",
    tags: Iterable[str] = (),
    api_definition: str = "",
    definition_format: str = "",
    actor=None,
) -> Service:
    """Change a third-party service card's details.

    A card is one major version, and connections follow their major: a
    release of another major is registered as a new card, never made by
    editing this one.
    """
    _require_third_party(service)
    parsed = parse_version(version)
    if parsed.major != service.major:
        raise ValidationError(
            f"This card is v{service.major}; version {version.strip()} is a new major "
            f"version. Keep a {service.major}.x.y version here, and register "
            f"{parsed.major}.x as a new service.",
            code="major_changed",
        )
    before = service_state(service)
    service.name = name.strip()
    service.version = version.strip()
    service.service_type = service_type
    service.security = security
    service.summary = summary
    for field, value in documentation_fields(
        overview=overview, api_definition=api_definition, definition_format=definition_format
    ).items():
        setattr(service, field, value)
    service.save()
    service.tags.set(_tags_for(service.organization, tags))
    if changes := changed(before, service_state(service)):
        record_service(service, actor=actor, action=Action.UPDATED, changes=changes)
    return service


@transaction.atomic
def service_set_listed(*, service: Service, listed: bool, actor=None) -> Service:
    """Show a service in the marketplace or remove it from there; the
    connections that use it keep working either way."""
    stored = Service.objects.filter(pk=service.pk).values_list("listed", flat=True).first()
    if stored is not None and stored != listed:
        record_service(
            service,
            actor=actor,
            action=Action.LISTED if listed else Action.UNLISTED,
            changes={"in the marketplace": [yes_no(stored), yes_no(listed)]},
        )
    service.listed = listed
    service.save(update_fields=["listed", "updated_at"])
    return service


@transaction.atomic
def service_deprecate(*, service: Service, sunset_on: date, message: str, actor=None) -> Service:
    """Mark a major version Deprecated: its consumers see the sunset date and
    the message, and it keeps working. Deprecating it again changes the date
    and the message, not when it was first deprecated."""
    message = message.strip()
    if len(message) > DEPRECATION_MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "message": f"A message can have at most {DEPRECATION_MESSAGE_MAX_LENGTH} "
                f"characters (this one has {len(message)})."
            },
            code="too_long",
        )
    before = (
        {"sunset": _day(service.sunset_on), "message": service.deprecation_message}
        if service.is_deprecated
        else {}
    )
    if changes := changed(before, {"sunset": _day(sunset_on), "message": message}):
        record_service(service, actor=actor, action=Action.DEPRECATED, changes=changes)
    service.deprecated_at = service.deprecated_at or timezone.now()
    service.sunset_on = sunset_on
    service.deprecation_message = message
    service.save(update_fields=[*DEPRECATION_FIELDS, "updated_at"])
    return service


def _day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


@transaction.atomic
def service_undeprecate(*, service: Service, actor=None) -> Service:
    """Withdraw a deprecation: the version is current again."""
    if service.deprecated_at is not None:
        record_service(
            service,
            actor=actor,
            action=Action.UNDEPRECATED,
            changes={
                "sunset": [_day(service.sunset_on), None],
                "message": [service.deprecation_message, None],
            },
        )
    service.deprecated_at = None
    service.sunset_on = None
    service.deprecation_message = ""
    service.save(update_fields=[*DEPRECATION_FIELDS, "updated_at"])
    return service


@transaction.atomic
def service_delete(*, service: Service, actor=None) -> None:
    """Delete a service card (internal or third-party) that no connection uses."""
    # Lock the row so that a connection created meanwhile waits for the
    # delete, and then fails on the missing service instead of dangling.
    Service.objects.select_for_update().filter(pk=service.pk).first()
    _refuse_if_connected(service)
    record_service(
        service, actor=actor, action=Action.DELETED, detail={"state": service_state(service)}
    )
    service.delete()


@transaction.atomic
def endpoint_update(
    *,
    endpoint: Endpoint,
    name: str,
    url: str,
    environments: Iterable[Environment],
    parameter_values: Mapping[str, str] | None = None,
    actor=None,
) -> Endpoint:
    """Change an endpoint. A parameter left out of ``parameter_values`` keeps
    its current value, which is how a secret is kept without showing it."""
    service = endpoint.service
    environments = list(environments)
    _check_environments(service.organization, environments)
    values = parameter_values or {}
    parameters = {parameter.name: parameter for parameter in service.parameters.all()}
    unknown = set(values) - set(parameters)
    if unknown:
        raise ValidationError(f"Unknown parameters: {', '.join(sorted(unknown))}.")
    before, secrets_before = endpoint_state(endpoint), secret_values(endpoint)
    endpoint.name = name.strip()
    endpoint.url = url.strip()
    endpoint.save(update_fields=["name", "url"])
    endpoint.environments.set(environments)
    for parameter_name, value in values.items():
        EndpointParameterValue.objects.update_or_create(
            endpoint=endpoint, parameter=parameters[parameter_name], defaults={"value": value}
        )
    changes = changed(before, endpoint_state(endpoint)) | secret_changes(
        secrets_before, secret_values(endpoint)
    )
    if changes:
        record_part(
            service,
            kind=ObjectKind.ENDPOINT,
            part=endpoint,
            actor=actor,
            action=Action.UPDATED,
            changes=changes,
        )
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor=None) -> None:
    """Delete an endpoint that no connection is mapped to."""
    # The lock connection_create takes on the service row: a create mapping
    # to this endpoint either commits first, and is seen below, or reads
    # the endpoint gone once the delete commits. Without it the create's
    # binding pointed at a deleted row: a foreign-key failure at commit.
    Service.objects.select_for_update(no_key=True).filter(pk=endpoint.service_id).first()
    # Read through the reverse relation: connections depend on the
    # marketplace, never the other way round (docs/architecture.md).
    names = sorted(
        set(endpoint.connection_bindings.values_list("connection__name", flat=True)), key=str.lower
    )
    if names:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise ValidationError(
            f"The endpoint {endpoint.name} cannot be deleted: {len(names)} connection"
            f"{'s use' if len(names) != 1 else ' uses'} it ({shown}). Map "
            f"{'them' if len(names) != 1 else 'it'} to another endpoint first.",
            code="in_use",
        )
    record_part(
        endpoint.service,
        kind=ObjectKind.ENDPOINT,
        part=endpoint,
        actor=actor,
        action=Action.DELETED,
        detail={"state": endpoint_state(endpoint)},
    )
    endpoint.delete()


def _lock_connections_of(service: Service) -> None:
    """Take the locks connection writes take, so that no connection is made
    or renamed past the check of a change to ``service``'s keys.

    First the projects where the service has connections (each create,
    rename and delete locks its project; in id order, as every such lock is
    one row), then the service row, as connection_create takes them.
    """
    projects = set(service.connections.values_list("project_id", flat=True))
    list(Project.objects.select_for_update().filter(pk__in=projects).order_by("pk").values("pk"))
    Service.objects.select_for_update(no_key=True).filter(pk=service.pk).first()
    # A create in another project that committed between the two locks:
    # locking its project now could deadlock with the next create there.
    if service.connections.exclude(project_id__in=projects).exists():
        raise ValidationError(
            {"name": "Connections to this service were made just now. Save again."},
            code="connections_changed",
        )


@transaction.atomic
def service_parameters_check(*, service: Service, names: Iterable[str]) -> None:
    """Refuse ``names`` as the parameters of ``service`` when two connections
    (or one, twice) would then provide the same environment variable:
    service A's connection "Pay" gaining X_ServiceURL gives
    CHOREO_PAY_X_SERVICEURL, which a connection "Pay X" may already give.

    Call it in the transaction that writes the parameters: it takes the
    locks connection writes take, which hold until that commits.
    """
    _lock_connections_of(service)
    # The rule lives with the connections; reached through the reverse
    # relation, it needs no import of them (connections depend on the
    # marketplace, never the other way round).
    collisions = service.connections.variable_collisions(parameters={service.pk: list(names)})
    if collisions:
        shown = "; ".join(str(collision) for collision in collisions[:3])
        more = f" (and {len(collisions) - 3} more)" if len(collisions) > 3 else ""
        raise ValidationError(
            {
                "name": f"This would give two environment variables one name: {shown}{more}. "
                "Choose another parameter name, or rename those connections first."
            },
            code="variable_collision",
        )


@transaction.atomic
def service_parameter_add(
    *, service: Service, name: str, is_secret: bool = False, actor=None
) -> ServiceParameter:
    """Add a parameter to a third-party service; every endpoint gets an
    empty value for it, to be filled in on the endpoint."""
    _require_third_party(service)
    name = name.strip()
    service_parameters_check(
        service=service, names=[*service.parameters.values_list("name", flat=True), name]
    )
    parameter = ServiceParameter.objects.create(service=service, name=name, is_secret=is_secret)
    EndpointParameterValue.objects.bulk_create(
        EndpointParameterValue(endpoint=endpoint, parameter=parameter, value="")
        for endpoint in service.endpoints.all()
    )
    record_part(
        service,
        kind=ObjectKind.PARAMETER,
        part=parameter,
        actor=actor,
        action=Action.CREATED,
        changes=created({"name": name, "secret": yes_no(is_secret)}),
    )
    return parameter


@transaction.atomic
def service_parameter_rename(
    *, parameter: ServiceParameter, name: str, actor=None
) -> ServiceParameter:
    """Rename a parameter: its variable in every connection changes, so the
    new name is checked as an added one would be."""
    name = name.strip()
    others = parameter.service.parameters.exclude(pk=parameter.pk)
    service_parameters_check(
        service=parameter.service, names=[*others.values_list("name", flat=True), name]
    )
    before = parameter.name
    parameter.name = name
    parameter.save(update_fields=["name"])
    if before != name:
        record_part(
            parameter.service,
            kind=ObjectKind.PARAMETER,
            part=parameter,
            actor=actor,
            action=Action.RENAMED,
            changes={"name": [before, name]},
        )
    return parameter


@transaction.atomic
def service_parameter_delete(*, parameter: ServiceParameter, actor=None) -> None:
    """Remove a parameter and every endpoint's value for it."""
    record_part(
        parameter.service,
        kind=ObjectKind.PARAMETER,
        part=parameter,
        actor=actor,
        action=Action.DELETED,
        detail={"state": {"name": parameter.name, "secret": yes_no(parameter.is_secret)}},
    )
    parameter.delete()
