"""Delivery's getters: a runtime token of a scope for a request, and the
token a bearer presents to the configuration endpoint."""

from __future__ import annotations

import uuid

from django.http import Http404

from console.access import Scope

from . import version
from .models import TOKEN_PREFIX, RuntimeToken, token_digest

# A token is the prefix and 43 URL-safe characters; anything much longer is
# not one of ours and is not hashed.
_MAX_TOKEN_LENGTH = 100


def get_runtime_token(scope: Scope, token_id: str) -> RuntimeToken:
    """A token of the scope's component (or of its project, at project
    level); an unknown, malformed or foreign id is a 404."""
    try:
        public_id = uuid.UUID(str(token_id))
    except ValueError as error:
        raise Http404("No such runtime token.") from error
    token = (
        RuntimeToken.objects.at(scope.project, scope.component)
        .select_related("environment")
        .filter(public_id=public_id)
        .first()
    )
    if token is None:
        raise Http404("No such runtime token.")
    return token


def token_for_bearer(presented: str) -> RuntimeToken | None:
    """The token a bearer presents, with what delivery reads with it, or
    None. Revoked and expired tokens are returned: the caller says which."""
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > _MAX_TOKEN_LENGTH:
        return None
    return (
        RuntimeToken.objects.select_related(
            "environment", "project__organization", "component__manifest"
        )
        .annotate(**{version.ANNOTATION: version.of_organization()})
        .filter(digest=token_digest(presented))
        .first()
    )
