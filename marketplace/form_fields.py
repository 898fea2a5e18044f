"""Form fields the marketplace's forms share: web addresses and labels."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

LABEL_MAX_LENGTH = 40
LABELS_MAX = 20
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_NOT_WEB = {"javascript", "data", "vbscript", "file", "mailto", "tel", "ftp", "ws", "wss"}


class HttpUrlField(forms.CharField):
    """An http:// or https:// address, with a message saying which part is wrong."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("widget", forms.URLInput(attrs={"placeholder": "https://"}))
        super().__init__(**kwargs)

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value or (self.max_length and len(value) > self.max_length):
            return  # the length validator says what is wrong
        match = _SCHEME.match(value)
        scheme = match.group(1).lower() if match else ""
        # "localhost:8080" is a missing scheme, not a scheme called localhost.
        if scheme not in ("", "http", "https") and ("://" in value or scheme in _NOT_WEB):
            raise ValidationError(
                f"Only http:// and https:// addresses can be used, not “{scheme}:” ones.",
                code="scheme",
            )
        try:
            URLValidator(schemes=["http", "https"])(value)
            urlsplit(value)
        except (ValidationError, ValueError) as error:
            raise ValidationError(
                "Enter a full http:// or https:// address, such as https://api.example.com/v1.",
                code="invalid",
            ) from error


class LabelsField(forms.CharField):
    """Comma-separated labels, as a list without blanks or repeats."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: str) -> list[str]:
        text = super().clean(value)
        labels: dict[str, str] = {}
        for label in text.split(","):
            label = " ".join(label.split())
            if label:
                labels.setdefault(label.lower(), label)
        too_long = [label for label in labels.values() if len(label) > LABEL_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                f"A label may be at most {LABEL_MAX_LENGTH} characters: "
                f"“{too_long[0][:LABEL_MAX_LENGTH]}…” is longer.",
                code="label_length",
            )
        if len(labels) > LABELS_MAX:
            raise ValidationError(f"Give at most {LABELS_MAX} labels.", code="label_count")
        return list(labels.values())
