"""The marketplace: services an organization runs (internal, published by a
component's endpoint) or buys (third-party, registered by an admin).

One ``Service`` row is one marketplace card: a service at one major version.
Publishing a newer minor of that major updates the row, which is how a
connection "follows its major version" without being touched.
"""

from __future__ import annotations

from django.core.validators import URLValidator
from django.db import models
from django.db.models.functions import Lower

from console.crypto import EncryptedTextField
from console.models import Component, Environment, Organization, Project
from console.names import NameField

from .versions import validate_version

http_url_validator = URLValidator(schemes=["http", "https"])
# One limit for every way an overview is written (forms, admin, services).
OVERVIEW_MAX_LENGTH = 20_000
# An uploaded definition's limit in bytes; as UTF-8 it has at most as many
# characters, which bounds what the admin may type as well.
DEFINITION_MAX_BYTES = 1024 * 1024
DEPRECATION_MESSAGE_MAX_LENGTH = 500


class ServiceKind(models.TextChoices):
    INTERNAL = "internal", "Internal"
    THIRD_PARTY = "third-party", "Third-party"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    ORGANIZATION = "organization", "Organization"
    PROJECT = "project", "Project"


class ServiceType(models.TextChoices):
    REST = "rest", "REST"
    GRAPHQL = "graphql", "GraphQL"
    GRPC = "grpc", "gRPC"
    SOAP = "soap", "SOAP"
    ASYNCAPI = "asyncapi", "AsyncAPI"
    WEBSOCKET = "websocket", "WebSocket"
    TCP = "tcp", "TCP"


class Security(models.TextChoices):
    NONE = "none", "None"
    OAUTH2 = "oauth2", "OAuth 2.0"
    API_KEY = "api-key", "API key"


# The keys every connection to a service of each security provides, with
# whether the value is secret (docs/domain.md, Environment variables).
SECURITY_KEYS: dict[str, tuple[tuple[str, bool], ...]] = {
    Security.NONE: (("ServiceURL", False),),
    Security.OAUTH2: (
        ("ServiceURL", False),
        ("ConsumerKey", False),
        ("ConsumerSecret", True),
        ("TokenURL", False),
    ),
    Security.API_KEY: (("ServiceURL", False), ("ChoreoAPIKey", True)),
}


class DefinitionFormat(models.TextChoices):
    OPENAPI = "openapi", "OpenAPI"
    GRAPHQL_SDL = "graphql-sdl", "GraphQL SDL"
    PROTO = "proto", "Protocol Buffers"
    WSDL = "wsdl", "WSDL"
    ASYNCAPI = "asyncapi", "AsyncAPI"


