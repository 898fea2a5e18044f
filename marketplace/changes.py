"""A provider's change to a service that reaches its consumers: who it
affects, the confirmation it needs, and the record it leaves.

The connections are a higher app's rows: the marketplace reads who a change
affects through settings.SERVICE_CHANGE_IMPACT and tells them what changed
through settings.SERVICE_CHANGED_HOOKS, importing neither
(docs/architecture.md). A change is written first and measured afterwards,
in one transaction, so that the rules that say who loses the service are
the ones the data obeys (``Service.objects.visible_from``); without the
confirmation it needs the transaction rolls back and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from console.models import Environment

from .models import Endpoint, Service, Visibility

# The name of the field in which a person types the number of affected connections.
CONFIRMATION_FIELD = "confirm_affected"
# How many affected connections a page names; the rest are counted.
SHOWN = 50

Result = TypeVar("Result")


class ChangeKind(StrEnum):
    # Leaves consumers unable to see or resolve the service: confirmed.
    VISIBILITY_NARROWED = "visibility-narrowed"
    UNDEPLOYED = "undeployed"
    ENDPOINT_ENVIRONMENTS = "endpoint-environments"
    ENDPOINT_DELETED = "endpoint-deleted"
    PARAMETER_RENAMED = "parameter-renamed"
    PARAMETER_DELETED = "parameter-deleted"
    # Deletes the console refuses while consumers exist (docs/domain.md,
    # Deleting): their pages list who would lose the service.
    ENVIRONMENT_DELETED = "environment-deleted"
    COMPONENT_DELETED = "component-deleted"
    # Changes what consumers get but breaks nothing: listed, recorded.
    PARAMETER_ADDED = "parameter-added"
    UNLISTED = "unlisted"
    DEPRECATED = "deprecated"
    UNDEPRECATED = "undeprecated"


CONFIRMED_KINDS = frozenset(
    {
        ChangeKind.VISIBILITY_NARROWED,
        ChangeKind.UNDEPLOYED,
        ChangeKind.ENDPOINT_ENVIRONMENTS,
        ChangeKind.ENDPOINT_DELETED,
        ChangeKind.PARAMETER_RENAMED,
        ChangeKind.PARAMETER_DELETED,
        ChangeKind.ENVIRONMENT_DELETED,
        ChangeKind.COMPONENT_DELETED,
    }
)


# Confirmed because the connections' environment variables change, not
# because they lose the service.
KEY_KINDS = frozenset({ChangeKind.PARAMETER_RENAMED, ChangeKind.PARAMETER_DELETED})


@dataclass(frozen=True)
class ServiceChange:
    """One change a provider makes to a service, as its consumers read it."""

    kind: ChangeKind
    # What changed, after "<who> changed <service>: ", e.g. "narrowed its
    # network visibility to Project".
    description: str
    # Where it stops resolving; empty when every environment is concerned.
    environments: tuple[Environment, ...] = ()
    # The third-party endpoint it concerns, if any.
    endpoint_id: int | None = None


@dataclass(frozen=True)
class AffectedConnection:
    # A connections.models.Connection, with its project and component read.
    connection: object
    # Where it is affected, in promotion order; empty: in every environment.
    environments: tuple[Environment, ...] = ()


@dataclass(frozen=True)
class Impact:
    changes: tuple[ServiceChange, ...]
    # By project, component and name.
    affected: tuple[AffectedConnection, ...] = ()

    @property
    def count(self) -> int:
        return len(self.affected)

    @property
    def shown(self) -> tuple[AffectedConnection, ...]:
        return self.affected[:SHOWN]

    @property
    def more(self) -> int:
        return self.count - len(self.shown)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.affected) and any(c.kind in CONFIRMED_KINDS for c in self.changes)

    @property
    def changes_keys_only(self) -> bool:
        """The connections keep the service but provide other variables:
        what the page warns of (includes/impact.html)."""
        confirmed = [c.kind for c in self.changes if c.kind in CONFIRMED_KINDS]
        return bool(confirmed) and all(kind in KEY_KINDS for kind in confirmed)

    @property
    def recorded(self) -> str:
        """What a success message adds once the change is made."""
        if not self.affected:
            return ""
        if self.count == 1:
            return " The affected connection has it in its history."
        return f" The {self.count} affected connections have it in their history."

    @property
    def description(self) -> str:
        return "; ".join(change.description for change in self.changes)


@dataclass(frozen=True)
class ImpactCheck:
    """What a form shows beside its buttons: the impact, the number typed
    (kept when the form comes back) and why it was refused."""

    impact: Impact
    typed: str = ""
    error: str = ""

    @property
    def field_name(self) -> str:
        return CONFIRMATION_FIELD


class ConfirmationNeeded(Exception):
    """The change was rolled back: it needs the number of affected connections typed."""

    def __init__(self, check: ImpactCheck) -> None:
        super().__init__(check.error)
        self.check = check


def impact_of(service: Service, changes: Sequence[ServiceChange]) -> Impact:
    """settings.SERVICE_CHANGE_IMPACT: the connections ``changes`` to
    ``service`` affect, read as the data stands (call it after the write,
    or before one that will be refused)."""
    changes = tuple(changes)
    if not changes:
        return Impact(changes)
    return import_string(settings.SERVICE_CHANGE_IMPACT)(service, changes)


def _service_changed_hooks() -> list[Callable[..., object]]:
    return [import_string(path) for path in settings.SERVICE_CHANGED_HOOKS]


def confirmation_error(impact: Impact, typed: str) -> str:
    """Why ``typed`` does not confirm ``impact`` (empty when it does)."""
    if not impact.needs_confirmation or typed.strip() == str(impact.count):
        return ""
    if not typed.strip():
        return f"Type {impact.count}, the number of affected connections, to confirm the change."
    return (
        f"{impact.count} connection{'s are' if impact.count != 1 else ' is'} affected, "
        f"not {typed.strip()}: type {impact.count} to confirm the change."
    )


def change_service(
    *,
    service: Service,
    changes: Sequence[ServiceChange],
    actor,
    typed: str | None,
    write: Callable[[], Result],
) -> tuple[Result, Impact]:
    """Run ``write``, then measure who ``changes`` affect; keep the write
    only when ``typed`` is their number or the change needs no confirmation,
    and then record it on every affected connection (the hooks), in the
    same transaction. Raises ConfirmationNeeded (nothing written) otherwise.
    """
    with transaction.atomic():
        result = write()
        impact = impact_of(service, changes)
        error = confirmation_error(impact, typed or "")
        if error:
            # Raised inside the block: the write is rolled back.
            raise ConfirmationNeeded(ImpactCheck(impact, typed or "", error))
        if impact.affected:
            for hook in _service_changed_hooks():
                hook(service=service, impact=impact, actor=actor)
    return result, impact


def _names(environments: Sequence[Environment]) -> str:
    return ", ".join(environment.name for environment in environments)


# Wider first: a move down this list may hide the service from someone.
_VISIBILITY_REACH = [Visibility.PUBLIC, Visibility.ORGANIZATION, Visibility.PROJECT]


def publish_changes(
    service: Service, *, visibility: str, deployed_in: Sequence[Environment]
) -> list[ServiceChange]:
    """What an edit of a published endpoint changes for its consumers:
    a narrower network visibility, environments it is no longer deployed in
    (``deployed_in``: where it will be, in promotion order)."""
    changes = []
    if _VISIBILITY_REACH.index(visibility) > _VISIBILITY_REACH.index(service.visibility):
        changes.append(
            ServiceChange(
                ChangeKind.VISIBILITY_NARROWED,
                f"narrowed its network visibility from {Visibility(service.visibility).label} "
                f"to {Visibility(visibility).label}",
            )
        )
    staying = {environment.pk for environment in deployed_in}
    removed = [
        deployment.environment
        for deployment in service.deployments.select_related("environment").order_by(
            "environment__order"
        )
        if deployment.environment_id not in staying
    ]
    if removed:
        changes.append(
            ServiceChange(
                ChangeKind.UNDEPLOYED,
                f"stopped deploying it in {_names(removed)}",
                environments=tuple(removed),
            )
        )
    return changes


def endpoint_environments_change(
    endpoint: Endpoint, environments: Sequence[Environment]
) -> list[ServiceChange]:
    """The environments an endpoint's edit stops allowing it in, if any."""
    kept = {environment.pk for environment in environments}
    removed = [e for e in endpoint.environments.order_by("order") if e.pk not in kept]
    if not removed:
        return []
    return [
        ServiceChange(
            ChangeKind.ENDPOINT_ENVIRONMENTS,
            f"stopped allowing the endpoint {endpoint.name} in {_names(removed)}",
            environments=tuple(removed),
            endpoint_id=endpoint.pk,
        )
    ]


