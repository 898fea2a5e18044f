"""The side-by-side upgrade: when a newer major of a connection's service is
listed and its scope sees it, the connection page offers the create form for
it, at the connection's scope, with a name proposed that does not clash; the
old connection stays."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
from django.urls import reverse

from connections.models import Connection
from connections.naming import NAME_MAX_LENGTH
from connections.services import connection_create
from connections.upgrade import proposed_name
from marketplace.models import Security, Visibility
from marketplace.services import service_set_listed
from tests import factories

OFFER = re.compile(r"Create a connection to v(\d+)</a>")
LINK = re.compile(r'class="alert alert-info py-2 upgrade-offer">.*?<a href="([^"]+)"', re.S)


@pytest.fixture
def scene(organization, project, component):
    """Payments uses Stripe API v1 (project connection "Payments"); Checkout
    API uses HR's Employees v1 (component connection "Staff")."""
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    employees = factories.make_internal_service(provider, "employees", security=Security.OAUTH2)
    stripe = factories.make_third_party_service(organization, "Stripe API")
    factories.add_endpoint(stripe, "Sandbox", "https://sandbox.test", ["development"])
    return {
        "hr": hr,
        "provider": provider,
        "employees": employees,
        "stripe": stripe,
        "payments": connection_create(project=project, service=stripe, name="Payments"),
        "staff": connection_create(
            project=project, component=component, service=employees, name="Staff"
        ),
    }


def _stripe_v2(organization):
    service = factories.make_third_party_service(organization, "Stripe API", version="2.0.0")
    factories.add_endpoint(service, "Sandbox v2", "https://v2.sandbox.test", ["development"])
    return service


def _page(client, connection: Connection, component: str | None = None) -> str:
    kwargs = {"org": "acme", "project": "payments", "connection_id": connection.public_id}
    if component:
        kwargs["component"] = component
    response = client.get(reverse("connections:detail", kwargs=kwargs))
    assert response.status_code == 200
    return response.content.decode()


def _offer_link(page: str) -> str:
    return unescape(LINK.search(page).group(1))


def test_there_is_no_offer_without_a_newer_major(login, developer, scene):
    page = _page(login(developer), scene["payments"])

    assert "upgrade-offer" not in page


def test_a_newer_third_party_major_is_offered_with_the_name_proposed(
    login, developer, organization, scene
):
    v2 = _stripe_v2(organization)

    page = _page(login(developer), scene["payments"])

    assert OFFER.findall(page) == ["2"]
    assert "v2 is available" in page
    assert _offer_link(page) == (
        reverse(
            "connections:create-form",
            kwargs={"org": "acme", "project": "payments", "service_id": v2.pk},
        )
        + "?name=Payments+v2"
    )


def test_the_offer_is_made_at_the_connections_own_scope(login, developer, scene, organization):
    v2 = factories.make_internal_service(
        scene["provider"], "employees", security=Security.OAUTH2, version="2.1.0"
    )

    # The component connection, seen at its component's level.
    page = _page(login(developer), scene["staff"], component="checkout-api")

    assert _offer_link(page) == (
        reverse(
            "connections:create-form",
            kwargs={
                "org": "acme",
                "project": "payments",
                "component": "checkout-api",
                "service_id": v2.pk,
            },
        )
        + "?name=Staff+v2"
    )


def test_a_project_connection_seen_from_a_component_is_offered_at_project_level(
    login, developer, organization, scene
):
    v2 = _stripe_v2(organization)

    page = _page(login(developer), scene["payments"], component="checkout-api")

    assert _offer_link(page).startswith(
        reverse(
            "connections:create-form",
            kwargs={"org": "acme", "project": "payments", "service_id": v2.pk},
        )
    )


def test_a_newer_major_the_scope_cannot_see_is_not_offered(login, developer, scene):
    # Employees v2 is visible in HR only.
    factories.make_internal_service(
        scene["provider"], "employees", Visibility.PROJECT, version="2.0.0"
    )

    assert "upgrade-offer" not in _page(login(developer), scene["staff"], "checkout-api")


def test_a_newer_major_removed_from_the_marketplace_is_not_offered(
    login, developer, organization, scene
):
    service_set_listed(service=_stripe_v2(organization), listed=False)

    assert "upgrade-offer" not in _page(login(developer), scene["payments"])


