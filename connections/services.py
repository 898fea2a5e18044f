"""Creating and changing connections: every rule of SPEC section 1 checked in one
transaction, so a form, the admin or a script get the same guarantees."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from console.crypto import SecretValue
from console.models import WRITER_ROLES, Component, Environment, Membership, Project
from marketplace.models import Endpoint, EndpointParameterValue, Service, ServiceKind

from .models import (
    SCHEME_FOR_SECURITY,
    SCHEME_KEYS,
    AuthScheme,
    Connection,
    ConnectionBinding,
    ConnectionEvent,
    EventAction,
)
from .naming import validate_connection_name, variable_name, variable_stem


def connection_keys(service: Service, scheme: str) -> list[str]:
    keys = [key for key, _ in SCHEME_KEYS[scheme]]
    if service.kind == ServiceKind.THIRD_PARTY:
        keys += [parameter.name for parameter in service.parameters.all()]
    return keys


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
            else f"of the component {other.component.name}"
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


def _resolve_endpoints(
    service: Service,
    environments: list[Environment],
    requested: Mapping[int, Endpoint | None] | None,
) -> dict[int, Endpoint | None]:
    mapping = default_endpoints(service, environments)
    for environment_id, endpoint in (requested or {}).items():
        if environment_id not in mapping:
            raise ValidationError("An environment of another organization was given.")
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


def _generated_credentials(scheme: str) -> dict[str, object]:
    if scheme == AuthScheme.OAUTH2:
        return {
            "consumer_key": secrets.token_urlsafe(18),
            "consumer_secret": secrets.token_urlsafe(32),
        }
    if scheme == AuthScheme.API_KEY:
        return {"api_key": "jct_" + secrets.token_urlsafe(32)}
    return {}


def _add_missing_bindings(connection: Connection) -> list[ConnectionBinding]:
    """Bindings for environments created after the connection (an Admin
    added Staging, say): default endpoint, fresh credentials."""
    environments = list(
        Environment.objects.filter(organization_id=connection.organization_id).exclude(
            connection_bindings__connection=connection
        )
    )
    if not environments:
        return []
    service = connection.service
    defaults = (
        default_endpoints(service, environments) if service.kind == ServiceKind.THIRD_PARTY else {}
    )
    return ConnectionBinding.objects.bulk_create(
        ConnectionBinding(
            connection=connection,
            environment=environment,
            endpoint=defaults.get(environment.pk),
            **_generated_credentials(connection.auth_scheme),
        )
        for environment in environments
    )


def record_event(
    *, connection: Connection, actor, action: EventAction, detail: dict | None = None
) -> ConnectionEvent:
    return ConnectionEvent.objects.create(
        organization_id=connection.organization_id,
        connection=connection,
        connection_public_id=connection.public_id,
        connection_name=connection.name,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        action=action,
        detail=detail or {},
    )


@transaction.atomic
def connection_create(
    *,
    project: Project,
    component: Component | None = None,
    service: Service,
    name: str,
    description: str = "",
    endpoints: Mapping[int, Endpoint | None] | None = None,
    created_by=None,
    creation_token: UUID | None = None,
) -> Connection:
    """Create a project connection (``component`` empty) or a component
    connection to ``service``.

    ``endpoints`` maps environment ids to the endpoint a third-party
    connection uses there; environments left out get the default endpoint.
    ``creation_token`` makes the create idempotent: a second call with the
    same token returns the connection the first one made.
    Raises ValidationError (keyed by field where one is to blame) when a rule
    is broken; never IntegrityError.
    """
    if component is not None and component.project_id != project.pk:
        raise ValidationError("The component belongs to another project.")
    name = name.strip()
    try:
        validate_connection_name(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error

    # Serialize connection writes per project: the cross-level name rule
    # (project connection vs. component connections) is not a unique index,
    # so two creators must not both pass the check below. On SQLite the
    # IMMEDIATE transaction already holds the write lock.
    Project.objects.select_for_update().filter(pk=project.pk).first()

    if creation_token is not None:
        already = Connection.objects.filter(
            creation_token=creation_token, project_id=project.pk
        ).first()
        if already is not None:
            return already

    if not Service.objects.visible_from(project, component).filter(pk=service.pk).exists():
        raise ValidationError(
            {"service": "This service is no longer available from here. Choose another one."},
            code="service_not_visible",
        )
    scheme = SCHEME_FOR_SECURITY[service.security]
    keys = connection_keys(service, scheme)
    check_name_is_free(project=project, component=component, name=name, keys=keys)

    environments = list(Environment.objects.filter(organization_id=project.organization_id))
    if service.kind == ServiceKind.THIRD_PARTY:
        mapping = _resolve_endpoints(service, environments, endpoints)
    else:
        mapping = {environment.pk: None for environment in environments}

    connection = Connection(
        organization_id=project.organization_id,
        project=project,
        component=component,
        service=service,
        name=name,
        variable_stem=variable_stem(name),
        description=description.strip(),
        auth_scheme=scheme,
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
        creation_token=creation_token,
    )
    try:
        with transaction.atomic():
            connection.save()
    except IntegrityError as error:
        # Only reachable if a writer bypassed the lock above; report it the
        # same way as the check does.
        raise ValidationError(
            {"name": "A connection with this name was just created here. Choose another name."},
            code="duplicate_name",
        ) from error

    ConnectionBinding.objects.bulk_create(
        ConnectionBinding(
            connection=connection,
            environment=environment,
            endpoint=mapping[environment.pk],
            **_generated_credentials(scheme),
        )
        for environment in environments
    )
    record_event(
        connection=connection,
        actor=created_by,
        action=EventAction.CREATED,
        detail={"service": str(service), "scope": connection.scope_label},
    )
    return connection


def _validated_name(name: str) -> str:
    name = name.strip()
    try:
        validate_connection_name(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error
    return name


def _validated_description(description: str) -> str:
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


def _mapping_changes(
    connection: Connection, endpoints: Mapping[int, Endpoint | None]
) -> list[tuple[ConnectionBinding, Endpoint | None]]:
    """The bindings whose endpoint ``endpoints`` changes, each with its new
    endpoint, after checking every requested endpoint as Create does."""
    if connection.service.kind != ServiceKind.THIRD_PARTY:
        raise ValidationError(
            {
                "mapping": "An internal service's URLs follow its deployments: "
                "there is no endpoint to choose."
            },
            code="not_third_party",
        )
    bindings = list(connection.bindings.select_related("environment", "endpoint"))
    environments = [binding.environment for binding in bindings]
    if set(endpoints) - {environment.pk for environment in environments}:
        raise ValidationError(
            {"mapping": "An environment this connection does not have was given."},
            code="unknown_environment",
        )
    resolved = _resolve_endpoints(connection.service, environments, endpoints)
    return [
        (binding, resolved[binding.environment_id])
        for binding in bindings
        if binding.environment_id in endpoints
        and getattr(resolved[binding.environment_id], "pk", None) != binding.endpoint_id
    ]


@transaction.atomic
def connection_update(
    *,
    connection: Connection,
    name: str,
    description: str,
    endpoints: Mapping[int, Endpoint | None] | None = None,
    actor,
) -> Connection:
    """Rename a connection, change its description and, for a third-party
    service, its Environment to Endpoint Mapping (environment id -> endpoint;
    environments left out keep theirs).

    The same checks as connection_create, under the same project lock. One
    event per kind of change; nothing is written when nothing changed.
    """
    name = _validated_name(name)
    description = _validated_description(description)

    # The same lock as connection_create: a rename is a new name in the scope.
    Project.objects.select_for_update().filter(pk=connection.project_id).first()
    stored = Connection.objects.filter(pk=connection.pk).values("name", "description").first()
    if stored is None:
        raise ValidationError("This connection was deleted in the meantime.", code="deleted")
    _add_missing_bindings(connection)

    renamed = name != stored["name"]
    if renamed:
        check_name_is_free(
            project=connection.project,
            component=connection.component,
            name=name,
            keys=[key for key, _ in connection.keys()],  # noqa: SIM118 (a list, not a dict)
            exclude=connection,
        )
    changed_bindings = _mapping_changes(connection, endpoints) if endpoints is not None else []

    if renamed or description != stored["description"]:
        connection.name = name
        connection.description = description
        connection.refresh_variable_stem()
        try:
            with transaction.atomic():
                connection.save(
                    update_fields=["name", "variable_stem", "description", "updated_at"]
                )
        except IntegrityError as error:
            raise ValidationError(
                {"name": "A connection with this name was just created here. Choose another name."},
                code="duplicate_name",
            ) from error

    if renamed:
        record_event(
            connection=connection,
            actor=actor,
            action=EventAction.RENAMED,
            detail={"from": stored["name"], "to": name},
        )
    if description != stored["description"]:
        record_event(
            connection=connection,
            actor=actor,
            action=EventAction.DESCRIPTION_CHANGED,
            detail={"from": stored["description"], "to": description},
        )
    if changed_bindings:
        changes = []
        for binding, endpoint in changed_bindings:
            changes.append(
                {
                    "environment": binding.environment.name,
                    "from": binding.endpoint.name if binding.endpoint else None,
                    "to": endpoint.name if endpoint else None,
                }
            )
            binding.endpoint = endpoint
            binding.save(update_fields=["endpoint"])
        record_event(
            connection=connection,
            actor=actor,
            action=EventAction.MAPPING_CHANGED,
            detail={"changes": changes},
        )
    return connection


@transaction.atomic
def connection_delete(*, connection: Connection, actor) -> None:
    """Delete a connection; its history, with a "deleted" event, stays."""
    # Under the project lock, so that no reveal or rename of this connection
    # is half-way while it goes.
    Project.objects.select_for_update().filter(pk=connection.project_id).first()
    if not Connection.objects.filter(pk=connection.pk).exists():
        return  # Someone else deleted it a moment ago: that event is recorded.
    record_event(
        connection=connection,
        actor=actor,
        action=EventAction.DELETED,
        detail={"service": str(connection.service), "scope": connection.scope_label},
    )
    connection.delete()


def _secret_of(connection: Connection, binding: ConnectionBinding, key: str) -> SecretValue:
    secret = None
    if key == "ConsumerSecret" and connection.auth_scheme == AuthScheme.OAUTH2:
        secret = binding.consumer_secret
    elif key == "ChoreoAPIKey" and connection.auth_scheme == AuthScheme.API_KEY:
        secret = binding.api_key
    elif binding.endpoint_id is not None:
        parameter_value = EndpointParameterValue.objects.filter(
            endpoint_id=binding.endpoint_id, parameter__name=key, parameter__is_secret=True
        ).first()
        secret = parameter_value.value if parameter_value else None
    if secret is None:
        raise ValidationError(
            {"key": f"{connection.name} has no secret {key} in {binding.environment.name}."},
            code="no_such_secret",
        )
    return secret


@transaction.atomic
def connection_secret_reveal(
    *, connection: Connection, binding: ConnectionBinding, key: str, actor
) -> str:
    """The plaintext of one secret of one environment, for someone who may
    see it; the reveal is recorded (which secret, never its value)."""
    # Checked here too, not only in the view: this is the one function that
    # hands out a plaintext secret.
    if not Membership.objects.filter(
        user_id=getattr(actor, "pk", None),
        organization_id=connection.organization_id,
        role__in=WRITER_ROLES,
    ).exists():
        raise PermissionDenied("Only Admins and Developers can reveal secrets.")
    # The lock orders a reveal after a delete in progress, so the event never
    # points at a connection that is gone.
    Project.objects.select_for_update().filter(pk=connection.project_id).first()
    binding = (
        ConnectionBinding.objects.select_related("environment")
        .filter(pk=binding.pk, connection_id=connection.pk)
        .first()
    )
    if binding is None:
        raise ValidationError("This connection has no such environment.", code="no_binding")
    plaintext = _secret_of(connection, binding, key).reveal()
    record_event(
        connection=connection,
        actor=actor,
        action=EventAction.SECRET_REVEALED,
        detail={"environment": binding.environment.name, "key": key},
    )
    return plaintext