def endpoint_deleted(endpoint: Endpoint) -> ServiceChange:
    return ServiceChange(
        ChangeKind.ENDPOINT_DELETED,
        f"deleted the endpoint {endpoint.name}",
        endpoint_id=endpoint.pk,
    )


def parameter_added(name: str) -> ServiceChange:
    return ServiceChange(
        ChangeKind.PARAMETER_ADDED, f"added the parameter {name}, a new environment variable"
    )


def parameter_renamed(old: str, new: str | None = None) -> ServiceChange:
    """The rename of ``old`` to ``new``; without ``new``, the one a page
    previews before the new name is given."""
    if new is None:
        return ServiceChange(
            ChangeKind.PARAMETER_RENAMED,
            f"renaming the parameter {old}: its environment variable changes name",
        )
    return ServiceChange(
        ChangeKind.PARAMETER_RENAMED,
        f"renamed the parameter {old} to {new}: its environment variable changes name",
    )


def parameter_deleted(name: str) -> ServiceChange:
    return ServiceChange(
        ChangeKind.PARAMETER_DELETED,
        f"removed the parameter {name}: its environment variable is no longer provided",
    )


UNLISTED = ServiceChange(
    ChangeKind.UNLISTED, "removed it from the marketplace; existing connections keep working"
)


def deprecation_changes(
    service: Service, *, sunset_on: date | None = None, message: str = "", withdrawn: bool = False
) -> list[ServiceChange]:
    """What a deprecation (``sunset_on`` and ``message``) or its withdrawal
    tells ``service``'s consumers, read before the write; nothing when it
    changes nothing."""
    if withdrawn:
        if not service.is_deprecated:
            return []
        return [
            ServiceChange(
                ChangeKind.UNDEPRECATED,
                f"withdrew the deprecation of {service.major_label}: it is current again",
            )
        ]
    message = message.strip()
    if service.is_deprecated and (service.sunset_on, service.deprecation_message) == (
        sunset_on,
        message,
    ):
        return []
    verb = "changed the deprecation of" if service.is_deprecated else "deprecated"
    said = f", “{message}”" if message else ""
    return [
        ServiceChange(
            ChangeKind.DEPRECATED,
            f"{verb} {service.major_label}: sunset {sunset_on.isoformat()}{said}",
        )
    ]


def deprecation_preview(service: Service) -> ServiceChange:
    """The change a deprecation page lists the consumers of, before the
    form says which one it is."""
    if service.is_deprecated:
        return ServiceChange(
            ChangeKind.DEPRECATED,
            f"changing or withdrawing the deprecation of {service.major_label}",
        )
    return ServiceChange(ChangeKind.DEPRECATED, f"deprecating {service.major_label}")
