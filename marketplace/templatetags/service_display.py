"""How a service shows wherever it is named: its type's icon, and a color per
major version so that v1 and v2 of one service are told apart at a glance.
``{% load service_display %}``."""

from __future__ import annotations

from django import template

register = template.Library()

# Bootstrap Icons, one per ServiceType value (marketplace/models.py).
SERVICE_TYPE_ICONS = {
    "rest": "bi-braces",
    "graphql": "bi-share",
    "grpc": "bi-lightning-charge",
    "soap": "bi-envelope-paper",
    "asyncapi": "bi-broadcast",
    "websocket": "bi-arrow-left-right",
    "tcp": "bi-hdd-network",
}
# The number of .version-tone-N classes in static/junction/junction.css.
VERSION_TONES = 4


@register.filter
def service_icon(service_type: str) -> str:
    return SERVICE_TYPE_ICONS.get(service_type, "bi-plug")


@register.filter
def version_tone(major: object) -> str:
    """``version-tone-N``: consecutive majors never share a color."""
    try:
        number = int(major)
    except (TypeError, ValueError):
        number = 1
    return f"version-tone-{(number - 1) % VERSION_TONES}"
