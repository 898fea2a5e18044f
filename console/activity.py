"""The activity log: every write of an organization, recorded by the service
function that makes it, inside its transaction (no signals: STYLE.md), in
one model, ``ActivityEvent`` (docs/domain.md, Activity).

Every app records through ``record``: the console is the lowest app, so all
of them may import it, and it imports none of them. What a higher app's
object links to is that app's to say (settings.ACTIVITY_LINKS).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from .access import Scope
from .models import Action, ActivityEvent, Component, Membership, ObjectKind, Project
from .people import display_name

# Long texts (a service's overview, an API definition) are kept this long in
# ``changes``: enough to see what changed, not a copy of every version.
CLIPPED_LENGTH = 300


def actor_fields(actor, actor_name: str | None = None) -> dict:
    """The actor of an event: a signed-in user, or a name alone (a runtime
    token), or nobody (a script). A user is kept by the name people know
    them by (their full name, else their username), as it was then."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if actor_name is None:
        actor_name = display_name(user)
    return {"actor": user, "actor_name": actor_name}


def event(
    *,
    organization,
    project: Project | None = None,
    actor,
    kind: ObjectKind | str,
    object_id: object,
    object_name: str,
    action: Action | str,
    changes: Mapping[str, Sequence] | None = None,
    detail: Mapping | None = None,
    actor_name: str | None = None,
) -> ActivityEvent:
    """An event not yet saved (``record_many`` writes several in one
    statement). ``organization`` is an Organization or its id."""
    return ActivityEvent(
        organization_id=getattr(organization, "pk", organization),
        project=project,
        project_name=project.name if project is not None else "",
        object_kind=kind,
        object_id=str(object_id),
        object_name=str(object_name)[: ActivityEvent._meta.get_field("object_name").max_length],
        action=action,
        changes={field: list(pair) for field, pair in (changes or {}).items()},
        detail=dict(detail or {}),
        **actor_fields(actor, actor_name),
    )


def record(**fields) -> ActivityEvent:
    """Record one write; call it inside the write's transaction, with the
    arguments of ``event``."""
    recorded = event(**fields)
    recorded.save(force_insert=True)
    return recorded


def record_many(events: Iterable[ActivityEvent]) -> None:
    ActivityEvent.objects.bulk_create(list(events))


def clipped(text: str) -> str:
    text = text or ""
    return text if len(text) <= CLIPPED_LENGTH else text[: CLIPPED_LENGTH - 1] + "…"


def changed(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list]:
    """{field: [before, after]} for the fields whose value differs."""
    return {
        field: [before.get(field), value]
        for field, value in after.items()
        if before.get(field) != value
    }


def created(values: Mapping[str, object]) -> dict[str, list]:
    """The fields a create set, as changes from nothing; empty ones left out."""
    return {field: [None, value] for field, value in values.items() if value not in ("", None, [])}


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _in_words(value: object) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list | tuple):
        return ", ".join(_in_words(item) for item in value) or "none"
    return str(value)


def describe_changes(changes: object) -> list[str]:
    """ "field: before → after" for each change ("field: after" for a field a
    create set). Survives a ``changes`` of another shape (the admin's JSON)."""
    if not isinstance(changes, dict):
        return []
    lines = []
    for field, pair in changes.items():
        if isinstance(pair, list) and len(pair) == 2:
            before, after = pair
            if before is None:
                lines.append(f"{field}: {_in_words(after)}")
            else:
                lines.append(f"{field}: {_in_words(before)} → {_in_words(after)}")
    return lines


# How the log names what ``detail`` keeps (connections, delivery, oauth).
DETAIL_LABELS = {
    "service": "service",
    "scope": "level",
    "environment": "environment",
    "environments": "environments",
    "key": "secret",
    "previous": "old value",
    "keys": "keys",
    "grace": "grace period",
    "old_valid_until": "old values work until",
    "change": "change",
    "token": "runtime token",
    "secrets": "secrets pulled",
    "address": "from address",
    "via": "via",
    "with_component": "with the component",
    "local_account": "new local account",
}


