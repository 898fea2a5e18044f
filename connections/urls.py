"""Connections at project level and at component level: each route exists
under both scope prefixes with one name (see console/urls_scopes.py)."""

from __future__ import annotations

from django.urls import path

from console.urls_scopes import COMPONENT, PROJECT

from .views import create, detail, rotate
from .views.list import connection_list

app_name = "connections"

urlpatterns = []
for scope_prefix in (PROJECT, COMPONENT):
    urlpatterns += [
        path(scope_prefix + "connections/", connection_list, name="list"),
        path(scope_prefix + "connections/create/", create.create_browse, name="create"),
        path(
            scope_prefix + "connections/create/<int:service_id>/",
            create.create_form,
            name="create-form",
        ),
        path(
            scope_prefix + "connections/<uuid:connection_id>/",
            detail.connection_detail,
            name="detail",
        ),
        path(
            scope_prefix + "connections/<uuid:connection_id>/edit/",
            detail.connection_edit,
            name="edit",
        ),
        path(
            scope_prefix + "connections/<uuid:connection_id>/delete/",
            detail.connection_delete,
            name="delete",
        ),
        path(
            scope_prefix + "connections/<uuid:connection_id>/reveal/",
            detail.connection_reveal,
            name="reveal",
        ),
        path(
            scope_prefix + "connections/<uuid:connection_id>/rotate/",
            rotate.connection_rotate,
            name="rotate",
        ),
    ]
