"""The authorization server's routes: outside the console's log-in and
CSRF, under Junction's public address (settings.JUNCTION_PUBLIC_URL)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "oauth"

urlpatterns = [
    path(".well-known/oauth-authorization-server", views.metadata, name="metadata"),
    path("oauth2/jwks", views.jwks, name="jwks"),
    path("oauth2/token", views.token, name="token"),
    path("oauth2/introspect", views.introspect, name="introspect"),
    path("oauth2/revoke", views.revoke, name="revoke"),
]
