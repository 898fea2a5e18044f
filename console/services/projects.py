"""Projects, components and new organizations, written from the console by
the organization's own members (#16).

Each write is one transaction. Those of an organization's projects and
components first lock the organization's row: names and handles are unique
ignoring case among siblings (console/siblings.py), which no unique index
holds, so two writers must not both pass the check. The database's
case-sensitive unique handle is the last guard; its IntegrityError never
leaves this module.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.db.models.functions import Lower

from ..activity import changed, created, event, record, record_many
from ..handles import propose_handle, validate_handle
from ..models import (
    NON_SERVING_TYPES,
    Action,
    Component,
    ComponentType,
    ObjectKind,
    Organization,
    Project,
)
from ..names import normalize_name, validate_name_characters
from ..siblings import sibling_errors
from ..usage import consumers_of, project_is_empty
from . import organization_create

DESCRIPTION_MAX_LENGTH = 2000
# A proposed handle is the name's slug, or that slug cut short to take a
# suffix (-2, -3...): the taken handles that matter all start like this.
PROPOSAL_PREFIX_LENGTH = 40


def _lock_organization(organization_id: int) -> None:
    # NO KEY: a row that merely references the organization (a connection,
    # a token) takes a KEY SHARE lock on it at commit, which must not wait
    # for this one; a plain FOR UPDATE deadlocks a connection create that
    # holds the service row component_delete then asks for.
    Organization.objects.select_for_update(no_key=True).filter(pk=organization_id).first()


def checked_name(name: str, model: type[Model]) -> str:
    """``name`` as stored (NFKC, trimmed), or a ValidationError on "name"."""
    name = normalize_name(name or "")
    limit = model._meta.get_field("name").max_length
    if not name:
        raise ValidationError({"name": ValidationError("Give a name.", code="required")})
    if len(name) > limit:
        raise ValidationError(
            {
                "name": ValidationError(
                    f"A name has at most {limit} characters (this one has {len(name)}).",
                    code="max_length",
                )
            }
        )
    try:
        validate_name_characters(name)
    except ValidationError as error:
        raise ValidationError({"name": error.error_list}) from error
    return name


def checked_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            {
                "description": ValidationError(
                    f"A description has at most {DESCRIPTION_MAX_LENGTH} characters "
                    f"(this one has {len(description)}).",
                    code="max_length",
                )
            }
        )
    if "\x00" in description:
        # PostgreSQL cannot store a NUL character in text.
        raise ValidationError(
            {"description": ValidationError("Remove the NUL character.", code="null_characters")}
        )
    return description


def _checked_type(type: str) -> str:
    if type not in ComponentType.values:
        raise ValidationError(
            {"type": ValidationError("Choose one of the component types.", code="invalid_choice")}
        )
    return type


def _handle_for(handle: str, name: str, siblings: QuerySet) -> str:
    """The handle given, checked; or, when none is, one proposed from the
    name that no sibling has."""
    if not handle:
        first = propose_handle(name)
        taken = siblings.filter(handle__istartswith=first[:PROPOSAL_PREFIX_LENGTH])
        return propose_handle(name, taken.values_list("handle", flat=True))
    try:
        return validate_handle(handle)
    except ValidationError as error:
        raise ValidationError({"handle": error.error_list}) from error


def _refuse_duplicates(siblings: QuerySet, noun: str, **values: str) -> None:
    errors = sibling_errors(siblings, noun=noun, **values)
    if errors:
        raise ValidationError(errors)


def _record_project(project: Project, *, actor, action: Action, **fields) -> None:
    record(
        organization=project.organization_id,
        project=project,
        actor=actor,
        kind=ObjectKind.PROJECT,
        object_id=project.pk,
        object_name=project.name,
        action=action,
        **fields,
    )


def _record_component(component: Component, *, actor, action: Action, **fields) -> None:
    record(
        organization=component.project.organization_id,
        project=component.project,
        actor=actor,
        kind=ObjectKind.COMPONENT,
        object_id=component.pk,
        object_name=component.name,
        action=action,
        **fields,
    )


def _record_component_deleted(component: Component, *, actor) -> None:
    """The component's "deleted", and one for each connection and published
    service that goes with it: read through reverse relations, recorded as
    the connections and the marketplace record theirs (kinds are words, so
    the console imports neither)."""
    connections = list(
        component.connections.values_list(
            "public_id", "name", "service__name", "service__major", "service__version"
        )
    )
    services = list(component.published_services.values_list("pk", "name", "major", "version"))
    tokens = sorted(component.runtime_tokens.values_list("name", flat=True), key=str.lower)
    _record_component(
        component,
        actor=actor,
        action=Action.DELETED,
        detail={
            "state": {
                "name": component.name,
                "handle": component.handle,
                "type": component.get_type_display(),
                "connections": sorted((name for _, name, *_ in connections), key=str.lower),
                "published services": [f"{name} v{major}" for _, name, major, _ in services],
                "runtime tokens": tokens,
            }
        },
    )
    gone_with = {"with_component": component.name}
    record_many(
        [
            *(
                event(
                    organization=component.project.organization_id,
                    project=component.project,
                    actor=actor,
                    kind=ObjectKind.CONNECTION,
                    object_id=public_id,
                    object_name=name,
                    action=Action.DELETED,
                    detail={
                        **gone_with,
                        "service": f"{service} v{major}",
                        "scope": "Component",
                        "state": {
                            "name": name,
                            "service": f"{service} v{major}",
                            "version": version,
                            "level": "Component",
                            "component": component.name,
                        },
                    },
                )
                for public_id, name, service, major, version in connections
            ),
            *(
                event(
                    organization=component.project.organization_id,
                    project=component.project,
                    actor=actor,
                    kind=ObjectKind.SERVICE,
                    object_id=pk,
                    object_name=f"{name} v{major}",
                    action=Action.DELETED,
                    detail={**gone_with, "state": {"name": name, "version": version}},
                )
                for pk, name, major, version in services
            ),
        ]
    )


def _insert(row: Model, handle: str) -> None:
    """Insert ``row``; a handle the database already holds is a form error."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError as error:
        raise ValidationError(
            {
                "handle": ValidationError(
                    f"The handle “{handle}” was taken just now. Choose another.",
                    code="duplicate_handle",
                )
            }
        ) from error


