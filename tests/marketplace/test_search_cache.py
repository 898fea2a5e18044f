"""A search's facet counts are cached under the organization's catalog
version: served again without counting, and counted afresh after any write
that could change them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.models import CatalogVersion, Service, Tag
from marketplace.services import service_set_listed
from tests import factories

URL = reverse("marketplace:browse", kwargs={"org": "acme", "project": "payments"})


@pytest.fixture
def vendors(organization, project):
    services = [factories.make_third_party_service(organization, f"Vendor {n}") for n in range(3)]
    billing = Tag.objects.create(organization=organization, name="billing")
    services[0].tags.add(billing)
    return services


def _search(client, query: str = "q=vendor"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{URL}?{query}")
    counts = {
        facet.name: {value.value: value.count for value in facet.values}
        for facet in response.context["facets"]
    }
    return counts, response.context["results"].total, len(queries)


def test_it_serves_a_repeated_search_without_counting_again(login, developer, vendors):
    client = login(developer)
    first, total, cold = _search(client)
    again, same_total, warm = _search(client)

    assert (again, same_total) == (first, total) == (again, 3)
    # the matches' cells, the label list and the labels' matches are not read
    # (on PostgreSQL the cells and the labels' matches are one query), and
    # the page's cards are read by id (no search)
    assert warm == cold - (2 if connection.vendor == "postgresql" else 3)
    page = client.get(f"{URL}?q=vendor").context["results"]
    assert [service.name for service in page.services] == ["Vendor 0", "Vendor 1", "Vendor 2"]


def test_a_cached_page_keeps_its_place_in_the_walk(login, developer, organization, project):
    for n in range(30):
        factories.make_third_party_service(organization, f"Vendor {n:02d}")
    client = login(developer)
    pages = []
    for _ in range(2):  # the second walk is served from the cache
        url, names = f"{URL}?q=vendor", []
        while url:
            results = client.get(url).context["results"]
            names += [service.name for service in results.services]
            url = f"{URL}?q=vendor&page={results.next_page_number}&after={results.next_cursor}"
            url = url if results.has_next else None
        pages.append(names)
    assert pages[0] == pages[1] == [f"Vendor {n:02d}" for n in range(30)]


@pytest.mark.parametrize(
    "write",
    [
        lambda services: service_set_listed(service=services[1], listed=False),
        lambda services: Service.objects.filter(pk=services[2].pk).update(name="Other thing"),
        lambda services: services[1].tags.add(Tag.objects.get(name="billing")),
        lambda services: Tag.objects.filter(name="billing").update(name="payments"),
        lambda services: services[0].delete(),
    ],
    ids=["unlisted", "renamed", "labelled", "label renamed", "deleted"],
)
def test_any_write_that_changes_the_counts_is_seen_at_once(login, developer, vendors, write):
    client = login(developer)
    _search(client)
    _search(client, "q=vendor&tag=billing&tag=nothing")

    write(vendors)

    client_counts, total, _ = _search(client)
    expected = Service.objects.filter(listed=True, name__startswith="Vendor").count()
    assert total == expected
    cards = [service.name for service in client.get(f"{URL}?q=vendor").context["results"].services]
    assert cards == sorted(
        Service.objects.filter(listed=True, name__startswith="Vendor").values_list(
            "name", flat=True
        )
    )
    assert client_counts["type"]["third-party"] == expected
    labels = {
        tag.name: tag.services.filter(listed=True, name__startswith="Vendor").count()
        for tag in Tag.objects.all()
    }
    for name, count in client_counts["tag"].items():
        assert count == labels[name]


def test_another_organizations_writes_leave_the_version_alone(
    organization, other_organization, vendors
):
    before = CatalogVersion.objects.get(organization=organization).version
    factories.make_third_party_service(other_organization, "Globex thing")
    assert CatalogVersion.objects.get(organization=organization).version == before
    assert CatalogVersion.objects.get(organization=other_organization).version > 0
