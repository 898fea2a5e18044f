"""connection_create: every rule checked in one transaction, under a lock."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from console.models import Action, Component, Environment, Project
from marketplace.models import Endpoint, Service, ServiceKind

from ..models import (
    AuthScheme,
    Connection,
    ConnectionBinding,
)
from ..naming import variable_stem
from .bindings import generated_credentials
from .events import record_event
from .rules import (
    check_name_is_free,
    connection_keys,
    resolve_endpoints,
    validated_description,
    validated_name,
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
    name = validated_name(name)
    description = validated_description(description)

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

    # Lock the service row too, so that removing the service from the
    # marketplace (an UPDATE) or deleting it (which locks the row) waits for
    # this create to commit, and a create that comes second reads the new
    # state and refuses here. Without it a create could pass this check just
    # before the removal commits and then add a connection to an unlisted
    # service, or to a deleted one (a foreign-key failure at commit). NO KEY
    # keeps the foreign-key checks of other inserts (endpoints, parameters)
    # unblocked. The fresh row also carries the service's current security.
    current = Service.objects.select_for_update(no_key=True).filter(pk=service.pk).first()
    if (
        current is None
        or not Service.objects.visible_from(project, component).filter(pk=service.pk).exists()
    ):
        raise ValidationError(
            {"service": "This service is no longer available from here. Choose another one."},
            code="service_not_visible",
        )
    service = current
    # A snapshot of the service's security (see AuthScheme).
    scheme = AuthScheme(service.security)
    keys = connection_keys(service, scheme)
    check_name_is_free(project=project, component=component, name=name, keys=keys)

    environments = list(Environment.objects.filter(organization_id=project.organization_id))
    if service.kind == ServiceKind.THIRD_PARTY:
        mapping = resolve_endpoints(service, environments, endpoints)
    else:
        mapping = {environment.pk: None for environment in environments}

    connection = Connection(
        organization_id=project.organization_id,
        project=project,
        component=component,
        service=service,
        name=name,
        variable_stem=variable_stem(name),
        description=description,
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
            **generated_credentials(scheme),
        )
        for environment in environments
    )
    record_event(
        connection=connection,
        actor=created_by,
        action=Action.CREATED,
        detail={"service": str(service), "scope": connection.scope_label},
    )
    return connection
