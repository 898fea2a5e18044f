"""The Django admin's plain saves and deletes, in the activity log.

The console's own pages write through service functions, which record what
they do (console/activity.py). Most admin pages save the model directly;
``RecordsActivity`` records those writes too, in the same transaction, so
that the log holds every write whichever door it came through. Admin pages
that already call a service function (connections, an endpoint's delete)
must not use it: the service records the write.

The console imports no higher app: the other apps' models are named here by
their label, as ObjectKind names their kinds.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction

from .activity import clipped, event, record_many
from .models import Action, ActivityEvent, ObjectKind, Project

# The kind each model's events have, by model label.
KIND_OF_MODEL = {
    "console.organization": ObjectKind.ORGANIZATION,
    "console.membership": ObjectKind.MEMBER,
    "console.environment": ObjectKind.ENVIRONMENT,
    "console.project": ObjectKind.PROJECT,
    "console.component": ObjectKind.COMPONENT,
    "marketplace.service": ObjectKind.SERVICE,
    "marketplace.endpoint": ObjectKind.ENDPOINT,
    "marketplace.serviceparameter": ObjectKind.PARAMETER,
    "marketplace.tag": ObjectKind.LABEL,
}

# Models whose rows are part of another object, whose event it is: a
# deployment's URL is a change of its service.
OWNER_OF_MODEL = {"marketplace.deployment": "service"}

# Never kept, even as a before and after.
HIDDEN_FIELDS = {"password"}


def _owner(obj: models.Model) -> models.Model:
    owner_field = OWNER_OF_MODEL.get(obj._meta.label_lower)
    return getattr(obj, owner_field) if owner_field else obj


def _place(obj: models.Model) -> tuple[int | None, Project | None]:
    """(organization id, project or None) an object's events belong to."""
    if isinstance(obj, Project):
        return obj.organization_id, obj
    project = getattr(obj, "project", None)
    if isinstance(project, Project):
        return project.organization_id, project
    if hasattr(obj, "organization_id"):
        return obj.organization_id, None
    if obj._meta.label_lower == "console.organization":
        return obj.pk, None
    service = getattr(obj, "service", None)
    return _place(service) if service is not None else (None, None)


def _in_words(value: object) -> object:
    """A field's value as the log shows it: names, not ids; long text clipped."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(str(item) for item in value)
    if isinstance(value, str):
        return clipped(value)
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)


def _form_changes(form, change: bool) -> dict[str, list]:
    """{label: [before, after]} of what a change changed, or of every field a
    create set, as the page shows them."""
    fields = form.changed_data if change else list(form.fields)
    changes = {}
    for field in fields:
        if field not in form.fields or field in ("id", "DELETE"):
            continue
        label = str(form.fields[field].label or field)
        after = _as_shown(form, field, form.cleaned_data.get(field))
        if field in HIDDEN_FIELDS:
            changes[label] = ["…", "changed"] if change else [None, "set"]
        elif change:
            changes[label] = [_as_shown(form, field, form.initial.get(field)), after]
        elif after not in (None, "", []):
            changes[label] = [None, after]
    return changes


def _as_shown(form, field: str, value: object) -> object:
    """A field's value as the page showed it: a choice by its label, a
    relation by its object's name (the form's initial value holds keys)."""
    form_field = form.fields[field]
    queryset = getattr(form_field, "queryset", None)
    if queryset is not None and value not in (None, "", []):
        many = isinstance(value, list | tuple | models.QuerySet)
        keys = [getattr(key, "pk", key) for key in (value if many else [value])]
        found = list(queryset.model._default_manager.filter(pk__in=keys))
        return _in_words(found if many else (found[0] if found else None))
    choices = getattr(form_field, "choices", None)
    if choices is not None and not isinstance(value, list | tuple):
        return _in_words(dict(choices).get(value, value))
    return _in_words(value)


def _state(obj: models.Model) -> dict:
    """A deleted object's last state: its own plain fields, as shown."""
    return {
        field.verbose_name: _in_words(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if not field.primary_key
        and not field.is_relation
        and field.name not in HIDDEN_FIELDS
        and getattr(obj, field.attname) not in ("", None)
    }


def activity_event(
    request, obj: models.Model, action: Action, changes=None, detail=None
) -> ActivityEvent | None:
    """The event of an admin write to ``obj``, or None for a model the log
    has no kind for (or whose organization is gone with it)."""
    subject = _owner(obj)
    kind = KIND_OF_MODEL.get(subject._meta.label_lower)
    organization_id, project = _place(subject)
    if kind is None or organization_id is None:
        return None
    name = subject.user.get_username() if kind == ObjectKind.MEMBER else str(subject)
    if subject is not obj and action != Action.UPDATED:
        # A part added or removed (a deployment) is a change of its owner.
        changes = {str(obj): [None, "added"] if action == Action.ADDED else ["…", "removed"]}
        action = Action.UPDATED
    return event(
        organization=organization_id,
        project=project,
        actor=request.user,
        kind=kind,
        object_id=subject.pk,
        object_name=name,
        action=action,
        changes=changes,
        detail={"via": "admin", **(detail or {})},
    )


def _save_all(events: Iterable[ActivityEvent | None]) -> None:
    record_many(found for found in events if found is not None)


class RecordsActivity:
    """A ModelAdmin mixin: every save and delete it makes, and those of its
    inlines, recorded in the activity log as the console's pages record
    theirs (who, when, before and after, a deleted object's last state)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = Action.UPDATED if change else Action.CREATED
        changes = _form_changes(form, change)
        if change and not changes:
            return
        _save_all([activity_event(request, obj, action, changes)])

    def save_formset(self, request, form, formset, change):
        # A deleted row loses its primary key with the delete: its event is
        # made before.
        events = [
            activity_event(request, row.instance, Action.DELETED, detail=_deleted(row.instance))
            for row in formset.deleted_forms
            if row.instance.pk is not None
        ]
        super().save_formset(request, form, formset, change)
        forms_by_instance = {id(each.instance): each for each in formset.forms}
        for obj in formset.new_objects:
            row = forms_by_instance.get(id(obj))
            changes = _form_changes(row, False) if row is not None else None
            events.append(activity_event(request, obj, Action.ADDED, changes))
        for obj, _fields in formset.changed_objects:
            row = forms_by_instance.get(id(obj))
            changes = _form_changes(row, True) if row is not None else None
            events.append(activity_event(request, obj, Action.UPDATED, changes))
        _save_all(events)

    def delete_model(self, request, obj):
        self._delete(request, [obj])

    def delete_queryset(self, request, queryset):
        self._delete(request, list(queryset))

    def _delete(self, request, objects: list[models.Model]) -> None:
        with transaction.atomic():
            # Recorded first: a project's events keep its name once it is
            # gone (their link to it is set to null by the delete).
            _save_all(
                activity_event(request, obj, Action.DELETED, detail=_deleted(obj))
                for obj in objects
            )
            for obj in objects:
                super().delete_model(request, obj)


def _deleted(obj: models.Model) -> dict:
    return {"state": _state(obj)}
