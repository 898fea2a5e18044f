"""The console's getters: the scope a URL's handles name (organization,
project, component) and the user's role in it. Every view starts here, then
gets its own app's objects from that app's access.py (docs/architecture.md).
Anything the user is not a member of is a 404, never a 403, so that
outsiders cannot even learn that an organization or project exists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Component, Membership, Organization, Project


@dataclass(frozen=True)
class Scope:
    """Where the user stands (organization, project, component) and their role."""

    membership: Membership
    project: Project | None = None
    component: Component | None = None

    @property
    def organization(self) -> Organization:
        return self.membership.organization

    @property
    def can_write(self) -> bool:
        return self.membership.can_write

    @property
    def is_admin(self) -> bool:
        return self.membership.is_admin

    @property
    def url_kwargs(self) -> dict[str, str]:
        """The handles that name this scope in a URL (see console/urls_scopes.py)."""
        kwargs = {"org": self.organization.handle}
        if self.project is not None:
            kwargs["project"] = self.project.handle
        if self.component is not None:
            kwargs["component"] = self.component.handle
        return kwargs

    def require_write(self) -> None:
        if not self.can_write:
            raise PermissionDenied("Your role in this organization cannot make changes.")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied("Only an organization Admin can do this.")


def get_organization_for_user(
    request: HttpRequest, org_handle: str, *, annotations: Mapping[str, Any] | None = None
) -> Scope:
    """``annotations`` are read onto the membership in the same query: a
    higher app's value per organization at no extra query (the marketplace's
    catalog version, marketplace/access.py), without this module knowing it."""
    membership = (
        Membership.objects.select_related("organization")
        .filter(user_id=request.user.pk, organization__handle=org_handle)
        .annotate(**(annotations or {}))
        .first()
    )
    if membership is None:
        raise Http404("No such organization.")
    return Scope(membership=membership)


def get_project_for_user(
    request: HttpRequest,
    org_handle: str,
    project_handle: str,
    *,
    annotations: Mapping[str, Any] | None = None,
) -> Scope:
    scope = get_organization_for_user(request, org_handle, annotations=annotations)
    project = Project.objects.filter(
        organization_id=scope.organization.pk, handle=project_handle
    ).first()
    if project is None:
        raise Http404("No such project.")
    project.organization = scope.organization
    return Scope(membership=scope.membership, project=project)


def get_component_for_user(
    request: HttpRequest,
    org_handle: str,
    project_handle: str,
    component_handle: str,
    *,
    annotations: Mapping[str, Any] | None = None,
) -> Scope:
    scope = get_organization_for_user(request, org_handle, annotations=annotations)
    component = (
        Component.objects.select_related("project")
        .filter(
            project__organization_id=scope.organization.pk,
            project__handle=project_handle,
            handle=component_handle,
        )
        .first()
    )
    if component is None:
        raise Http404("No such component.")
    component.project.organization = scope.organization
    return Scope(membership=scope.membership, project=component.project, component=component)


def get_scope_for_user(
    request: HttpRequest,
    org: str,
    project: str | None = None,
    component: str | None = None,
    *,
    annotations: Mapping[str, Any] | None = None,
) -> Scope:
    """The scope named by a URL's handles, whichever level it is at."""
    if component is not None and project is not None:
        return get_component_for_user(request, org, project, component, annotations=annotations)
    if project is not None:
        return get_project_for_user(request, org, project, annotations=annotations)
    return get_organization_for_user(request, org, annotations=annotations)


def get_membership(scope: Scope, membership_id: int) -> Membership:
    """A membership of the scope's organization; another's id is a 404."""
    membership = (
        Membership.objects.select_related("user")
        .filter(organization_id=scope.organization.pk, pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404("No such member.")
    membership.organization = scope.organization
    return membership


def can_create_organization(user) -> bool:
    """A superuser may always; any signed-in user when the installation
    says so (JUNCTION_ALLOW_ORG_CREATION)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or settings.JUNCTION_ALLOW_ORG_CREATION
