"""Forms of Settings > Members: add an existing user, change a role, make a
local account. They validate and convert; the rules that depend on the other
members (already a member, the last Admin) are checked again by
console/services/members.py under the organization's lock."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.validators import UnicodeUsernameValidator

from ..models import Membership, Organization, Role
from ..names import NameFormField

ROLE_HELP = (
    "Admins manage the organization, its members and settings; Developers make "
    "connections and publish endpoints; Viewers read."
)


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        initial=Role.VIEWER,
        widget=forms.RadioSelect,
        help_text=ROLE_HELP,
    )


class MemberAddForm(forms.Form):
    user = forms.CharField(
        label="Username or e-mail",
        max_length=254,
        help_text="Someone who already has an account on this Junction.",
    )
    role = _role_field()

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_user(self):
        """The user the username (or else the e-mail address) names."""
        given = self.cleaned_data["user"].strip()
        users = get_user_model().objects
        # Usernames are unique as typed; ignoring case only when that names
        # one account ("Bob" and "bob" may both exist).
        user = users.filter(username=given).first()
        if user is None:
            by_username = list(users.filter(username__iexact=given)[:2])
            user = by_username[0] if len(by_username) == 1 else None
        if user is None and "@" in given:
            by_email = list(users.filter(email__iexact=given)[:2])
            if len(by_email) > 1:
                raise forms.ValidationError(
                    "Several accounts have this e-mail address: give the username."
                )
            user = by_email[0] if by_email else None
        if user is None:
            raise forms.ValidationError(
                f"No account has the username or e-mail address “{given}”. Create a local "
                "account for them instead."
            )
        if Membership.objects.filter(organization_id=self.organization.pk, user=user).exists():
            raise forms.ValidationError(
                f"{user.get_username()} is already a member of {self.organization.name}."
            )
        return user


class MemberRoleForm(forms.Form):
    role = _role_field()


class LocalAccountForm(forms.Form):
    name = NameFormField(label="Full name", max_length=150)
    username = UsernameField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="What they log in with: letters, digits and @ . + - _ only.",
    )
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = _role_field()

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"The username {username} is taken. Choose another.")
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "A user with this e-mail address exists: add them as a member instead of "
                "making a new account."
            )
        return email
