"""The console's own pages: the landing page, each scope's overview and the
navigation-scope menus (see junction/urls.py for the root)."""

from __future__ import annotations

from django.urls import path

from . import views
from .urls_scopes import COMPONENT, ORG, PROJECT
from .views import accounts, activity, components, environments, members, projects

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("menus/organizations/", views.organization_menu, name="organization-menu"),
    # Before ORG, whose <slug:org> would take "new" ("new" is a reserved handle).
    path("orgs/new/", projects.organization_create, name="organization-create"),
    path(ORG, views.organization_home, name="organization"),
    path(ORG + "menus/projects/", views.project_menu, name="project-menu"),
    # Settings > Environments (Admins).
    path(ORG + "settings/environments/", environments.environment_list, name="environments"),
    path(
        ORG + "settings/environments/new/",
        environments.environment_add,
        name="environment-add",
    ),
    path(
        ORG + "settings/environments/<slug:environment>/edit/",
        environments.environment_edit,
        name="environment-edit",
    ),
    path(
        ORG + "settings/environments/<slug:environment>/move/",
        environments.environment_move,
        name="environment-move",
    ),
    path(
        ORG + "settings/environments/<slug:environment>/delete/",
        environments.environment_delete,
        name="environment-delete",
    ),
    # Projects (Admins) and components (Admins and Developers). "projects/new/"
    # comes before PROJECT, whose <slug:project> would take "new".
    path(ORG + "projects/new/", projects.project_create, name="project-create"),
    path(PROJECT + "edit/", projects.project_edit, name="project-edit"),
    path(PROJECT + "delete/", projects.project_delete, name="project-delete"),
    path(PROJECT + "components/new/", components.component_create, name="component-create"),
    path(COMPONENT + "edit/", components.component_edit, name="component-edit"),
    path(COMPONENT + "delete/", components.component_delete, name="component-delete"),
    path(PROJECT, views.project_home, name="project"),
    path(PROJECT + "menus/components/", views.component_menu, name="component-menu"),
    path(COMPONENT, views.component_home, name="component"),
    # Settings > Members (Admins) and every user's own password.
    path(ORG + "settings/members/", members.member_list, name="members"),
    path(ORG + "settings/members/add/", members.member_add, name="member-add"),
    path(
        ORG + "settings/members/new-account/",
        members.local_account_create,
        name="member-create-account",
    ),
    path(
        ORG + "settings/members/<int:membership_id>/role/", members.member_role, name="member-role"
    ),
    path(
        ORG + "settings/members/<int:membership_id>/remove/",
        members.member_remove,
        name="member-remove",
    ),
    path("accounts/password/", accounts.password_change, name="password-change"),
]

# Activity: the organization's (its Admins) and each project's (every
# member); two names, as two audiences.
urlpatterns += [
    path(ORG + "activity/", activity.activity, name="activity"),
    path(ORG + "activity/export/", activity.activity_export, name="activity-export"),
    path(PROJECT + "activity/", activity.activity, name="project-activity"),
    path(PROJECT + "activity/export/", activity.activity_export, name="project-activity-export"),
]
