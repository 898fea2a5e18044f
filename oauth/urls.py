"""The authorization server's routes: outside the console's log-in and
CSRF, under Junction's public address (settings.JUNCTION_PUBLIC_URL). Then
the providers' "Verify callers" pages, inside the console like any other."""

from __future__ import annotations

from django.urls import path

from console.urls_scopes import COMPONENT

from . import provider_views, views

app_name = "oauth"

urlpatterns = [
    path(".well-known/oauth-authorization-server", views.metadata, name="metadata"),
    path("oauth2/jwks", views.jwks, name="jwks"),
    path("oauth2/token", views.token, name="token"),
    path("oauth2/introspect", views.introspect, name="introspect"),
    path("oauth2/revoke", views.revoke, name="revoke"),
]

# The providers' side, inside the console: how the team that publishes an
# internal service verifies its callers (oauth/provider_views.py).
callers = COMPONENT + "endpoints/<int:service_id>/callers/"
urlpatterns += [
    path(callers, provider_views.verify_callers, name="verify-callers"),
    path(
        callers + "introspection/create/",
        provider_views.introspection_create,
        name="introspection-create",
    ),
    path(
        callers + "introspection/rotate/",
        provider_views.introspection_rotate,
        name="introspection-rotate",
    ),
    path(
        callers + "introspection/reveal/",
        provider_views.introspection_reveal,
        name="introspection-reveal",
    ),
]
