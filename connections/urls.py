"""Connections at project level and at component level (same names, see
console/urls.py)."""

from __future__ import annotations

from django.urls import path

from console.urls_scopes import COMPONENT, PROJECT

from . import views

app_name = "connections"

urlpatterns = []
for scope_prefix in (PROJECT, COMPONENT):
    urlpatterns += [
        path(scope_prefix + "connections/", views.connection_list, name="list"),
        path(
            scope_prefix + "connections/<uuid:connection_id>/",
            views.connection_detail,
            name="detail",
        ),
    ]
