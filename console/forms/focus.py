"""Where typing starts when a form opens or comes back with its errors."""

from __future__ import annotations

from django import forms


def focus_first_field(form: forms.BaseForm) -> None:
    """Mark the first field in error, else the first field shown, with the
    HTML ``autofocus`` attribute: the browser honours it when the page loads,
    and htmx when the form is swapped into a page."""
    shown = [name for name, field in form.fields.items() if not field.widget.is_hidden]
    in_error = form.errors if form.is_bound else {}
    first = next((name for name in shown if name in in_error), shown[0] if shown else None)
    if first is not None:
        form.fields[first].widget.attrs["autofocus"] = True
