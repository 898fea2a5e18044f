"""Delivery's routes: the configuration endpoint (outside the console's
log-in and CSRF: a runtime token's) and the runtime-token pages of a
component or a project, inside the console. The routes at both levels
share one name (console/urls_scopes.py)."""

from __future__ import annotations

from django.urls import path

from console.urls_scopes import COMPONENT, PROJECT

from . import api, manifest_views, views

app_name = "delivery"

urlpatterns = [
    path("api/v1/runtime/config", api.runtime_config, name="config"),
]
for scope in (COMPONENT, PROJECT):
    urlpatterns += [
        path(scope + "runtime-tokens/new/", views.token_create, name="token-create"),
        path(
            scope + "runtime-tokens/<str:token_id>/revoke/",
            views.token_revoke,
            name="token-revoke",
        ),
    ]

# A component's component.yaml (delivery/manifest_views.py).
urlpatterns += [
    path(COMPONENT + "component-yaml/", manifest_views.component_yaml, name="component-yaml"),
    path(
        COMPONENT + "component-yaml/remove/",
        manifest_views.component_yaml_remove,
        name="component-yaml-remove",
    ),
]
