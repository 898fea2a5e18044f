"""Connections: a consumer's (project's or component's) link to a service,
resolved per environment, with generated credentials. Their history is in
the organization's activity log (console.models.ActivityEvent)."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Lower
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from console.crypto import EncryptedTextField, SecretValue
from console.models import Component, Environment, Organization, Project
from console.names import NameField
from marketplace.models import (
    SECURITY_KEYS,
    Endpoint,
    Security,
    Service,
    ServiceKind,
    ServiceParameter,
)

from .naming import NAME_MAX_LENGTH, NAME_MIN_LENGTH, variable_name, variable_stem

# A connection's authentication scheme is its service's Security, the same
# choices. It is stored on the connection rather than read from the service
# because it is a snapshot: the keys and the credentials generated for them
# are those of the security the service had when the connection was made, and
# stay so if an Admin later changes the service's security (docs/domain.md,
# Environment variables).
AuthScheme = Security

# Where a binding keeps the value of each key of SECURITY_KEYS that is
# generated per environment (the others, ServiceURL and TokenURL, are not
# the connection's own: see resolution.py).
BINDING_FIELDS = {
    "ConsumerKey": "consumer_key",
    "ConsumerSecret": "consumer_secret",
    "ChoreoAPIKey": "api_key",
}


def provided_keys(service: Service, scheme: str) -> list[tuple[str, bool]]:
    """(key, is_secret) for every value a connection of ``scheme`` to
    ``service`` provides: the scheme's keys, then for a third-party service
    its endpoints' parameters (prefetch ``parameters`` for many services)."""
    keys = list(SECURITY_KEYS[scheme])
    if service.kind == ServiceKind.THIRD_PARTY:
        keys += [(parameter.name, parameter.is_secret) for parameter in service.parameters.all()]
    return keys


class ConnectionQuerySet(models.QuerySet):
    def visible_to(
        self, project: Project, component: Component | None = None
    ) -> ConnectionQuerySet:
        """The connections a component can use: its own and its project's.
        At project level, the project's connections only."""
        scope = models.Q(component__isnull=True)
        if component is not None:
            scope |= models.Q(component_id=component.pk)
        return self.filter(project_id=project.pk).filter(scope)

    def in_project(self, project: Project) -> ConnectionQuerySet:
        """Every connection of a project: its own and its components'."""
        return self.filter(project_id=project.pk)

    def sharing_names_with(
        self, project: Project, component: Component | None = None
    ) -> ConnectionQuerySet:
        """The connections whose names a new one at this scope must not repeat.

        A component connection must differ from its component's and its
        project's. A project connection is seen by every component of the
        project, so it must differ from all of them.
        """
        if component is None:
            return self.filter(project_id=project.pk)
        return self.visible_to(project, component)

    def variable_collisions(
        self, *, parameters: Mapping[int, Iterable[str]] | None = None
    ) -> list[VariableCollision]:
        """Where a connection of this queryset and one it shares names with
        (or the connection itself, twice) would provide the same environment
        variable (docs/domain.md, Environment variables).

        ``parameters`` (service id -> parameter names) stands in for what the
        database holds for those services, so that a change of a service's
        keys can be checked before it is written. Reached from the
        marketplace as ``service.connections.variable_collisions(...)``, so
        that the rule stays here. A constant number of queries: every
        connection of the projects concerned is read once.
        """
        mine = set(self.values_list("pk", flat=True))
        if not mine:
            return []
        rows = list(
            Connection.objects.filter(project_id__in=self.values("project_id"))
            .select_related("service", "project", "component")
            .order_by("pk")
        )
        third_party = {
            row.service_id for row in rows if row.service.kind == ServiceKind.THIRD_PARTY
        }
        stored: dict[int, list[str]] = defaultdict(list)
        for service_id, name in ServiceParameter.objects.filter(
            service_id__in=third_party - set(parameters or {})
        ).values_list("service_id", "name"):
            stored[service_id].append(name)
        for service_id, names in (parameters or {}).items():
            stored[service_id] = list(names)

        holders: dict[tuple[int, str], list[Connection]] = defaultdict(list)
        collisions = []
        for row in rows:
            keys = [key for key, _ in SECURITY_KEYS[row.auth_scheme]]
            if row.service_id in third_party:
                keys += stored[row.service_id]
            variables = [variable_name(row.name, key) for key in keys]
            for variable in sorted(set(variables)):
                if row.pk in mine and variables.count(variable) > 1:
                    collisions.append(VariableCollision(row, row, variable))
                holders[(row.project_id, variable)].append(row)
        for (_, variable), connections in holders.items():
            for index, first in enumerate(connections):
                for second in connections[index + 1 :]:
                    shares_names = (
                        first.component_id is None
                        or second.component_id is None
                        or first.component_id == second.component_id
                    )
                    if shares_names and (first.pk in mine or second.pk in mine):
                        collisions.append(VariableCollision(first, second, variable))
        return sorted(collisions, key=lambda c: (c.variable, c.connection.pk, c.other.pk))


