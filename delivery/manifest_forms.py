"""The component.yaml form: the file pasted or uploaded, as text. Reading it
against the console is delivery/manifest.py's."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from .manifest import MANIFEST_MAX_BYTES, too_large_message

_NOT_TEXT = "This file is not UTF-8 text. Upload the component.yaml itself."


def _within_limit(data: bytes) -> None:
    if len(data) > MANIFEST_MAX_BYTES:
        raise ValidationError(too_large_message(), code="too_large")


def _read_upload(upload: UploadedFile) -> str:
    if upload.size is not None and upload.size > MANIFEST_MAX_BYTES:
        raise ValidationError(too_large_message(), code="too_large")
    # A size the client declared is not trusted: read at most one byte more
    # than the limit.
    data = upload.read(MANIFEST_MAX_BYTES + 1)
    _within_limit(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(_NOT_TEXT, code="not_text") from error
    # PostgreSQL cannot store NUL in a text column; no YAML file holds one.
    if "\x00" in text:
        raise ValidationError(_NOT_TEXT, code="not_text")
    return text


class ManifestForm(forms.Form):
    text = forms.CharField(
        label="component.yaml",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace", "spellcheck": "false"}),
        help_text="Paste the file (.choreo/component.yaml in the repository), or upload it below.",
    )
    upload = forms.FileField(
        label="Or upload the file",
        required=False,
        help_text=f"At most {MANIFEST_MAX_BYTES // 1024} KB. An upload replaces the text above.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        # Browsers send a textarea's line breaks as CRLF; the lines are the same.
        text = text.replace("\r\n", "\n")
        _within_limit(text.encode())
        if "\x00" in text:
            raise ValidationError("The text holds a NUL character.", code="not_text")
        return text

    def clean_upload(self) -> str | None:
        upload = self.cleaned_data.get("upload")
        return _read_upload(upload) if upload else None

    def clean(self) -> dict:
        data = super().clean()
        uploaded = data.get("upload")
        if uploaded is not None:
            data["text"] = uploaded.replace("\r\n", "\n")
        elif not self.errors and not data.get("text", "").strip():
            raise ValidationError("Paste the component.yaml or upload it.", code="empty")
        return data

    @property
    def manifest_text(self) -> str:
        return self.cleaned_data["text"]
