"""Root URLs: each app's routes, log-in and log-out, and the Django admin.

Every console URL carries its scope (organization, project and component
handles), so any page can be bookmarked and shared. Routes that exist at
several scope levels share one name and one view; ``reverse`` picks the
pattern from the handles it is given (console/urls_scopes.py).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from console.views.accounts import LoginView

urlpatterns = [
    path("", include("console.urls")),
    path("", include("connections.urls")),
    path("", include("marketplace.urls")),
    path("", include("oauth.urls")),
    path("", include("delivery.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

# Errors inside the console's layout; JSON on the machine endpoints.
handler400 = "junction.errors.bad_request"
handler403 = "junction.errors.permission_denied"
handler404 = "junction.errors.page_not_found"
handler500 = "junction.errors.server_error"
