"""Names people give things (organizations, projects, components,
environments, services, endpoints, parameters, connections).

Two names that look the same must be the same name: a name is stored in
Unicode's compatibility form (NFKC, so a fullwidth "Ｓｔｒｉｐｅ" is "Stripe"),
and may not hold a character that shows nothing or moves the text around (a
zero-width space, a right-to-left override, a control character). Any other
letter is welcome: é, ü, 東京.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# Control, format (zero-width, bidirectional), private-use and surrogate
# characters, and the line and paragraph separators.
REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Co": "a private-use character",
    "Cs": "a surrogate",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def normalize_name(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def describe_character(character: str) -> str:
    """``U+200B ZERO WIDTH SPACE``; a character without a name says what it is."""
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "")
    if name:
        return f"{code} {name}"
    return f"{code} ({REFUSED_CATEGORIES.get(unicodedata.category(character), 'unnamed')})"


def validate_name_characters(value: str) -> None:
    for character in value:
        if unicodedata.category(character) in REFUSED_CATEGORIES:
            raise ValidationError(
                "%(character)s is not allowed in a name.",
                code="name_character",
                params={"character": describe_character(character)},
            )


class NameFormField(forms.CharField):
    """A form's name field: normalized, then checked character by character."""

    default_validators = [validate_name_characters]

    def to_python(self, value: object) -> str:
        value = super().to_python(value)
        return normalize_name(value) if isinstance(value, str) else value


class NameField(models.CharField):
    """A model's name field; the admin's forms get ``NameFormField``."""

    default_validators = [validate_name_characters]

    def to_python(self, value: object) -> object:
        value = super().to_python(value)
        return normalize_name(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": NameFormField, **kwargs})
