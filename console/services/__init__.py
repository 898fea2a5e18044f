"""Writes on the tenancy models that touch more than one row."""

from __future__ import annotations

from django.db import transaction

from ..activity import created, record
from ..models import Action, Environment, Membership, ObjectKind, Organization, Role

# Every new organization starts with these, in promotion order.
DEFAULT_ENVIRONMENTS = (
    ("Development", "development", False),
    ("Production", "production", True),
)


def default_environments_create(*, organization: Organization) -> list[Environment]:
    """Development then Production, for an organization that has none."""
    return Environment.objects.bulk_create(
        Environment(
            organization=organization,
            name=env_name,
            handle=env_handle,
            order=order,
            is_production=is_production,
        )
        for order, (env_name, env_handle, is_production) in enumerate(DEFAULT_ENVIRONMENTS, 1)
    )


@transaction.atomic
def organization_create(*, name: str, handle: str, admin=None) -> Organization:
    """A new organization with the default environments; ``admin``, its
    first Admin, is who the activity log says created it."""
    organization = Organization.objects.create(name=name, handle=handle)
    environments = default_environments_create(organization=organization)
    if admin is not None:
        Membership.objects.create(user=admin, organization=organization, role=Role.ADMIN)
    record(
        organization=organization,
        actor=admin,
        kind=ObjectKind.ORGANIZATION,
        object_id=organization.pk,
        object_name=organization.name,
        action=Action.CREATED,
        changes=created(
            {
                "name": organization.name,
                "handle": organization.handle,
                "environments": [environment.name for environment in environments],
            }
        ),
    )
    return organization
