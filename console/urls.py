"""The console's own pages: the landing page, each scope's overview and the
navigation-scope menus (see junction/urls.py for the root)."""

from __future__ import annotations

from django.urls import path

from . import views
from .urls_scopes import COMPONENT, ORG, PROJECT

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("menus/organizations/", views.organization_menu, name="organization-menu"),
    path(ORG, views.organization_home, name="organization"),
    path(ORG + "menus/projects/", views.project_menu, name="project-menu"),
    path(PROJECT, views.project_home, name="project"),
    path(PROJECT + "menus/components/", views.component_menu, name="component-menu"),
    path(COMPONENT, views.component_home, name="component"),
]