def test_the_newest_of_several_majors_is_offered(login, developer, organization, scene):
    _stripe_v2(organization)
    factories.make_third_party_service(organization, "Stripe API", version="3.0.0")

    assert OFFER.findall(_page(login(developer), scene["payments"])) == ["3"]


def test_viewers_are_told_but_not_linked_to_a_form_they_cannot_use(
    login, viewer, organization, scene
):
    _stripe_v2(organization)

    page = _page(login(viewer), scene["payments"])

    assert "v2 is available" in page
    assert "Create a connection to v2" not in page
    assert "create-form" not in page and "/create/" not in page


def test_the_prefilled_create_makes_a_second_connection_beside_the_first(
    login, developer, organization, scene
):
    v2 = _stripe_v2(organization)
    client = login(developer)
    form_url = _offer_link(_page(client, scene["payments"]))

    form = client.get(form_url).content.decode()
    assert 'value="Payments v2"' in form
    sandbox_v2 = v2.endpoints.get()
    response = client.post(
        form_url.split("?")[0],
        {
            "name": "Payments v2",
            "description": "",
            "request_token": str(uuid.uuid4()),
            "endpoint_development": sandbox_v2.pk,
            # v2 has no endpoint for Production: the page warned of it.
            "no_endpoint_in": "production",
        },
    )

    assert response.status_code == 302
    both = Connection.objects.filter(project__handle="payments", component=None)
    assert sorted((c.name, c.service.major) for c in both) == [
        ("Payments", 1),
        ("Payments v2", 2),
    ]
    # The new connection is on the newest major: nothing more to offer there.
    new = both.get(name="Payments v2")
    assert "upgrade-offer" not in _page(client, new)
    assert "v2 is available" in _page(client, scene["payments"])


def test_the_prefilled_name_is_checked_like_any_other(login, developer, organization, scene):
    v2 = _stripe_v2(organization)
    url = reverse(
        "connections:create-form",
        kwargs={"org": "acme", "project": "payments", "service_id": v2.pk},
    )
    client = login(developer)

    response = client.post(url, {"name": "Payments", "request_token": str(uuid.uuid4())})

    assert "A connection named “Payments” already exists in this project." in (
        response.content.decode()
    )
    assert Connection.objects.filter(service=v2).count() == 0


@pytest.mark.parametrize(
    ("name", "proposed"),
    [
        ("Payments", "Payments v2"),
        ("Stripe v1", "Stripe v2"),
        ("stripe-v1", "stripe-v2"),
        ("stripe_V1", "stripe_v2"),
        ("Payments v1.5", "Payments v1.5 v2"),
    ],
)
def test_the_name_proposed_replaces_a_version_suffix(project, organization, name, proposed):
    v1 = factories.make_third_party_service(organization, "Adyen")
    v2 = factories.make_third_party_service(organization, "Adyen", version="2.0.0")
    connection = connection_create(project=project, service=v1, name=name)

    assert proposed_name(connection, v2) == proposed


def test_the_name_proposed_skips_names_the_scope_uses(project, component, organization, scene):
    v2 = _stripe_v2(organization)
    # A component connection of Payments' component holds the first choice:
    # a project connection may not repeat it.
    connection_create(
        project=project, component=component, service=scene["employees"], name="Payments v2"
    )
    # And this one's variables (CHOREO_PAYMENTS_V2_2_*) the second's.
    connection_create(project=project, service=scene["stripe"], name="Payments.v2.2")

    proposed = proposed_name(scene["payments"], v2)

    assert proposed == "Payments v2 3"
    created = connection_create(project=project, service=v2, name=proposed)
    assert created.service_id == v2.pk


@pytest.mark.parametrize(
    ("name", "proposed"),
    [
        ("A" * 43 + " bcd ef", "A" * 43 + " bc v12"),
        # The cut would end on a space, followed by " v12": two in a row.
        ("A" * 45 + " bcd", "A" * 45 + " v12"),
    ],
)
def test_the_name_proposed_fits_the_length_limit(project, organization, name, proposed):
    v1 = factories.make_third_party_service(organization, "Adyen")
    v2 = factories.make_third_party_service(organization, "Adyen", version="12.0.0")
    connection = connection_create(project=project, service=v1, name=name)

    assert proposed_name(connection, v2) == proposed
    assert len(proposed) <= NAME_MAX_LENGTH
    connection_create(project=project, service=v2, name=proposed)  # the rules accept it