@dataclass(frozen=True)
class VariableCollision:
    """Two connections that share names and would provide one environment
    variable; ``other`` is ``connection`` itself when it would provide the
    variable twice."""

    connection: Connection
    other: Connection
    variable: str

    def __str__(self) -> str:
        def named(connection: Connection) -> str:
            where = f" (component {connection.component.name})" if connection.component else ""
            return f"“{connection.name}”{where}"

        project = self.connection.project.name
        if self.other.pk == self.connection.pk:
            return (
                f"the connection {named(self.connection)} in the project {project} "
                f"would provide {self.variable} twice"
            )
        return (
            f"the connections {named(self.connection)} and {named(self.other)} in the "
            f"project {project} would both provide {self.variable}"
        )


class Connection(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="connections"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="connections")
    # Empty for a project connection, usable by every component of the project.
    component = models.ForeignKey(
        Component, on_delete=models.CASCADE, null=True, blank=True, related_name="connections"
    )
    # PROTECT: a service that connections use can be unlisted, never deleted.
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="connections")
    name = NameField(max_length=NAME_MAX_LENGTH)
    # <NAME> of CHOREO_<NAME>_<KEY>, stored so the database can keep two
    # connections a component sees from producing the same variables.
    variable_stem = models.CharField(max_length=NAME_MAX_LENGTH, editable=False)
    description = models.TextField(blank=True, max_length=1000)
    auth_scheme = models.CharField(max_length=16, choices=AuthScheme.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="connections_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The token of the form that created it: a second submit of the same
    # form (a double click, a resent POST) finds this row instead of
    # creating another or failing on the name.
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("name"), NAME_MIN_LENGTH)
                & LessThanOrEqual(Length("name"), NAME_MAX_LENGTH),
                name="connection_name_length",
            ),
            models.CheckConstraint(
                condition=models.Q(auth_scheme__in=AuthScheme.values),
                name="connection_auth_scheme_valid",
            ),
            # Same-level uniqueness is held by the database. A project
            # connection against a component connection of the same project
            # cannot be a unique index; connection_create locks the project
            # row for that check (see connections/services/).
            models.UniqueConstraint(
                Lower("name"),
                "project",
                condition=models.Q(component__isnull=True),
                name="connection_unique_project_name",
            ),
            models.UniqueConstraint(
                Lower("name"),
                "component",
                condition=models.Q(component__isnull=False),
                name="connection_unique_component_name",
            ),
            models.UniqueConstraint(
                "variable_stem",
                "project",
                condition=models.Q(component__isnull=True),
                name="connection_unique_project_variable_stem",
            ),
            models.UniqueConstraint(
                "variable_stem",
                "component",
                condition=models.Q(component__isnull=False),
                name="connection_unique_component_variable_stem",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "component", "name"], name="connection_scope_name"),
            models.Index(fields=["project", "-created_at"], name="connection_project_created"),
            # A service's "Used by" page, in name order.
            models.Index(
                fields=["service", "organization", "name", "id"], name="connection_service_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_project_connection(self) -> bool:
        return self.component_id is None

    @property
    def scope_label(self) -> str:
        return "Project" if self.is_project_connection else "Component"

    @property
    def service_kind(self) -> str:
        return ServiceKind(self.service.kind).label

    def keys(self) -> list[tuple[str, bool]]:
        """(key, is_secret) for every value the connection provides.

        A third-party service adds its endpoints' parameters: prefetch
        ``service__parameters`` when asking this of many connections.
        """
        return provided_keys(self.service, self.auth_scheme)

    def variable_names(self) -> set[str]:
        return {variable_name(self.name, key) for key, _ in self.keys()}

    def refresh_variable_stem(self) -> None:
        self.variable_stem = variable_stem(self.name)


class ConnectionBinding(models.Model):
    """What a connection resolves to in one environment.

    Internal services resolve to the service's deployment there; third-party
    services to the endpoint chosen in the Environment to Endpoint Mapping.
    """

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="bindings")
    environment = models.ForeignKey(
        Environment, on_delete=models.CASCADE, related_name="connection_bindings"
    )
    # Third-party only. The console refuses to delete an endpoint that is
    # mapped to (marketplace.services.endpoint_delete); one deleted another
    # way (the admin) leaves the environment unmapped, and the connection
    # page warns, rather than deleting the connection.
    endpoint = models.ForeignKey(
        Endpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="connection_bindings",
    )
    # The OAuth 2.0 client id; Junction's token endpoint finds the binding by it.
    consumer_key = models.CharField(max_length=64, blank=True)
    consumer_secret = EncryptedTextField(null=True, blank=True)
    # API keys are kept twice: encrypted, so that Admins and Developers can
    # reveal them, and as a SHA-256 digest, so that introspection finds the
    # binding a presented key belongs to with one index lookup instead of
    # decrypting every key. The keys are 256 random bits: an unsalted hash
    # of such a key cannot be reversed by guessing (docs/credentials.md).
    api_key = EncryptedTextField(null=True, blank=True)
    api_key_digest = models.CharField(max_length=64, blank=True, editable=False)
    # The credentials a rotation replaced, accepted until previous_valid_until
    # so running components can pick up the new ones (none when the grace
    # period was "none" or has ended).
    previous_consumer_secret = EncryptedTextField(null=True, blank=True)
    previous_api_key = EncryptedTextField(null=True, blank=True)
    previous_api_key_digest = models.CharField(max_length=64, blank=True, editable=False)
    previous_valid_until = models.DateTimeField(null=True, blank=True)
    # Counts rotations; every token names the generation of the secret that
    # obtained it, so introspection can tell a rotated-out secret's tokens.
    credentials_generation = models.PositiveIntegerField(default=1, editable=False)
    credentials_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["environment__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "environment"], name="binding_unique_environment"
            ),
            models.UniqueConstraint(
                fields=["consumer_key"],
                condition=~models.Q(consumer_key=""),
                name="binding_unique_consumer_key",
            ),
        ]
        indexes = [
            models.Index(fields=["api_key_digest"], name="binding_api_key_digest"),
            models.Index(fields=["previous_api_key_digest"], name="binding_previous_api_key"),
        ]

    def __str__(self) -> str:
        return f"{self.connection} in {self.environment}"

    def credential(self, key: str) -> str | SecretValue | None:
        """What this environment holds for one of the generated keys of
        BINDING_FIELDS: a SecretValue for a secret one, None if not generated."""
        return getattr(self, BINDING_FIELDS[key])

    def grace_is_running(self, now: datetime) -> bool:
        """Whether the credentials a rotation replaced are still accepted."""
        return self.previous_valid_until is not None and now < self.previous_valid_until

    def previous_credential(self, key: str, now: datetime) -> SecretValue | None:
        """The replaced secret of a generated key while its grace period runs."""
        if not self.grace_is_running(now):
            return None
        return getattr(self, "previous_" + BINDING_FIELDS[key], None)


def api_key_digest(api_key: str) -> str:
    """How a binding finds an API key without decrypting: its SHA-256."""
    return hashlib.sha256(api_key.encode()).hexdigest()
