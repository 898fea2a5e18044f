"""docs/domain.md, Scopes: every kind of service
against every kind of scope, through the page a person sees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.models import Role
from marketplace.models import Visibility
from tests import factories

# Scopes: (project handle, component handle or None).
SCOPES = {
    "own project": ("alpha", None),
    "own component": ("alpha", "provider"),
    "sibling component": ("alpha", "sibling"),
    "other project": ("beta", None),
    "other project's component": ("beta", "consumer"),
}

# Service -> the scopes that must see it.
EXPECTED = {
    "public": {"own project", "sibling component", "other project", "other project's component"},
    "organization": {
        "own project",
        "sibling component",
        "other project",
        "other project's component",
    },
    "project": {"own project", "sibling component"},
    "third-party for the organization": set(SCOPES),
    "third-party for alpha": {"own project", "own component", "sibling component"},
}


@pytest.fixture
def world(organization, other_organization, developer):
    alpha = factories.make_project(organization, "Alpha", "alpha")
    beta = factories.make_project(organization, "Beta", "beta")
    provider = factories.make_component(alpha, "Provider", "provider")
    factories.make_component(alpha, "Sibling", "sibling")
    factories.make_component(beta, "Consumer", "consumer")
    for visibility in (Visibility.PUBLIC, Visibility.ORGANIZATION, Visibility.PROJECT):
        factories.make_internal_service(provider, str(visibility), visibility)
    factories.make_third_party_service(organization, "Org vendor")
    factories.make_third_party_service(organization, "Alpha vendor", project=alpha)
    # Globex, with a service of every kind, seen by nobody in Acme.
    globex_project = factories.make_project(other_organization, "Alpha", "alpha")
    globex_component = factories.make_component(globex_project, "Provider", "provider")
    for visibility in (Visibility.PUBLIC, Visibility.ORGANIZATION, Visibility.PROJECT):
        factories.make_internal_service(globex_component, f"globex-{visibility}", visibility)
    factories.make_third_party_service(other_organization, "Globex vendor")
    factories.add_member(developer, other_organization, Role.VIEWER)  # to browse Globex too


NAMES = {
    "public": "Provider - Public",
    "organization": "Provider - Organization",
    "project": "Provider - Project",
    "third-party for the organization": "Org vendor",
    "third-party for alpha": "Alpha vendor",
}


@pytest.mark.parametrize("scope_name", list(SCOPES))
def test_each_scope_sees_exactly_what_the_spec_says(login, developer, world, scope_name):
    project, component = SCOPES[scope_name]
    kwargs = {"org": "acme", "project": project}
    if component:
        kwargs["component"] = component

    response = login(developer).get(reverse("marketplace:browse", kwargs=kwargs))

    shown = {service.name for service in response.context["results"].services}
    expected = {NAMES[kind] for kind, scopes in EXPECTED.items() if scope_name in scopes}
    assert shown == expected


def test_the_other_organization_sees_none_of_acmes_services(login, developer, world):
    response = login(developer).get(
        reverse("marketplace:browse", kwargs={"org": "globex", "project": "alpha"})
    )
    shown = {service.name for service in response.context["results"].services}
    # Globex's own Alpha project sees all of Globex's services, none of Acme's.
    assert shown == {
        "Provider - Globex-Public",
        "Provider - Globex-Organization",
        "Provider - Globex-Project",
        "Globex vendor",
    }
