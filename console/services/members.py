"""Members of an organization: added, given another role, removed, and the
local accounts an Admin makes for them.

Every write locks the organization's row first, so that the rule "an
organization keeps at least one Admin" is checked against what the other
writes of the same organization have committed: two Admins demoting each
other at once cannot leave it with none.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from ..activity import record
from ..models import Action, Membership, ObjectKind, Organization, PasswordChangeRequired, Role

LAST_ADMIN = (
    "{name} is the last Admin of {organization}: make another member an Admin first, "
    "so that someone can still manage it."
)
GONE = "{name} is no longer a member of {organization}."


def _lock(organization: Organization) -> Organization:
    # no_key: rows that point at the organization can still be inserted (the
    # lock the other writes of console take too: no deadlock between them).
    return Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": "Choose Admin, Developer or Viewer."})


def _current(membership: Membership) -> Membership:
    """The membership as committed, read under the organization's lock."""
    current = Membership.objects.select_related("user").filter(pk=membership.pk).first()
    if current is None:
        raise ValidationError(
            GONE.format(name=membership.user.get_username(), organization=membership.organization)
        )
    return current


def is_last_admin(membership: Membership) -> bool:
    """Whether the organization would have no Admin without this member."""
    return (
        membership.role == Role.ADMIN
        and not Membership.objects.filter(
            organization_id=membership.organization_id, role=Role.ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _record(membership: Membership, *, actor, action: Action, **fields) -> None:
    record(
        organization=membership.organization_id,
        actor=actor,
        kind=ObjectKind.MEMBER,
        object_id=membership.pk,
        object_name=membership.user.get_username(),
        action=action,
        **fields,
    )


def _role_label(role: str) -> str:
    return Role(role).label


def _last_admin_error(membership: Membership, organization: Organization) -> str:
    return LAST_ADMIN.format(name=membership.user.get_username(), organization=organization)


@transaction.atomic
def member_add(*, organization: Organization, user, role: str, actor=None) -> Membership:
    """``actor``: who adds them (None: a script), for the activity log, as in
    every write of this module."""
    _check_role(role)
    _lock(organization)
    already = ValidationError(
        {"user": f"{user.get_username()} is already a member of {organization.name}."}
    )
    if Membership.objects.filter(organization_id=organization.pk, user_id=user.pk).exists():
        raise already
    try:
        # The Django admin adds members without this lock: the constraint
        # is the last guard, and its refusal reads as the check's.
        with transaction.atomic():
            membership = Membership.objects.create(organization=organization, user=user, role=role)
    except IntegrityError:
        raise already from None
    _record(
        membership, actor=actor, action=Action.ADDED, changes={"role": [None, _role_label(role)]}
    )
    return membership


@transaction.atomic
def member_role_change(*, membership: Membership, role: str, actor=None) -> Membership:
    _check_role(role)
    organization = _lock(membership.organization)
    current = _current(membership)
    if role != Role.ADMIN and is_last_admin(current):
        raise ValidationError({"role": _last_admin_error(current, organization)})
    if current.role != role:
        before = current.role
        current.role = role
        current.save(update_fields=["role"])
        _record(
            current,
            actor=actor,
            action=Action.UPDATED,
            changes={"role": [_role_label(before), _role_label(role)]},
        )
    return current


@transaction.atomic
def member_remove(*, membership: Membership, actor=None) -> None:
    """Remove the member (an Admin may remove themselves), never the last Admin.
    Removing a member who is already gone does nothing."""
    organization = _lock(membership.organization)
    try:
        current = _current(membership)
    except ValidationError:
        return
    if is_last_admin(current):
        raise ValidationError(_last_admin_error(current, organization))
    _record(
        current,
        actor=actor,
        action=Action.REMOVED,
        detail={"state": {"role": _role_label(current.role)}},
    )
    current.delete()


@dataclass(frozen=True)
class LocalAccount:
    membership: Membership
    # Shown once on the page that answers the create, never stored in clear.
    one_time_password: str

    @property
    def user(self):
        return self.membership.user


def one_time_password() -> str:
    # 96 random bits, in letters, digits, "-" and "_": easy to copy, and
    # good for one log-in only, since the user must replace it.
    return secrets.token_urlsafe(12)


@transaction.atomic
@sensitive_variables("password")
def local_account_create(
    *, organization: Organization, name: str, username: str, email: str, role: str, actor=None
) -> LocalAccount:
    """A new user with a one-time password they must change at first log-in,
    and a member of ``organization`` with ``role``."""
    _check_role(role)
    _lock(organization)
    users = get_user_model().objects
    username_taken = ValidationError(
        {"username": f"The username {username} is taken. Choose another."}
    )
    if users.filter(username__iexact=username).exists():
        raise username_taken
    if users.filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": "A user with this e-mail address exists: add them as a member "
                "instead of making a new account."
            }
        )
    password = one_time_password()
    try:
        # Usernames are unique in the whole installation, which no
        # organization's lock covers: the constraint decides between two
        # organizations making the same one at once.
        with transaction.atomic():
            user = users.create_user(
                username=username, email=email, password=password, first_name=name
            )
    except IntegrityError:
        raise username_taken from None
    PasswordChangeRequired.objects.create(user=user)
    membership = Membership.objects.create(organization=organization, user=user, role=role)
    # The one-time password is never recorded: only that an account was made.
    _record(
        membership,
        actor=actor,
        action=Action.ADDED,
        changes={"role": [None, _role_label(role)]},
        detail={"local_account": True},
    )
    return LocalAccount(membership=membership, one_time_password=password)
