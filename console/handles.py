"""Handles: the lower-case slugs that name an organization, environment,
project or component in URLs (console/urls_scopes.py). Proposed from the
name, checked here, unique ignoring case in their parent, and fixed once
made so that every URL and resource reference stays valid."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

HANDLE_MAX_LENGTH = 50
HANDLE_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
# Words a URL already uses for a page of its own ("…/projects/new/"), or
# that a person would read as one: a handle may not be one of them.
RESERVED_HANDLES = frozenset(
    {
        "admin", "api", "connections", "create", "delete", "edit", "marketplace", "members",
        "menus", "new", "settings", "static", "environments", "projects", "components",
    }
)  # fmt: skip
HANDLE_HELP = (
    "Lower-case letters, digits and dashes, in URLs and resource references. "
    "It cannot be changed later."
)


def validate_handle(value: str) -> str:
    """The handle as stored (lower case), or a ValidationError saying the rule."""
    handle = value.strip().lower()
    if not handle:
        raise ValidationError("Give a handle.", code="required")
    if len(handle) > HANDLE_MAX_LENGTH:
        raise ValidationError(
            f"A handle has at most {HANDLE_MAX_LENGTH} characters (this one has {len(handle)}).",
            code="max_length",
        )
    if not HANDLE_PATTERN.fullmatch(handle):
        raise ValidationError(
            "Use lower-case letters a to z, digits and dashes, starting and ending with a "
            "letter or a digit.",
            code="invalid",
        )
    if handle in RESERVED_HANDLES:
        raise ValidationError(
            f"“{handle}” is reserved: the console's own pages use it. Choose another.",
            code="reserved",
        )
    return handle


def propose_handle(name: str, taken: Iterable[str] = ()) -> str:
    """A valid handle for ``name`` that is not in ``taken`` (compared
    ignoring case): its ASCII slug, with -2, -3... when needed."""
    base = slugify(name)[:HANDLE_MAX_LENGTH].strip("-") or "item"
    if base in RESERVED_HANDLES:
        base = f"{base}-1"
    used = {handle.lower() for handle in taken}
    candidate, n = base, 2
    while candidate in used:
        suffix = f"-{n}"
        candidate, n = base[: HANDLE_MAX_LENGTH - len(suffix)].rstrip("-") + suffix, n + 1
    return candidate


class HandleFormField(forms.CharField):
    """A handle typed in a form: validated and lower-cased. Uniqueness is
    the form's to check (it knows the parent)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", "Handle")
        kwargs.setdefault("help_text", HANDLE_HELP)
        kwargs.setdefault("max_length", None)
        super().__init__(**kwargs)

    def clean(self, value: object) -> str:
        value = super().clean(value)
        if value in self.empty_values:
            return value
        return validate_handle(value)
