"""The signed-in user's own account: logging in (Django's view, which also
notes a one-time password that must be changed) and changing the password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..forms import LoginForm
from ..password_change import forget, is_required, remember_at_login
from ..services.passwords import own_password_change


class LoginView(auth_views.LoginView):
    """Django's log-in (django-axes limits its attempts), then straight to
    the change-password page for a local account's first log-in."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        if remember_at_login(self.request, form.get_user()):
            return redirect("console:password-change")
        return response


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    required = is_required(request)
    data = request.POST if request.method == "POST" else None
    form = PasswordChangeForm(request.user, data)
    if required:
        form.fields["old_password"].label = "One-time password"
    if data is not None and form.is_valid():
        own_password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
        # This session stays signed in; every other one of the user ends.
        update_session_auth_hash(request, request.user)
        forget(request)
        messages.success(request, "Your password is changed.")
        return redirect("console:home")
    return render(
        request, "console/accounts/password_change.html", {"form": form, "required": required}
    )
