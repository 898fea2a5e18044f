"""Settings > Members, for the organization's Admins: the members and their
roles, adding an existing user, making a local account, changing a role and
removing a member. Other members get a 403, outsiders a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from ..access import Scope, get_membership, get_organization_for_user
from ..forms.members import LocalAccountForm, MemberAddForm, MemberRoleForm
from ..models import Membership, Role
from ..services import members as services
from ..shell import render_in_scope

PAGE_SIZE = 25
SECTION = "settings"
TEMPLATES = "console/members/"


def _admin_scope(request: HttpRequest, org: str) -> Scope:
    scope = get_organization_for_user(request, org)
    scope.require_admin()
    return scope


def _members_url(scope: Scope) -> str:
    return reverse("console:members", kwargs=scope.url_kwargs)


def _render(request: HttpRequest, template: str, scope: Scope, context: dict, status: int = 200):
    response = render_in_scope(
        request,
        TEMPLATES + template,
        scope,
        {"members_url": _members_url(scope), **context},
        section=SECTION,
    )
    response.status_code = status
    return response


@require_GET
def member_list(request: HttpRequest, org: str) -> HttpResponse:
    scope = _admin_scope(request, org)
    memberships = scope.organization.memberships.select_related("user").order_by(
        Lower("user__username"), "pk"
    )
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "list.html", scope, {"page": page})


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, org: str) -> HttpResponse:
    scope = _admin_scope(request, org)
    data = request.POST if request.method == "POST" else None
    form = MemberAddForm(data, organization=scope.organization)
    if data is not None and form.is_valid():
        user = form.cleaned_data["user"]
        try:
            membership = services.member_add(
                organization=scope.organization,
                user=user,
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Added {user.get_username()} to {scope.organization.name} as "
                f"{membership.get_role_display()}.",
            )
            return redirect(_members_url(scope))
    return _render(request, "add.html", scope, {"form": form})


@never_cache  # The answer to the POST holds the one-time password.
@require_http_methods(["GET", "POST"])
@sensitive_variables("account")  # innermost: it marks the frame of the view itself
def local_account_create(request: HttpRequest, org: str) -> HttpResponse:
    scope = _admin_scope(request, org)
    data = request.POST if request.method == "POST" else None
    form = LocalAccountForm(data)
    if data is not None and form.is_valid():
        try:
            account = services.local_account_create(
                organization=scope.organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _render(request, "account_created.html", scope, {"account": account})
    return _render(request, "create_account.html", scope, {"form": form})


def _left_admin_pages(request: HttpRequest, membership: Membership) -> bool:
    """Whether the change took the signed-in user out of the Admins."""
    return membership.user_id == request.user.pk and membership.role != Role.ADMIN


@require_http_methods(["GET", "POST"])
def member_role(request: HttpRequest, org: str, membership_id: int) -> HttpResponse:
    scope = _admin_scope(request, org)
    membership = get_membership(scope, membership_id)
    data = request.POST if request.method == "POST" else None
    form = MemberRoleForm(data, initial={"role": membership.role})
    if data is not None and form.is_valid():
        try:
            changed = services.member_role_change(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            name = changed.user.get_username()
            messages.success(request, f"{name} is now {changed.get_role_display()}.")
            if _left_admin_pages(request, changed):
                # Settings are the Admins': show what the new role may see.
                return redirect("console:organization", scope.organization.handle)
            return redirect(_members_url(scope))
    return _render(request, "role.html", scope, {"form": form, "membership": membership})


@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, org: str, membership_id: int) -> HttpResponse:
    """GET asks for confirmation, or says why the last Admin cannot go."""
    scope = _admin_scope(request, org)
    membership = get_membership(scope, membership_id)
    context = {"membership": membership, "is_self": membership.user_id == request.user.pk}
    if request.method == "POST":
        try:
            services.member_remove(membership=membership, actor=request.user)
        except ValidationError as error:
            context["refusal"] = " ".join(error.messages)
            return _render(request, "remove.html", scope, context, status=409)
        name = membership.user.get_username()
        if context["is_self"]:
            messages.success(request, f"You are no longer a member of {scope.organization.name}.")
            return redirect("console:home")
        messages.success(request, f"Removed {name} from {scope.organization.name}.")
        return redirect(_members_url(scope))
    if services.is_last_admin(membership):
        context["refusal"] = services.LAST_ADMIN.format(
            name=membership.user.get_username(), organization=scope.organization
        )
    return _render(request, "remove.html", scope, context)
