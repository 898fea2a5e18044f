"""Semantic versions as services carry them (``1.2.0``; the card shows ``v1``)."""

from __future__ import annotations

import re
from typing import NamedTuple

from django.core.exceptions import ValidationError

# semver.org 2.0.0: MAJOR.MINOR.PATCH, optional -prerelease and +build.
_SEMVER = re.compile(
    r"^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


class Version(NamedTuple):
    major: int
    minor: int
    patch: int


def parse_version(text: str) -> Version:
    match = _SEMVER.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValidationError(
            "Enter a semantic version such as 1.0.0 (major.minor.patch).",
            code="invalid_version",
        )
    return Version(*(int(part) for part in match.groups()))


def validate_version(text: str) -> None:
    parse_version(text)
