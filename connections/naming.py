"""Connection names and the environment variables they produce
(docs/domain.md, Names and Environment variables)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 50

# Starts and ends with a letter or digit; a separator (space, _, - or .) is
# always followed by a letter or digit, so two never stand in a row.
_NAME = re.compile(r"[A-Za-z0-9](?:[ _.\-]?[A-Za-z0-9])*")
_SEPARATOR_RUN = re.compile(r"[ _.\-]{2,}")
_NOT_VARIABLE_CHARACTER = re.compile(r"[^A-Z0-9]+")

VARIABLE_PREFIX = "CHOREO"


def validate_connection_name(name: str) -> None:
    """Raise a ValidationError that says what is wrong, in plain words."""
    if len(name) < NAME_MIN_LENGTH:
        raise ValidationError(
            f"A connection name needs at least {NAME_MIN_LENGTH} characters.", code="too_short"
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            f"A connection name can have at most {NAME_MAX_LENGTH} characters "
            f"(this one has {len(name)}).",
            code="too_long",
        )
    if not (name[0].isascii() and name[0].isalnum()) or not (
        name[-1].isascii() and name[-1].isalnum()
    ):
        raise ValidationError(
            "A connection name must start and end with a letter or a digit.", code="ends"
        )
    if _SEPARATOR_RUN.search(name):
        raise ValidationError(
            "A connection name cannot have two spaces, underscores, hyphens or dots in a row.",
            code="separator_run",
        )
    if not _NAME.fullmatch(name):
        raise ValidationError(
            "A connection name may only use letters A to Z, digits, spaces, "
            "underscores (_), hyphens (-) and dots (.).",
            code="characters",
        )


def variable_stem(name: str) -> str:
    """``<NAME>`` of ``CHOREO_<NAME>_<KEY>``: upper case, runs of anything
    but A-Z and 0-9 turned into one underscore."""
    return _NOT_VARIABLE_CHARACTER.sub("_", name.upper()).strip("_")


def variable_name(connection_name: str, key: str) -> str:
    return f"{VARIABLE_PREFIX}_{variable_stem(connection_name)}_{key.upper()}"