def describe_detail(detail: object) -> list[str]:
    """Each "label: value" of what ``detail`` says besides a last state (which
    ``describe_state`` tells) and the service a part belongs to ("of")."""
    if not isinstance(detail, dict):
        return []
    state = detail.get("state") if isinstance(detail.get("state"), dict) else {}
    return [
        f"{DETAIL_LABELS[key]}: {_in_words(value)}"
        for key, value in detail.items()
        if key in DETAIL_LABELS
        and key not in state
        and DETAIL_LABELS[key] not in state
        and value not in ("", None, [])
    ]


def describe_state(detail: object) -> list[str]:
    """A deleted object's last state, "field: value" each."""
    state = detail.get("state") if isinstance(detail, dict) else None
    if not isinstance(state, dict):
        return []
    return [f"{field}: {_in_words(value)}" for field, value in state.items()]


# --- Where a row's object links to, while it exists ---

LinkFinder = Callable[[Scope, Sequence[ActivityEvent]], Mapping[tuple[str, str], str]]


def link_finders() -> list[LinkFinder]:
    """settings.ACTIVITY_LINKS: functions of (scope, events) returning
    {(kind, object_id): url} for the objects of their app that still exist,
    each in a query or so whatever the number of events (the console
    imports none of them)."""
    return [import_string(path) for path in settings.ACTIVITY_LINKS]


def ids_of(events: Sequence[ActivityEvent], kind: str) -> set[str]:
    return {event.object_id for event in events if event.object_kind == kind}


def uuid_ids(events: Sequence[ActivityEvent], kind: str) -> list[uuid.UUID]:
    """The ids of ``kind`` that are UUIDs (an odd one is skipped)."""
    found = []
    for value in ids_of(events, kind):
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


def integer_ids(events: Sequence[ActivityEvent], kind: str) -> list[int]:
    """The ids of ``kind`` that are primary keys (an odd one is skipped)."""
    return [int(value) for value in ids_of(events, kind) if value.isdigit() and len(value) < 19]


def console_links(scope: Scope, events: Sequence[ActivityEvent]) -> dict[tuple[str, str], str]:
    """The console's own objects: projects, components and, for Admins, the
    organization's members and environments (their settings pages)."""
    org = scope.organization.handle
    links: dict[tuple[str, str], str] = {
        (ObjectKind.ORGANIZATION, str(scope.organization.pk)): reverse(
            "console:organization", args=[org]
        )
    }
    if ids := integer_ids(events, ObjectKind.PROJECT):
        for pk, handle in Project.objects.filter(
            organization_id=scope.organization.pk, pk__in=ids
        ).values_list("pk", "handle"):
            links[ObjectKind.PROJECT, str(pk)] = reverse("console:project", args=[org, handle])
    if ids := integer_ids(events, ObjectKind.COMPONENT):
        for pk, project, handle in Component.objects.filter(
            project__organization_id=scope.organization.pk, pk__in=ids
        ).values_list("pk", "project__handle", "handle"):
            links[ObjectKind.COMPONENT, str(pk)] = reverse(
                "console:component", args=[org, project, handle]
            )
    if scope.is_admin:
        if ids := integer_ids(events, ObjectKind.MEMBER):
            members = reverse("console:members", args=[org])
            for pk in Membership.objects.filter(
                organization_id=scope.organization.pk, pk__in=ids
            ).values_list("pk", flat=True):
                links[ObjectKind.MEMBER, str(pk)] = members
        if ids := integer_ids(events, ObjectKind.ENVIRONMENT):
            environments = reverse("console:environments", args=[org])
            for pk in scope.organization.environments.filter(pk__in=ids).values_list(
                "pk", flat=True
            ):
                links[ObjectKind.ENVIRONMENT, str(pk)] = environments
    return links


def with_links(scope: Scope, events: list[ActivityEvent]) -> list[ActivityEvent]:
    """``events``, each with ``link`` (its object's page, or "" once it is
    gone), ``change_lines``, ``detail_lines`` and ``state_lines``."""
    links: dict[tuple[str, str], str] = {}
    if events:
        for finder in link_finders():
            links.update(finder(scope, events))
    for each in events:
        each.link = links.get((each.object_kind, each.object_id), "")
        each.change_lines = describe_changes(each.changes)
        each.detail_lines = describe_detail(each.detail)
        each.state_lines = describe_state(each.detail)
    return events
