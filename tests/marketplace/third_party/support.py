"""What the third-party services' tests share: form data and URLs."""

from __future__ import annotations

from django.urls import reverse

from marketplace.models import Service

SECRET = "sk_test_do-not-leak-4242"


def url(name: str, project: str | None = None, **kwargs) -> str:
    kwargs["org"] = "acme"
    if project:
        kwargs["project"] = project
    return reverse(f"marketplace:{name}", kwargs=kwargs)


def register_data(**overrides) -> dict:
    data = {
        "name": "Mapbox",
        "version": "2.1.0",
        "service_type": "rest",
        "security": "api-key",
        "summary": "Maps and geocoding.",
        "overview": "# Mapbox\n\nTiles.",
        "labels": "maps, geo",
        "registered_for": "",
        "parameters-TOTAL_FORMS": "3",
        "parameters-INITIAL_FORMS": "0",
        "parameters-0-name": "accessToken",
        "parameters-0-is_secret": "on",
        "parameters-1-name": "style",
        "parameters-2-name": "",
    }
    data.update(overrides)
    return data


def endpoint_data(service: Service, **overrides) -> dict:
    development = service.organization.environments.get(handle="development")
    data = {
        "name": "Sandbox",
        "url": "https://sandbox.example.com/api",
        "environments": [development.pk],
    }
    for parameter in service.parameters.all():
        data[f"parameter_{parameter.pk}"] = f"value-of-{parameter.name}"
    data.update(overrides)
    return data


def every_route(service: Service) -> list[tuple[str, dict, str]]:
    """(name, kwargs, method) of every third-party route, for one service."""
    endpoint = service.endpoints.first()
    parameter = service.parameters.first()
    one = {"service_id": service.pk}
    return [
        ("third-party-list", {}, "get"),
        ("third-party-register", {}, "get"),
        ("third-party-register", {}, "post"),
        ("third-party-detail", one, "get"),
        ("third-party-edit", one, "get"),
        ("third-party-edit", one, "post"),
        ("third-party-listing", one, "get"),
        ("third-party-listing", one, "post"),
        ("third-party-delete", one, "get"),
        ("third-party-delete", one, "post"),
        ("third-party-endpoint-add", one, "get"),
        ("third-party-endpoint-add", one, "post"),
        ("third-party-endpoint-edit", {**one, "endpoint_id": endpoint.pk}, "get"),
        ("third-party-endpoint-edit", {**one, "endpoint_id": endpoint.pk}, "post"),
        ("third-party-endpoint-delete", {**one, "endpoint_id": endpoint.pk}, "get"),
        ("third-party-endpoint-delete", {**one, "endpoint_id": endpoint.pk}, "post"),
        ("third-party-parameter-add", one, "post"),
        ("third-party-parameter-delete", {**one, "parameter_id": parameter.pk}, "get"),
        ("third-party-parameter-delete", {**one, "parameter_id": parameter.pk}, "post"),
        ("third-party-parameter-rename", {**one, "parameter_id": parameter.pk}, "get"),
        ("third-party-parameter-rename", {**one, "parameter_id": parameter.pk}, "post"),
    ]
