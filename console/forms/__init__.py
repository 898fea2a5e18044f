"""Forms of the console shell."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked before any
    authentication: Django sets the field's max_length after building it, so
    without this an over-long name would reach the backends and the
    failed-login log (django-axes), whose column cannot hold it."""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        limit = self.username_field.max_length or 254
        if len(username) > limit:
            raise ValidationError(
                f"A username has at most {limit} characters (this one has {len(username)}).",
                code="max_length",
            )
        return username
