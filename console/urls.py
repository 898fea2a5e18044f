"""Root URLs. Every console URL carries its scope (organization, project,
component handles), so any page can be bookmarked and shared."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

console_patterns = [
    path("", views.home, name="home"),
    path("orgs/<slug:org>/", views.organization_home, name="organization"),
    path("orgs/<slug:org>/projects/<slug:project>/", views.project_home, name="project"),
    path(
        "orgs/<slug:org>/projects/<slug:project>/components/<slug:component>/",
        views.component_home,
        name="component",
    ),
]

urlpatterns = [
    path("", include((console_patterns, "console"))),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
