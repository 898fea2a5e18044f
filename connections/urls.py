"""Connections at project level and at component level: each route exists
under both scope prefixes with one name (see console/urls.py)."""

from __future__ import annotations

from django.urls import path

from console.urls_scopes import COMPONENT, PROJECT

from .views import detail, listing

app_name = "connections"

urlpatterns = []
for scope_prefix in (PROJECT, COMPONENT):
    urlpatterns += [
        path(scope_prefix + "connections/", listing.connection_list, name="list"),
        path(
            scope_prefix + "connections/<uuid:connection_id>/",
            detail.connection_detail,
            name="detail",
        ),
    ]
