"""Dependencies > Third-Party Services: the list."""

from __future__ import annotations

from marketplace.models import Service
from tests import factories
from tests.marketplace.third_party.support import url


def test_it_lists_the_organizations_services_with_their_details(admin_client, stripe, hr_service):
    factories.make_third_party_service(stripe.organization, "Stripe API", version="2.0.0")
    response = admin_client.get(url("third-party-list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Stripe API" in html and "v2" in html and "1.0.0" in html
    assert "Workday" in html  # another project's, marked as such
    assert "+ Register" in html
    assert [s.name for s in response.context["page"].object_list] == [
        "Stripe API",
        "Stripe API",
        "Workday",
    ]
    assert response.context["page"].object_list[1].endpoint_count == 2


def test_it_lists_the_projects_and_the_organizations_services_at_project_level(
    admin_client, stripe, hr_service, project
):
    own = factories.make_third_party_service(stripe.organization, "Adyen", project=project)

    response = admin_client.get(url("third-party-list", "payments"))

    listed = set(response.context["page"].object_list)
    assert listed == {stripe, own}
    assert b"Workday" not in response.content


def test_it_filters_the_list(admin_client, stripe, hr_service):
    factories.make_third_party_service(stripe.organization, "Old Fax")
    Service.objects.filter(name="Old Fax").update(listed=False)

    def names(**query):
        response = admin_client.get(url("third-party-list"), query)
        return [service.name for service in response.context["page"].object_list]

    assert names(q="stri") == ["Stripe API"]
    assert names(status="removed") == ["Old Fax"]
    assert names(registered="project") == ["Workday"]
    assert names(registered="organization") == ["Old Fax", "Stripe API"]
    assert names(service_type="graphql") == []
    assert names(q="nothing-like-it") == []
    response = admin_client.get(
        url("third-party-list"), {"status": "bogus", "page": "x", "q": "\x00"}
    )
    assert response.status_code == 200


def test_it_renders_only_the_results_for_htmx(admin_client, stripe):
    response = admin_client.get(
        url("third-party-list"), {"q": "stripe"}, headers={"HX-Request": "true"}
    )
    assert b'id="third-party-results"' in response.content
    assert b"<html" not in response.content


def test_the_list_costs_the_same_queries_for_many_services(
    admin_client, organization, django_assert_max_num_queries
):
    for n in range(30):
        service = factories.make_third_party_service(organization, f"Service {n:02d}")
        factories.add_endpoint(service, "Live", "https://example.test", ["production"])
    with django_assert_max_num_queries(12):
        assert admin_client.get(url("third-party-list")).status_code == 200
