"""Marketplace routes. Routes that exist at several scope levels share one
name (see console/urls.py)."""

from __future__ import annotations

from django.urls import path

from console.urls_scopes import COMPONENT, ORG, PROJECT

app_name = "marketplace"

urlpatterns = []

# --- Browse and service pages (marketplace/views/browse.py) ---

# --- Third-party services and endpoint publishing ---
