"""An organization's environments: added (and bound by every connection at
once), renamed, reordered in promotion order, deleted when nothing resolves
in them. Every write locks the organization row, so that two Admins' changes
to one organization's environments run one after the other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils.module_loading import import_string

from ..activity import changed, created, record, yes_no
from ..handles import propose_handle, validate_handle
from ..models import Action, Environment, ObjectKind, Organization, Project
from ..usage import resolving_bindings

# How many of each kind of use the delete page lists before "and N more".
SHOWN_USES = 20


def environment_created_hooks() -> list[Callable[..., object]]:
    """settings.ENVIRONMENT_CREATED_HOOKS: what higher apps do, in the same
    transaction, when an environment is added (connections bind to it), each
    called as ``hook(environment=...)``; the console imports none of them."""
    return [import_string(path) for path in settings.ENVIRONMENT_CREATED_HOOKS]


def _lock(organization_id: int, *, projects: bool = False) -> list[Environment]:
    """Lock the organization and return its environments in promotion order.

    NO KEY: rows that point at the organization (a connection, a project)
    can still be inserted meanwhile; only other writers that lock it wait.

    ``projects``: lock every project of the organization too, before any
    environment row is written, for the writes that add or remove one.
    A connection_create locks its project, then writes a binding per
    environment: it finishes first, or reads the environments once this
    write is done. Taken in this order (organization, projects, then the
    environment rows), never the other way round, so as not to deadlock.
    """
    Organization.objects.select_for_update(no_key=True).filter(pk=organization_id).first()
    if projects:
        list(
            Project.objects.select_for_update()
            .filter(organization_id=organization_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return list(Environment.objects.filter(organization_id=organization_id).order_by("order"))


def _record(environment: Environment, *, actor, action: Action, **fields) -> None:
    record(
        organization=environment.organization_id,
        actor=actor,
        kind=ObjectKind.ENVIRONMENT,
        object_id=environment.pk,
        object_name=environment.name,
        action=action,
        **fields,
    )


def _order_in_words(environments: list[Environment]) -> str:
    return ", ".join(environment.name for environment in environments)


def _validated_name(name: str) -> str:
    name = name.strip()
    limit = Environment._meta.get_field("name").max_length
    if not name or len(name) > limit:
        raise ValidationError(
            {"name": f"Give the environment a name of 1 to {limit} characters."},
            code="name_length",
        )
    return name


def _check_name_is_free(
    name: str, environments: list[Environment], exclude: Environment | None = None
) -> None:
    # Compared in Python, not with iexact: SQLite folds the case of ASCII
    # letters only, and an organization has a handful of environments.
    for other in environments:
        if other.name.casefold() == name.casefold() and other != exclude:
            raise ValidationError(
                {"name": f"This organization already has an environment named “{other.name}”."},
                code="duplicate_name",
            )


def _renumber(organization_id: int, ordered: list[Environment]) -> None:
    """Give ``ordered`` the orders 1, 2, 3... without ever holding two rows
    on one order (the unique constraint is checked row by row): first every
    row moves above the highest order in use, then each to its place."""
    top = max(environment.order for environment in ordered)
    Environment.objects.filter(organization_id=organization_id).update(order=F("order") + top)
    Environment.objects.filter(organization_id=organization_id).update(
        order=Case(
            *(When(pk=environment.pk, then=Value(n)) for n, environment in enumerate(ordered, 1))
        )
    )
    for n, environment in enumerate(ordered, 1):
        environment.order = n


@transaction.atomic
def environment_create(
    *,
    organization: Organization,
    name: str,
    handle: str = "",
    is_production: bool = False,
    after: Environment | None = None,
    actor=None,
) -> Environment:
    """Add an environment after ``after`` in promotion order (None: last),
    with ``handle`` or, left empty, one proposed from the name; then every
    connection of the organization binds to it (the hooks).

    Raises ValidationError keyed by field for a taken name or handle; never
    IntegrityError.
    """
    environments = _lock(organization.pk, projects=True)
    name = _validated_name(name)
    _check_name_is_free(name, environments)
    taken = [environment.handle.lower() for environment in environments]
    if handle.strip():
        handle = _validated_handle(handle)
        if handle in taken:
            raise ValidationError(
                {"handle": f"Another environment of this organization has the handle “{handle}”."},
                code="duplicate_handle",
            )
    else:
        handle = propose_handle(name, taken)
    if after is not None and after.pk not in {environment.pk for environment in environments}:
        raise ValidationError(
            {"after": "That environment was deleted just now. Choose another place."},
            code="after_gone",
        )

    environment = Environment(
        organization=organization,
        name=name,
        handle=handle,
        is_production=is_production,
        order=max((environment.order for environment in environments), default=0) + 1,
    )
    try:
        with transaction.atomic():
            environment.save()
    except IntegrityError as error:
        # Only reachable if a writer bypassed the organization lock.
        raise ValidationError(
            {"handle": "An environment with this handle was added just now. Choose another."},
            code="duplicate_handle",
        ) from error

    ordered = [*environments, environment]
    if after is not None and after.pk != environments[-1].pk:
        place = next(n for n, other in enumerate(environments, 1) if other.pk == after.pk)
        ordered = [*environments[:place], environment, *environments[place:]]
        _renumber(organization.pk, ordered)
    _record(
        environment,
        actor=actor,
        action=Action.CREATED,
        changes=created(
            {
                "name": name,
                "handle": handle,
                "production": yes_no(is_production),
                "promotion order": _order_in_words(ordered),
            }
        ),
    )
    for hook in environment_created_hooks():
        hook(environment=environment)
    return environment


def _validated_handle(handle: str) -> str:
    try:
        return validate_handle(handle)
    except ValidationError as error:
        raise ValidationError({"handle": error.messages}, code=error.code) from error


@transaction.atomic
def environment_update(
    *, environment: Environment, name: str, is_production: bool, actor=None
) -> Environment:
    """Rename an environment and set whether it is production; its handle
    stays (URLs and resource references use it)."""
    environments = _lock(environment.organization_id)
    current = next((other for other in environments if other.pk == environment.pk), None)
    if current is None:
        raise ValidationError("This environment was deleted just now.", code="gone")
    name = _validated_name(name)
    _check_name_is_free(name, environments, exclude=current)
    changes = changed(
        {"name": current.name, "production": yes_no(current.is_production)},
        {"name": name, "production": yes_no(is_production)},
    )
    current.name = name
    current.is_production = is_production
    current.save(update_fields=["name", "is_production"])
    if changes:
        _record(current, actor=actor, action=Action.UPDATED, changes=changes)
    return current


@transaction.atomic
def environment_move(
    *, environment: Environment, direction: Literal["up", "down"], actor=None
) -> bool:
    """Swap an environment with its neighbour in promotion order (up: the
    one before it). False when it is already first (up) or last (down)."""
    environments = _lock(environment.organization_id)
    place = next((n for n, other in enumerate(environments) if other.pk == environment.pk), None)
    if place is None:
        raise ValidationError("This environment was deleted just now.", code="gone")
    other = place - 1 if direction == "up" else place + 1
    if not 0 <= other < len(environments):
        return False
    before = _order_in_words(environments)
    environments[place], environments[other] = environments[other], environments[place]
    _renumber(environment.organization_id, environments)
    _record(
        environments[other],
        actor=actor,
        action=Action.MOVED,
        changes={"promotion order": [before, _order_in_words(environments)]},
    )
    return True


@dataclass(frozen=True)
class Uses:
    """The first SHOWN_USES of one kind of use, and how many there are."""

    shown: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


def _uses(queryset: QuerySet) -> Uses:
    shown = list(queryset[: SHOWN_USES + 1])
    if len(shown) <= SHOWN_USES:
        return Uses(shown, len(shown))
    return Uses(shown[:SHOWN_USES], queryset.count())


@dataclass(frozen=True)
class EnvironmentUse:
    """What resolves in an environment, read through reverse relations (the
    console imports none of the apps that own these rows)."""

    # Bindings of connections that resolve there: mapped to an endpoint, or
    # to an internal service deployed there.
    bindings: Uses
    deployments: Uses
    endpoints: Uses
    runtime_tokens: Uses

    @property
    def blocks_delete(self) -> bool:
        return any(
            uses.total
            for uses in (self.bindings, self.deployments, self.endpoints, self.runtime_tokens)
        )


def environment_use(environment: Environment) -> EnvironmentUse:
    return EnvironmentUse(
        bindings=_uses(
            resolving_bindings(environment)
            .select_related("connection__project", "connection__component")
            .order_by("connection__name", "connection__pk")
            .distinct()
        ),
        deployments=_uses(
            environment.deployments.select_related("service__provider_component__project").order_by(
                "service__name", "service__pk"
            )
        ),
        endpoints=_uses(
            environment.endpoints.select_related("service").order_by("service__name", "name", "pk")
        ),
        runtime_tokens=_uses(
            environment.runtime_tokens.select_related("project", "component").order_by("name", "pk")
        ),
    )


@transaction.atomic
def environment_delete(*, environment: Environment, actor=None) -> None:
    """Delete an environment in which nothing resolves: no connection mapped
    to an endpoint there, no service deployed there, no third-party endpoint
    serving it, no runtime token for it. Its other bindings (generated
    credentials with nothing to call) go with it. Never the last one."""
    environments = _lock(environment.organization_id, projects=True)
    if not any(other.pk == environment.pk for other in environments):
        return
    if len(environments) == 1:
        raise ValidationError(
            f"{environment.name} is the organization's only environment: add another first.",
            code="last_environment",
        )
    if environment_use(environment).blocks_delete:
        raise ValidationError(
            f"Something resolves in {environment.name}: it cannot be deleted.", code="in_use"
        )
    current = next(other for other in environments if other.pk == environment.pk)
    _record(
        current,
        actor=actor,
        action=Action.DELETED,
        detail={
            "state": {
                "name": current.name,
                "handle": current.handle,
                "production": yes_no(current.is_production),
            }
        },
    )
    Environment.objects.filter(pk=environment.pk).delete()
