"""``manage.py seed_demo``: create the demo company of ``demo/data.py``.

Idempotent by lookup, not by reset: every object is found by its natural key
(username, handle, name) and created only when missing, through the same
service functions the console uses. Nothing that exists is deleted, recreated
or re-saved, so a second run changes no row, keeps generated credentials and
leaves whatever a person did in the demo in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from connections.models import Connection
from connections.services import connection_create
from console.models import Component, Environment, Membership, Organization, Project, Role
from console.services import organization_create
from console.services.members import member_add
from console.services.projects import component_create, project_create
from demo import data as demo_data
from demo.data import (
    ConnectionSpec,
    InternalRef,
    InternalServiceSpec,
    OrganizationSpec,
    ProjectSpec,
    ThirdPartyServiceSpec,
    UserSpec,
)
from marketplace.models import Service, ServiceKind
from marketplace.services import (
    endpoint_create,
    internal_service_publish,
    service_set_listed,
    third_party_service_register,
)
from marketplace.versions import parse_version


@dataclass
class SeedReport:
    created: int = 0
    notes: list[str] = field(default_factory=list)


class _OrganizationSeeder:
    """Creates what is missing of one organization, in dependency order."""

    organization: Organization
    environments: dict[str, Environment]

    def __init__(
        self, spec: OrganizationSpec, users: dict[str, AbstractUser], report: SeedReport
    ) -> None:
        self.spec = spec
        self.users = users
        self.report = report

    def run(self) -> None:
        # What the demo makes, the activity log says its first Admin made.
        self.admin = next(
            self.users[username] for username, role in self.spec.members if role == Role.ADMIN
        )
        self.organization = self._organization()
        self.environments = {env.handle: env for env in self.organization.environments.all()}
        for username, role in self.spec.members:
            self._membership(self.users[username], role)
        for project_spec in self.spec.projects:
            self._project(project_spec)
        unlisted: list[Service] = []
        for service_spec in self.spec.internal_services:
            service, created = self._internal_service(service_spec)
            if created and not service_spec.listed:
                unlisted.append(service)
        for third_party_spec in self.spec.third_party_services:
            self._third_party_service(third_party_spec)
        for connection_spec in self.spec.connections:
            self._connection(connection_spec)
        # Unlisted last: a connection can only be created to a listed service,
        # and the demo shows one that outlived its service's removal.
        # Only services created by this run, so a service someone listed again
        # in the console stays listed.
        for service in unlisted:
            service_set_listed(service=service, listed=False, actor=self.admin)

    def _organization(self) -> Organization:
        organization = Organization.objects.filter(handle=self.spec.handle).first()
        if organization is None:
            organization = organization_create(
                name=self.spec.name, handle=self.spec.handle, admin=self.admin
            )
            self.report.created += 1
        return organization

    def _membership(self, user: AbstractUser, role: str) -> None:
        membership = Membership.objects.filter(user=user, organization=self.organization).first()
        if membership is None:
            member_add(organization=self.organization, user=user, role=role, actor=self.admin)
            self.report.created += 1
        elif membership.role != role:
            # The personas are the point of the demo: demo must stay an Admin.
            membership.role = role
            membership.save(update_fields=["role"])

    def _project(self, spec: ProjectSpec) -> None:
        project = Project.objects.filter(organization=self.organization, handle=spec.handle).first()
        if project is None:
            project = project_create(
                organization=self.organization,
                name=spec.name,
                handle=spec.handle,
                description=spec.description,
                actor=self.admin,
            )
            self.report.created += 1
        for component_spec in spec.components:
            if project.components.filter(handle=component_spec.handle).exists():
                continue
            component_create(
                project=project,
                name=component_spec.name,
                handle=component_spec.handle,
                type=component_spec.type,
                description=component_spec.description,
                actor=self.admin,
            )
            self.report.created += 1

    def _component(self, project_handle: str, component_handle: str) -> Component:
        return Component.objects.select_related("project__organization").get(
            project__organization=self.organization,
            project__handle=project_handle,
            handle=component_handle,
        )

    def _internal_service(self, spec: InternalServiceSpec) -> tuple[Service, bool]:
        ref = InternalRef(
            spec.project, spec.component, spec.endpoint_handle, parse_version(spec.version).major
        )
        # internal_service_publish updates an existing row (it is how a new
        # minor is released), so it is only called for a missing one.
        existing = self._internal_service_for(ref)
        if existing is not None:
            return existing, False
        service = internal_service_publish(
            component=self._component(spec.project, spec.component),
            endpoint_handle=spec.endpoint_handle,
            endpoint_name=spec.endpoint_name,
            version=spec.version,
            visibility=spec.visibility,
            service_type=spec.service_type,
            security=spec.security,
            summary=spec.summary,
            overview=spec.overview,
            tags=spec.tags,
            urls={self.environments[handle]: url for handle, url in spec.urls.items()},
            api_definition=spec.api_definition,
            definition_format=spec.definition_format,
            actor=self.admin,
        )
        self.report.created += 1
        return service, True

    def _internal_service_for(self, ref: InternalRef) -> Service | None:
        return Service.objects.filter(
            organization=self.organization,
            kind=ServiceKind.INTERNAL,
            provider_component__project__handle=ref.project,
            provider_component__handle=ref.component,
            endpoint_handle=ref.endpoint,
            major=ref.major,
        ).first()

    def _third_party_service_for(self, name: str, major: int) -> Service | None:
        return Service.objects.filter(
            organization=self.organization,
            kind=ServiceKind.THIRD_PARTY,
            name__iexact=name,
            major=major,
        ).first()

    def _third_party_service(self, spec: ThirdPartyServiceSpec) -> None:
        service = self._third_party_service_for(spec.name, parse_version(spec.version).major)
        if service is None:
            project = (
                Project.objects.get(organization=self.organization, handle=spec.project)
                if spec.project
                else None
            )
            service = third_party_service_register(
                organization=self.organization,
                project=project,
                name=spec.name,
                version=spec.version,
                service_type=spec.service_type,
                security=spec.security,
                summary=spec.summary,
                overview=spec.overview,
                tags=spec.tags,
                api_definition=spec.api_definition,
                definition_format=spec.definition_format,
                parameters=spec.parameters,
                actor=self.admin,
            )
            self.report.created += 1
        for endpoint_spec in spec.endpoints:
            if service.endpoints.filter(name__iexact=endpoint_spec.name).exists():
                continue
            endpoint_create(
                service=service,
                name=endpoint_spec.name,
                url=endpoint_spec.url,
                environments=[self.environments[handle] for handle in endpoint_spec.environments],
                parameter_values=endpoint_spec.values,
                actor=self.admin,
            )
            self.report.created += 1

    def _connection(self, spec: ConnectionSpec) -> None:
        project = Project.objects.get(organization=self.organization, handle=spec.project)
        component = (
            Component.objects.get(project=project, handle=spec.component)
            if spec.component
            else None
        )
        if Connection.objects.filter(
            project=project, component=component, name__iexact=spec.name
        ).exists():
            return
        if isinstance(spec.service, InternalRef):
            service = self._internal_service_for(spec.service)
        else:
            service = self._third_party_service_for(spec.service.name, spec.service.major)
        if service is None or not service.listed:
            # Someone deleted the connection after its service was unlisted;
            # the rules allow no new one, and that is fine for a demo.
            self.report.notes.append(
                f"Skipped the connection “{spec.name}”: its service is not in the marketplace."
            )
            return
        endpoints = {
            self.environments[handle].pk: service.endpoints.get(name__iexact=endpoint_name)
            for handle, endpoint_name in spec.endpoints.items()
        }
        connection_create(
            project=project,
            component=component,
            service=service,
            name=spec.name,
            description=spec.description,
            endpoints=endpoints,
            created_by=self.users[spec.created_by],
        )
        self.report.created += 1


def _user(spec: UserSpec, report: SeedReport) -> AbstractUser:
    user_model = get_user_model()
    user = user_model.objects.filter(username=spec.username).first()
    if user is None:
        report.created += 1
        return user_model.objects.create_user(
            username=spec.username,
            password=spec.password,
            email=spec.email,
            first_name=spec.first_name,
            last_name=spec.last_name,
            is_staff=spec.is_superuser,
            is_superuser=spec.is_superuser,
        )
    # Only what signing in as the persona needs; the password is checked,
    # not set, so that an unchanged one keeps its hash.
    changed = []
    if not user.is_active:
        user.is_active = True
        changed.append("is_active")
    if spec.is_superuser and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        changed += ["is_staff", "is_superuser"]
    if not user.check_password(spec.password):
        user.set_password(spec.password)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
    return user


@transaction.atomic
def seed_demo() -> SeedReport:
    report = SeedReport()
    users = {spec.username: _user(spec, report) for spec in demo_data.USERS}
    for organization_spec in demo_data.ORGANIZATIONS:
        _OrganizationSeeder(organization_spec, users, report).run()
    return report


def _summary(report: SeedReport) -> str:
    handles = [spec.handle for spec in demo_data.ORGANIZATIONS]
    in_demo = {"organization__handle__in": handles}
    counts = (
        (Organization.objects.filter(handle__in=handles).count(), "organization"),
        (Project.objects.filter(**in_demo).count(), "project"),
        (Component.objects.filter(project__organization__handle__in=handles).count(), "component"),
        (Service.objects.filter(**in_demo).count(), "service"),
        (Connection.objects.filter(**in_demo).count(), "connection"),
        (len(demo_data.USERS), "user"),
    )
    listed = ", ".join(f"{count} {noun}{'' if count == 1 else 's'}" for count, noun in counts)
    news = f"{report.created} objects created" if report.created else "nothing new to create"
    return f"Demo data ready: {listed} ({news}). Log in as demo/demo."


class Command(BaseCommand):
    help = "Create the demo organizations, users, services and connections (idempotent)."

    def handle(self, *args, **options) -> None:
        try:
            report = seed_demo()
        except ValidationError as error:
            raise CommandError(
                "The demo data could not be created: " + " ".join(error.messages)
            ) from error
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(_summary(report)))
