"""Renaming, re-mapping, deleting a connection, and revealing its secrets
(or the ones a rotation replaced): the same checks as at create, under the
same lock, each change recorded."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from console.crypto import SecretValue
from console.models import Action, Project
from marketplace.models import (
    SECURITY_KEYS,
    Endpoint,
    EndpointParameterValue,
    Service,
    ServiceKind,
)

from ..models import (
    BINDING_FIELDS,
    Connection,
    ConnectionBinding,
)
from .bindings import add_missing_bindings, lock_binding_for_writer
from .events import record_event
from .rotation import ROTATED_FIELDS
from .rules import check_name_is_free, resolve_endpoints, validated_description, validated_name


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
    resolved = resolve_endpoints(connection.service, environments, endpoints)
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
    name = validated_name(name)
    description = validated_description(description)

    # The same lock as connection_create: a rename is a new name in the scope.
    Project.objects.select_for_update().filter(pk=connection.project_id).first()
    stored = Connection.objects.filter(pk=connection.pk).values("name", "description").first()
    if stored is None:
        raise ValidationError("This connection was deleted in the meantime.", code="deleted")
    add_missing_bindings(connection)

    renamed = name != stored["name"]
    if renamed:
        check_name_is_free(
            project=connection.project,
            component=connection.component,
            name=name,
            keys=[key for key, _ in connection.keys()],  # noqa: SIM118 (a list, not a dict)
            exclude=connection,
        )
    if endpoints is not None:
        # As in connection_create: endpoint_delete takes this lock, so an
        # endpoint chosen here is either seen gone or not deleted until
        # this commits (else the binding would point at a deleted row).
        Service.objects.select_for_update(no_key=True).filter(pk=connection.service_id).first()
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
            action=Action.RENAMED,
            changes={"name": [stored["name"], name]},
        )
    if description != stored["description"]:
        record_event(
            connection=connection,
            actor=actor,
            action=Action.DESCRIPTION_CHANGED,
            changes={"description": [stored["description"], description]},
        )
    if changed_bindings:
        # {environment: [endpoint before, endpoint after]}, None for no endpoint.
        changes = {}
        for binding, endpoint in changed_bindings:
            changes[binding.environment.name] = [
                binding.endpoint.name if binding.endpoint else None,
                endpoint.name if endpoint else None,
            ]
            binding.endpoint = endpoint
            binding.save(update_fields=["endpoint"])
        record_event(
            connection=connection,
            actor=actor,
            action=Action.MAPPING_CHANGED,
            changes=changes,
        )
    return connection


@transaction.atomic
def connection_delete(*, connection: Connection, actor, via: str = "") -> None:
    """Delete a connection; its history, with a "deleted" event, stays.

    ``via`` names a way in other than the console ("admin"), which the
    history says.
    """
    # Under the project lock, so that no reveal or rename of this connection
    # is half-way while it goes.
    Project.objects.select_for_update().filter(pk=connection.project_id).first()
    if not Connection.objects.filter(pk=connection.pk).exists():
        return  # Someone else deleted it a moment ago: that event is recorded.
    record_event(
        connection=connection,
        actor=actor,
        action=Action.DELETED,
        detail={
            "service": str(connection.service),
            "scope": connection.scope_label,
            "state": last_state(connection),
            **({"via": via} if via else {}),
        },
    )
    connection.delete()


def last_state(connection: Connection) -> dict[str, object]:
    """What the history keeps of a deleted connection: its name, service,
    version, level and, for a third-party service, the endpoint of each
    environment. Never a credential."""
    service = connection.service
    state: dict[str, object] = {
        "name": connection.name,
        "service": str(service),
        "version": service.version,
        "level": connection.scope_label,
    }
    if connection.component_id is not None:
        state["component"] = connection.component.name
    if connection.description:
        state["description"] = connection.description
    if service.kind == ServiceKind.THIRD_PARTY:
        for binding in connection.bindings.select_related("environment", "endpoint"):
            state[f"endpoint in {binding.environment.name}"] = (
                binding.endpoint.name if binding.endpoint else None
            )
    return state


def _secret_of(connection: Connection, binding: ConnectionBinding, key: str) -> SecretValue:
    secret = None
    if (key, True) in SECURITY_KEYS[connection.auth_scheme]:
        secret = binding.credential(key)
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


def _previous_secret_of(
    connection: Connection, binding: ConnectionBinding, key: str
) -> SecretValue:
    """The value a rotation replaced, while its grace period runs: the
    components that still use it may need it read back, as the current one."""
    previous = (
        binding.previous_credential(key, timezone.now())
        if BINDING_FIELDS.get(key) in ROTATED_FIELDS
        else None
    )
    if not previous:
        raise ValidationError(
            {"key": f"{connection.name} has no old {key} in {binding.environment.name}."},
            code="no_such_secret",
        )
    return previous


@transaction.atomic
def connection_secret_reveal(
    *,
    connection: Connection,
    binding: ConnectionBinding,
    key: str,
    actor,
    previous: bool = False,
) -> str:
    """The plaintext of one secret of one environment, for someone who may
    see it; the reveal is recorded (which secret, never its value).

    ``previous``: the value a rotation replaced instead, while it is still
    accepted; recorded as a reveal of the old value.
    """
    binding = lock_binding_for_writer(
        connection=connection,
        binding=binding,
        actor=actor,
        refusal="Only Admins and Developers can reveal secrets.",
    )
    secret_of = _previous_secret_of if previous else _secret_of
    plaintext = secret_of(connection, binding, key).reveal()
    record_event(
        connection=connection,
        actor=actor,
        action=Action.SECRET_REVEALED,
        detail={
            "environment": binding.environment.name,
            "key": key,
            **({"previous": True} if previous else {}),
        },
    )
    return plaintext
