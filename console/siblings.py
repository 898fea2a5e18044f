"""A project's or component's name and handle are its own among its
siblings (the projects of its organization, the components of its project),
ignoring case: two rows that look alike would be told apart by nobody.

The forms check it to answer beside the field; the service functions check
it again under the organization's lock (console/services/projects.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.db.models.functions import Length

from .names import normalize_name


def name_key(name: str) -> str:
    """What two names that are the same name have in common."""
    return normalize_name(name).lower()


def same_name(siblings: QuerySet, name: str) -> Model | None:
    """The sibling called ``name``, ignoring case, if there is one."""
    key = name_key(name)
    # SQLite folds the case of ASCII letters only (lower(), LIKE): the
    # database narrows the siblings to names of the same length, and
    # Python compares those.
    candidates = (
        siblings.annotate(name_length=Length("name"))
        .filter(name_length=len(key))
        .only("pk", "name", "handle")
    )
    return next((sibling for sibling in candidates if name_key(sibling.name) == key), None)


def same_handle(siblings: QuerySet, handle: str) -> Model | None:
    """The sibling whose handle is ``handle``, ignoring case (handles are ASCII)."""
    return siblings.filter(handle__iexact=handle).only("pk", "name", "handle").first()


def sibling_errors(
    siblings: QuerySet,
    *,
    noun: str,
    name: str | None = None,
    handle: str | None = None,
) -> dict[str, ValidationError]:
    """The errors, by field, of a ``noun`` ("project", "component") named
    ``name`` with ``handle`` among ``siblings`` (the row itself left out)."""
    errors = {}
    if name and (sibling := same_name(siblings, name)) is not None:
        errors["name"] = ValidationError(
            f"The {noun} “{sibling.name}” already has this name (names are compared "
            "ignoring case). Choose another.",
            code="duplicate_name",
        )
    if handle and (sibling := same_handle(siblings, handle)) is not None:
        errors["handle"] = ValidationError(
            f"The {noun} “{sibling.name}” already has the handle “{sibling.handle}” "
            "(handles are compared ignoring case). Choose another.",
            code="duplicate_handle",
        )
    return errors