class Tag(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "organization", name="tag_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceQuerySet(models.QuerySet):
    def _of(self, organization_id: int, include_unlisted: bool) -> ServiceQuerySet:
        services = self.filter(organization_id=organization_id)
        return services if include_unlisted else services.filter(listed=True)

    def visible_from(
        self,
        project: Project,
        component: Component | None = None,
        *,
        include_unlisted: bool = False,
    ) -> ServiceQuerySet:
        """The listed services a consumer in ``project`` (or ``component``) may see.

        docs/domain.md, Scopes: internal services of the organization with Public or
        Organization visibility, anything owned by the project itself
        (Project-visible internal services, project-level third-party
        services), organization-level third-party services; never a
        component's own services, never another organization's.
        ``include_unlisted`` keeps services removed from the marketplace (their
        pages stay reachable for the connections that use them).
        """
        visible = self._of(project.organization_id, include_unlisted).filter(
            models.Q(project_id=project.pk)
            | models.Q(kind=ServiceKind.THIRD_PARTY, project__isnull=True)
            | models.Q(
                kind=ServiceKind.INTERNAL,
                visibility__in=[Visibility.PUBLIC, Visibility.ORGANIZATION],
            )
        )
        if component is not None:
            visible = visible.exclude(provider_component_id=component.pk)
        return visible

    def visible_from_organization(
        self, organization: Organization, *, include_unlisted: bool = False
    ) -> ServiceQuerySet:
        """What the whole organization may consume: Public and Organization
        internal services and organization-level third-party services."""
        return self._of(organization.pk, include_unlisted).filter(
            models.Q(kind=ServiceKind.THIRD_PARTY, project__isnull=True)
            | models.Q(
                kind=ServiceKind.INTERNAL,
                visibility__in=[Visibility.PUBLIC, Visibility.ORGANIZATION],
            )
        )

    def third_party_services_at(
        self, organization: Organization, project: Project | None = None
    ) -> ServiceQuerySet:
        """The third-party services registered for ``organization``, or at
        project level the project's own and the organization's, never
        another project's (listed or not: what Admins manage)."""
        services = self.filter(organization_id=organization.pk, kind=ServiceKind.THIRD_PARTY)
        if project is not None:
            services = services.filter(
                models.Q(project_id=project.pk) | models.Q(project__isnull=True)
            )
        return services


class Service(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    # Internal: the provider component's project. Third-party: the project it
    # is registered for, or empty for the whole organization.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )
    kind = models.CharField(max_length=16, choices=ServiceKind.choices)
    name = NameField(max_length=120)
    version = models.CharField(
        max_length=64,
        validators=[validate_version],
        help_text="Newest release of this major version, e.g. 1.2.0.",
    )
    major = models.PositiveIntegerField(help_text="Major version; the card shows v<major>.")
    summary = models.CharField(max_length=300, blank=True)
    overview = models.TextField(blank=True, max_length=OVERVIEW_MAX_LENGTH, help_text="Markdown.")
    # Derived when the overview or definition is written (documentation.py),
    # so that showing a service never renders or parses.
    overview_html = models.TextField(blank=True, editable=False)
    service_type = models.CharField(
        max_length=16, choices=ServiceType.choices, default=ServiceType.REST
    )
    security = models.CharField(max_length=16, choices=Security.choices, default=Security.NONE)
    tags = models.ManyToManyField(Tag, blank=True, related_name="services")
    api_definition = models.TextField(blank=True, max_length=DEFINITION_MAX_BYTES)
    definition_format = models.CharField(
        max_length=16, choices=DefinitionFormat.choices, blank=True
    )
    definition_summary = models.JSONField(default=dict, blank=True, editable=False)
    listed = models.BooleanField(
        default=True, help_text="Shown in the marketplace. Unlisting keeps connections working."
    )
    # Internal services only.
    provider_component = models.ForeignKey(
        Component,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="published_services",
    )
    endpoint_handle = models.SlugField(max_length=60, blank=True)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, blank=True)
    # Version lifecycle: set together by service_deprecate, cleared together
    # by service_undeprecate (services.py).
    deprecated_at = models.DateTimeField(null=True, blank=True, editable=False)
    sunset_on = models.DateField(
        null=True, blank=True, help_text="The day this major version stops being served."
    )
    deprecation_message = models.CharField(max_length=DEPRECATION_MESSAGE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-major"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ServiceKind.values), name="service_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(service_type__in=ServiceType.values),
                name="service_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(security__in=Security.values), name="service_security_valid"
            ),
            # An internal service is an endpoint of a component and has a
            # network visibility; a third-party service has neither.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind=ServiceKind.INTERNAL,
                        provider_component__isnull=False,
                        project__isnull=False,
                        visibility__in=Visibility.values,
                    )
                    & ~models.Q(endpoint_handle="")
                )
                | models.Q(
                    kind=ServiceKind.THIRD_PARTY,
                    provider_component__isnull=True,
                    endpoint_handle="",
                    visibility="",
                ),
                name="service_kind_shape",
            ),
            # A sunset date and a message belong to a deprecation.
            models.CheckConstraint(
                condition=models.Q(deprecated_at__isnull=False)
                | models.Q(sunset_on__isnull=True, deprecation_message=""),
                name="service_deprecation_shape",
            ),
            models.UniqueConstraint(
                fields=["provider_component", "endpoint_handle", "major"],
                condition=models.Q(kind=ServiceKind.INTERNAL),
                name="service_unique_internal_endpoint_major",
            ),
            models.UniqueConstraint(
                Lower("name"),
                "organization",
                "major",
                condition=models.Q(kind=ServiceKind.THIRD_PARTY),
                name="service_unique_third_party_name_major",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "listed", "kind"], name="service_org_listed_kind"),
            # The marketplace's card order: a page is read off the index
            # instead of sorting every visible service.
            models.Index(
                fields=["organization", "name", "-major", "id"], name="service_card_order"
            ),
            # Counting a search's matches per facet value reads this narrow
            # index, never the wide rows (overview, API definition).
            models.Index(
                fields=[
                    "id",
                    "organization",
                    "listed",
                    "project",
                    "kind",
                    "visibility",
                    "service_type",
                ],
                name="service_facet_cell",
            ),
            # The same cells read by organization, in cell order: counting
            # every service of a scope (a one- or two-letter search's facet
            # counts, facets.py) reads this narrow index and needs no sort.
            models.Index(
                fields=["organization", "kind", "visibility", "service_type", "listed", "project"],
                name="service_org_cell",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.major}"

    @property
    def major_label(self) -> str:
        return f"v{self.major}"

    @property
    def is_deprecated(self) -> bool:
        return self.deprecated_at is not None

    @property
    def is_internal(self) -> bool:
        return self.kind == ServiceKind.INTERNAL

    @property
    def security_keys(self) -> list[str]:
        """The keys every connection to this service provides because of its
        security (SECURITY_KEYS), before any additional parameters."""
        return [key for key, _ in SECURITY_KEYS[self.security]]

    @property
    def resource_reference(self) -> str:
        """How a component.yaml names this service (docs/domain.md, Resource references).

        Internal services read the provider's project and component: select
        them with the service when rendering many references.
        """
        if self.is_internal:
            component = self.provider_component
            return (
                f"service:/{component.project.handle}/{component.handle}/v{self.major}/"
                f"{self.endpoint_handle}/{self.visibility.upper()}"
            )
        return f"thirdparty:{self.name}/v{self.major}"