@transaction.atomic
def project_create(
    *,
    organization: Organization,
    name: str,
    handle: str = "",
    description: str = "",
    actor=None,
) -> Project:
    """A new project; an empty ``handle`` is proposed from the name."""
    name = checked_name(name, Project)
    description = checked_description(description)
    _lock_organization(organization.pk)
    siblings = Project.objects.filter(organization_id=organization.pk)
    handle = _handle_for(handle, name, siblings)
    _refuse_duplicates(siblings, "project", name=name, handle=handle)
    project = Project(organization=organization, name=name, handle=handle, description=description)
    _insert(project, handle)
    _record_project(
        project,
        actor=actor,
        action=Action.CREATED,
        changes=created({"name": name, "handle": handle, "description": description}),
    )
    return project


@transaction.atomic
def project_update(*, project: Project, name: str, description: str, actor=None) -> Project:
    """Rename and describe a project; its handle is fixed (URLs use it)."""
    name = checked_name(name, Project)
    description = checked_description(description)
    _lock_organization(project.organization_id)
    siblings = Project.objects.filter(organization_id=project.organization_id).exclude(
        pk=project.pk
    )
    _refuse_duplicates(siblings, "project", name=name)
    stored = Project.objects.filter(pk=project.pk).values("name", "description").first() or {}
    project.name, project.description = name, description
    project.save(update_fields=["name", "description"])
    if changes := changed(stored, {"name": name, "description": description}):
        _record_project(project, actor=actor, action=Action.UPDATED, changes=changes)
    return project


@transaction.atomic
def project_delete(*, project: Project, actor=None) -> None:
    """Delete a project that holds nothing: no components, connections,
    services registered for it or runtime tokens that still work
    (console/usage.py)."""
    _lock_organization(project.organization_id)
    # The lock connection writes take on their project: one made meanwhile
    # is seen below, or waits and then finds the project gone. A row that
    # only references the project waits for the delete at its commit.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if not project_is_empty(project):
        raise ValidationError(
            f"The project {project.name} is not empty: delete what it holds first.",
            code="in_use",
        )
    # The project's own history keeps its name (ActivityEvent.project_name)
    # once the project row is gone.
    _record_project(
        project,
        actor=actor,
        action=Action.DELETED,
        detail={"state": {"name": project.name, "handle": project.handle}},
    )
    project.delete()


def _project_still_there(project: Project) -> None:
    # Checked under the organization's lock, which project_delete takes: a
    # component of a project deleted meanwhile would fail its foreign key
    # only at commit, out of reach of any form.
    if not Project.objects.filter(pk=project.pk).exists():
        raise ValidationError(
            f"The project {project.name} was deleted meanwhile.", code="project_deleted"
        )


