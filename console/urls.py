"""Root URLs. Every console URL carries its scope (organization, project and
component handles), so any page can be bookmarked and shared.

Routes that exist at project and at component level share one name and one
view; ``reverse`` picks the pattern from the handles it is given.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .forms import LoginForm
from .urls_scopes import COMPONENT, ORG, PROJECT

console_patterns = [
    path("", views.home, name="home"),
    path("menus/organizations/", views.organization_menu, name="organization-menu"),
    path(ORG, views.organization_home, name="organization"),
    path(ORG + "menus/projects/", views.project_menu, name="project-menu"),
    path(PROJECT, views.project_home, name="project"),
    path(PROJECT + "menus/components/", views.component_menu, name="component-menu"),
    path(COMPONENT, views.component_home, name="component"),
]

urlpatterns = [
    path("", include((console_patterns, "console"))),
    path("", include("connections.urls")),
    path("", include("marketplace.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