class Deployment(models.Model):
    """Where an internal service answers in one environment."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="deployments")
    environment = models.ForeignKey(
        Environment, on_delete=models.CASCADE, related_name="deployments"
    )
    url = models.CharField(max_length=2000, validators=[http_url_validator])

    class Meta:
        ordering = ["environment__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "environment"], name="deployment_unique_environment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} in {self.environment}: {self.url}"


class Endpoint(models.Model):
    """One address of a third-party service (e.g. Sandbox, Live)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="endpoints")
    name = NameField(max_length=60)
    url = models.CharField("endpoint URL", max_length=2000, validators=[http_url_validator])
    environments = models.ManyToManyField(
        Environment,
        blank=True,
        related_name="endpoints",
        help_text="The environments in which this endpoint may be used.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "service", name="endpoint_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.service.name}: {self.name}"


class ServiceParameter(models.Model):
    """An additional parameter of a third-party service; every endpoint gives it
    a value, which is why the name lives on the service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="parameters")
    name = NameField(
        max_length=60,
        help_text="Letters, digits and underscores; becomes an environment variable key.",
    )
    is_secret = models.BooleanField("secret", default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "service", name="parameter_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class EndpointParameterValue(models.Model):
    """An endpoint's value for one parameter. Always stored encrypted, so that
    flipping a parameter to secret needs no data migration; whether it is
    shown depends on the parameter's secret flag (see ``shown_value``)."""

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="parameter_values"
    )
    parameter = models.ForeignKey(ServiceParameter, on_delete=models.CASCADE, related_name="values")
    value = EncryptedTextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "parameter"], name="parameter_value_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parameter.name} = {self.shown_value}"

    @property
    def shown_value(self):
        """Plain text for an ordinary parameter, the masked value for a secret."""
        if self.value is None:
            return ""
        return self.value if self.parameter.is_secret else self.value.reveal()


class FacetCount(models.Model):
    """How many listed services fall in one marketplace cell; kept by database
    triggers, never written by the application (see facet_count_triggers.py)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # 0: seen by the whole organization; otherwise the one project that sees them.
    audience_project_id = models.PositiveBigIntegerField()
    # 0: every service of the cell; otherwise those carrying this label.
    tag_id = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=16)
    visibility = models.CharField(max_length=16)
    service_type = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization",
                    "audience_project_id",
                    "tag_id",
                    "kind",
                    "visibility",
                    "service_type",
                ],
                name="facet_count_unique_cell",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.visibility}/{self.service_type}: {self.n}"


class CatalogVersion(models.Model):
    """Changes with every change to an organization's services and labels;
    kept by database triggers (see catalog_version.py)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.version}"
