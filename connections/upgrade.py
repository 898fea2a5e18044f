"""The side-by-side upgrade: when a newer major of a connection's service is
in the marketplace and its scope sees it (status.NewerMajor), the connection
page offers the create form for it, at the connection's own scope, with a
name proposed that the scope does not use yet. The old connection stays."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.urls import reverse

from console.access import Scope
from marketplace.models import Service

from .models import Connection
from .naming import NAME_MAX_LENGTH, validate_connection_name
from .services import check_name_is_free, connection_keys
from .status import NewerMajor

# "Stripe v1" becomes "Stripe v2", not "Stripe v1 v2"; the separator the
# name already uses before its version is kept ("stripe-v1", "stripe-v2").
_VERSION_SUFFIX = re.compile(r"^(?P<base>.+?)(?P<separator>[ _.\-])[vV]\d+$")
# Each try is a query; a scope holding "X v2" to "X v2 5" already has its answer.
TRIES = 5


@dataclass(frozen=True)
class UpgradeOffer:
    major: int
    name: str
    # None when the scope's role cannot create connections.
    create_url: str | None


def _candidates(name: str, major: int) -> list[str]:
    match = _VERSION_SUFFIX.match(name)
    base, separator = (match["base"], match["separator"]) if match else (name, " ")
    suffixes = [f"{separator}v{major}"] + [
        f"{separator}v{major}{separator}{n}" for n in range(2, TRIES + 1)
    ]
    # Cut the base, never the suffix, to keep within the name's length, and
    # never end the base on a separator (the rule allows no two in a row).
    return [base[: NAME_MAX_LENGTH - len(suffix)].rstrip(" _.-") + suffix for suffix in suffixes]


def proposed_name(connection: Connection, service: Service) -> str:
    """The first candidate that the naming rule accepts and that neither
    repeats a name nor an environment variable of the connection's scope."""
    keys = connection_keys(service, service.security)
    candidates = _candidates(connection.name, service.major)
    for candidate in candidates:
        try:
            validate_connection_name(candidate)
            check_name_is_free(
                project=connection.project,
                component=connection.component,
                name=candidate,
                keys=keys,
            )
        except ValidationError:
            continue
        return candidate
    # The create form says what is wrong with it and lets the user choose.
    return candidates[0]


def upgrade_offer(
    scope: Scope, connection: Connection, newer: NewerMajor | None
) -> UpgradeOffer | None:
    """What the connection page at ``scope`` offers, or None when no newer
    major is seen from the connection's scope."""
    if newer is None:
        return None
    if not scope.can_write:
        return UpgradeOffer(newer.major, "", None)
    service = Service.objects.filter(pk=newer.service_id).prefetch_related("parameters").first()
    if service is None:  # deleted since the status was read
        return None
    name = proposed_name(connection, service)
    kwargs = {
        "org": scope.organization.handle,
        "project": connection.project.handle,
        "service_id": service.pk,
    }
    if connection.component is not None:
        kwargs["component"] = connection.component.handle
    url = reverse("connections:create-form", kwargs=kwargs) + "?" + urlencode({"name": name})
    return UpgradeOffer(service.major, name, url)
