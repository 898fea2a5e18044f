"""Connection names and the environment variables they produce
(docs/domain.md, Names and Environment variables)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 50

# ASCII letters, digits and the separators (space, _, - and .), starting and
# ending with a letter or digit, never two separators in a row.
_REFUSED_CHARACTER = re.compile(r"[^A-Za-z0-9 _.\-]")
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
    # The characters first: "Ünïcödé" starts with a letter, just not one
    # that an environment variable's name can hold.
    refused = _REFUSED_CHARACTER.search(name)
    if refused:
        raise ValidationError(
            "A connection name may only use ASCII letters (A to Z, without accents), "
            "digits, spaces, underscores (_), hyphens (-) and dots (.): "
            f"“{refused.group()}” is not one of them.",
            code="characters",
        )
    if not (name[0].isascii() and name[0].isalnum()) or not (
        name[-1].isascii() and name[-1].isalnum()
    ):
        raise ValidationError(
            "A connection name must start and end with an ASCII letter (A to Z) or a digit.",
            code="ends",
        )
    if _SEPARATOR_RUN.search(name):
        raise ValidationError(
            "A connection name cannot have two spaces, underscores, hyphens or dots in a row.",
            code="separator_run",
        )


def variable_stem(name: str) -> str:
    """``<NAME>`` of ``CHOREO_<NAME>_<KEY>``: upper case, runs of anything
    but A-Z and 0-9 turned into one underscore."""
    return _NOT_VARIABLE_CHARACTER.sub("_", name.upper()).strip("_")


def variable_name(connection_name: str, key: str) -> str:
    return f"{VARIABLE_PREFIX}_{variable_stem(connection_name)}_{key.upper()}"