@transaction.atomic
def component_create(
    *,
    project: Project,
    name: str,
    type: str,
    handle: str = "",
    description: str = "",
    actor=None,
) -> Component:
    """A new component of ``project``; an empty ``handle`` is proposed from the name."""
    name = checked_name(name, Component)
    type = _checked_type(type)
    description = checked_description(description)
    _lock_organization(project.organization_id)
    _project_still_there(project)
    siblings = Component.objects.filter(project_id=project.pk)
    handle = _handle_for(handle, name, siblings)
    _refuse_duplicates(siblings, "component", name=name, handle=handle)
    component = Component(
        project=project, name=name, handle=handle, type=type, description=description
    )
    _insert(component, handle)
    _record_component(
        component,
        actor=actor,
        action=Action.CREATED,
        changes=created(
            {
                "name": name,
                "handle": handle,
                "type": ComponentType(type).label,
                "description": description,
            }
        ),
    )
    return component


@transaction.atomic
def component_update(
    *, component: Component, name: str, type: str, description: str, actor=None
) -> Component:
    """Rename, retype and describe a component; its handle is fixed."""
    name = checked_name(name, Component)
    type = _checked_type(type)
    description = checked_description(description)
    _lock_organization(component.project.organization_id)
    siblings = Component.objects.filter(project_id=component.project_id).exclude(pk=component.pk)
    _refuse_duplicates(siblings, "component", name=name)
    if type in NON_SERVING_TYPES:
        _refuse_if_publishing(component, type)
    stored = (
        Component.objects.filter(pk=component.pk).values("name", "type", "description").first()
        or {}
    )
    component.name, component.type, component.description = name, type, description
    component.save(update_fields=["name", "type", "description"])
    before = {**stored, "type": ComponentType(stored["type"]).label} if stored else {}
    after = {"name": name, "type": ComponentType(type).label, "description": description}
    if changes := changed(before, after):
        _record_component(component, actor=actor, action=Action.UPDATED, changes=changes)
    return component


def _refuse_if_publishing(component: Component, type: str) -> None:
    """A task serves no requests: a component whose endpoints are published
    in the marketplace keeps a type that serves them (its consumers would
    be left with a service nothing answers)."""
    names = [
        f"{name} v{major}"
        for name, major in component.published_services.order_by(
            Lower("name"), "major"
        ).values_list("name", "major")[:4]
    ]
    if not names:
        return
    listed = ", ".join(names[:3]) + (" and more" if len(names) > 3 else "")
    raise ValidationError(
        {
            "type": ValidationError(
                f"A {ComponentType(type).label} serves no requests, and {component.name} "
                f"publishes {listed} in the marketplace. Keep a type that serves requests.",
                code="publishes_services",
            )
        }
    )


def _consumed(component: Component) -> ValidationError:
    return ValidationError(
        f"Connections use what {component.name} publishes: delete them first.",
        code="in_use",
    )


@transaction.atomic
def component_delete(*, component: Component, actor=None) -> None:
    """Delete a component whose published services no connection uses. Its
    published services, its own connections and its runtime tokens go with
    it."""
    _lock_organization(component.project.organization_id)
    # The locks connection_create takes, in its order: the project, then the
    # service. A connection to one of the component's services made
    # meanwhile is seen below, or waits and then finds the service gone.
    # NO KEY, as for the organization: the project stays.
    Project.objects.select_for_update(no_key=True).filter(pk=component.project_id).first()
    list(component.published_services.select_for_update().order_by("pk").values_list("pk"))
    if consumers_of(component).exists():
        raise _consumed(component)
    _record_component_deleted(component, actor=actor)
    try:
        component.delete()
    except ProtectedError as error:
        # A consumer outside the organization: none can exist, but the
        # database's PROTECT is the last word.
        raise _consumed(component) from error


@transaction.atomic
def organization_start(*, name: str, handle: str, admin) -> Organization:
    """A new organization with Development and Production, ``admin`` its
    Admin. Handles are unique in the installation, ignoring case; the error
    never names the organization that has it (another tenant)."""
    name = checked_name(name, Organization)
    handle = _handle_for(handle, name, Organization.objects.all())
    taken = ValidationError(
        {
            "handle": ValidationError(
                f"The handle “{handle}” is taken. Choose another.", code="duplicate_handle"
            )
        }
    )
    if Organization.objects.filter(handle__iexact=handle).exists():
        raise taken
    try:
        with transaction.atomic():
            return organization_create(name=name, handle=handle, admin=admin)
    except IntegrityError as error:
        raise taken from error
