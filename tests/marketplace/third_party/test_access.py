"""Who may use the Third-Party Services pages, and what others get."""

from __future__ import annotations

import pytest

from marketplace.models import Endpoint, Service, ServiceParameter
from tests import factories
from tests.marketplace.third_party.support import every_route, url


@pytest.mark.parametrize("level", [None, "payments"])
def test_it_serves_every_page_to_an_admin(admin_client, stripe, project, level):
    for name, kwargs, method in every_route(stripe):
        if method == "get":
            response = admin_client.get(url(name, level, **kwargs))
            assert response.status_code == 200, name


@pytest.mark.parametrize("persona", ["developer", "viewer"])
@pytest.mark.parametrize("level", [None, "payments"])
def test_it_refuses_every_route_to_other_roles(request, login, persona, stripe, project, level):
    client = login(request.getfixturevalue(persona))
    for name, kwargs, method in every_route(stripe):
        response = getattr(client, method)(url(name, level, **kwargs))
        assert response.status_code == 403, (name, method)
    assert Service.objects.filter(pk=stripe.pk, listed=True).exists()
    assert stripe.endpoints.count() == 2


def test_it_hides_every_route_from_an_outsider(login, outsider, stripe, project):
    client = login(outsider)
    for name, kwargs, method in every_route(stripe):
        for level in (None, "payments"):
            response = getattr(client, method)(url(name, level, **kwargs))
            assert response.status_code == 404, (name, method, level)


def test_it_answers_a_wrong_method_with_405(admin_client, stripe):
    one = {"service_id": stripe.pk}
    assert admin_client.post(url("third-party-list")).status_code == 405
    assert admin_client.post(url("third-party-detail", **one)).status_code == 405
    assert admin_client.put(url("third-party-listing", **one)).status_code == 405
    assert admin_client.get(url("third-party-parameter-add", **one)).status_code == 405
    assert admin_client.put(url("third-party-edit", **one)).status_code == 405


def test_it_answers_404_for_a_service_of_another_organization(admin_client, other_organization):
    foreign = factories.make_third_party_service(other_organization, "Globex Pay")
    factories.add_endpoint(foreign, "Live", "https://pay.globex.test", ["production"])
    for name, kwargs, method in every_route_with_parameter(foreign):
        if name in ("third-party-list", "third-party-register"):
            continue
        response = getattr(admin_client, method)(url(name, **kwargs))
        assert response.status_code == 404, (name, method)
    assert Service.objects.filter(pk=foreign.pk, listed=True).exists()


def every_route_with_parameter(service: Service):
    if not service.parameters.exists():
        ServiceParameter.objects.create(service=service, name="token")
    return every_route(service)


def test_it_answers_404_for_another_projects_service_at_project_level(
    admin_client, project, hr_service
):
    factories.add_endpoint(hr_service, "Live", "https://workday.test", ["production"])
    for name, kwargs, method in every_route_with_parameter(hr_service):
        if name in ("third-party-list", "third-party-register"):
            continue
        response = getattr(admin_client, method)(url(name, "payments", **kwargs))
        assert response.status_code == 404, (name, method)
    # The organization level manages every project's registrations.
    assert admin_client.get(url("third-party-detail", service_id=hr_service.pk)).status_code == 200


def test_it_answers_404_for_an_endpoint_or_parameter_of_another_service(
    admin_client, stripe, organization
):
    twilio = factories.make_third_party_service(
        organization, "Twilio", parameters=(("authToken", True),)
    )
    other_endpoint = factories.add_endpoint(twilio, "Test", "https://twilio.test", ["development"])
    one = {"service_id": stripe.pk}
    for name in ("third-party-endpoint-edit", "third-party-endpoint-delete"):
        kwargs = {**one, "endpoint_id": other_endpoint.pk}
        assert admin_client.get(url(name, **kwargs)).status_code == 404
        assert admin_client.post(url(name, **kwargs)).status_code == 404
    kwargs = {**one, "parameter_id": twilio.parameters.get().pk}
    assert admin_client.post(url("third-party-parameter-delete", **kwargs)).status_code == 404
    assert Endpoint.objects.filter(pk=other_endpoint.pk).exists()
    assert twilio.parameters.exists()


def test_it_shows_the_section_in_the_sidebar_to_admins_only(login, org_admin, developer, project):
    for level in ("/orgs/acme/", "/orgs/acme/projects/payments/"):
        assert b"Third-Party Services" in login(org_admin).get(level).content
        assert b"Third-Party Services" not in login(developer).get(level).content
    component = factories.make_component(project, "Checkout API", "checkout-api")
    page = login(org_admin).get(f"/orgs/acme/projects/payments/components/{component.handle}/")
    assert b"Third-Party Services" not in page.content
