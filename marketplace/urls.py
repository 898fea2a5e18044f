"""Marketplace routes. Routes that exist at several scope levels share one
name (see console/urls_scopes.py)."""

from __future__ import annotations

from django.urls import path

from console.urls_scopes import COMPONENT, ORG, PROJECT

app_name = "marketplace"

urlpatterns = []

# --- Browse and service pages (marketplace/views/browse.py) ---
from .views import browse, deprecation  # noqa: E402

for scope_prefix in (ORG, PROJECT, COMPONENT):
    urlpatterns += [
        path(scope_prefix + "marketplace/", browse.marketplace, name="browse"),
        path(scope_prefix + "marketplace/facets/", browse.marketplace_facets, name="browse-facets"),
        path(
            scope_prefix + "marketplace/services/<int:service_id>/",
            browse.service_detail,
            name="service",
        ),
        path(
            scope_prefix + "marketplace/services/<int:service_id>/definition/",
            browse.service_definition,
            name="service-definition",
        ),
        path(
            scope_prefix + "marketplace/services/<int:service_id>/definition/download/",
            browse.service_definition_download,
            name="service-definition-download",
        ),
        path(
            scope_prefix + "marketplace/services/<int:service_id>/deprecation/",
            deprecation.service_deprecation,
            name="service-deprecation",
        ),
    ]

# --- Third-party services and endpoint publishing ---
from .views import publishing, third_party, third_party_endpoints  # noqa: E402

for scope_prefix in (ORG, PROJECT):
    services_prefix = scope_prefix + "third-party-services/"
    one_service = services_prefix + "<int:service_id>/"
    urlpatterns += [
        path(services_prefix, third_party.third_party_list, name="third-party-list"),
        path(
            services_prefix + "register/",
            third_party.third_party_register,
            name="third-party-register",
        ),
        path(one_service, third_party.third_party_detail, name="third-party-detail"),
        path(one_service + "edit/", third_party.third_party_edit, name="third-party-edit"),
        path(one_service + "listing/", third_party.third_party_listing, name="third-party-listing"),
        path(one_service + "delete/", third_party.third_party_delete, name="third-party-delete"),
        path(
            one_service + "endpoints/add/",
            third_party_endpoints.third_party_endpoint_add,
            name="third-party-endpoint-add",
        ),
        path(
            one_service + "endpoints/<int:endpoint_id>/edit/",
            third_party_endpoints.third_party_endpoint_edit,
            name="third-party-endpoint-edit",
        ),
        path(
            one_service + "endpoints/<int:endpoint_id>/delete/",
            third_party_endpoints.third_party_endpoint_delete,
            name="third-party-endpoint-delete",
        ),
        path(
            one_service + "parameters/add/",
            third_party_endpoints.third_party_parameter_add,
            name="third-party-parameter-add",
        ),
        path(
            one_service + "parameters/<int:parameter_id>/delete/",
            third_party_endpoints.third_party_parameter_delete,
            name="third-party-parameter-delete",
        ),
        path(
            one_service + "parameters/<int:parameter_id>/rename/",
            third_party_endpoints.third_party_parameter_rename,
            name="third-party-parameter-rename",
        ),
    ]

urlpatterns += [
    path(COMPONENT + "endpoints/add/", publishing.endpoint_add, name="component-endpoint-add"),
    path(
        COMPONENT + "endpoints/<int:service_id>/edit/",
        publishing.endpoint_edit,
        name="component-endpoint-edit",
    ),
    path(
        COMPONENT + "endpoints/<int:service_id>/remove/",
        publishing.endpoint_remove,
        name="component-endpoint-remove",
    ),
    path(
        COMPONENT + "endpoints/<int:service_id>/listing/",
        publishing.endpoint_listing,
        name="component-endpoint-listing",
    ),
]
