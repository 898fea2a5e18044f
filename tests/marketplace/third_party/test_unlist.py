"""Remove from Marketplace is never one click: the service's page links to
a confirmation that names who uses it, and only that confirmation's button
removes it (issue #17, item 11). Adding it back stays one click."""

from __future__ import annotations

from django.urls import reverse

from marketplace.models import Service
from tests import factories
from tests.marketplace.third_party.support import url


def test_the_service_page_asks_before_it_removes(admin_client, stripe):
    page = admin_client.get(url("third-party-detail", service_id=stripe.pk)).content.decode()

    listing = url("third-party-listing", service_id=stripe.pk)
    assert f'<a class="btn btn-outline-secondary btn-sm" href="{listing}">' in page
    assert 'name="listed" value="0"' not in page  # no form that removes at once


def test_the_confirmation_names_the_connections_that_keep_working(admin_client, stripe, project):
    factories.bulk_connections(project, stripe, 2, "Billing")

    response = admin_client.get(url("third-party-listing", service_id=stripe.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Remove Stripe API v1 from the marketplace?" in page
    assert "2 connections" in page and "Billing 0000" in page and "Billing 0001" in page
    assert 'name="confirmed" value="1"' in page
    assert Service.objects.get(pk=stripe.pk).listed
    # Where it sits: the list of third-party services, then the service.
    assert f'<li class="breadcrumb-item"><a href="{url("third-party-list")}">' in page


def test_a_removal_not_sent_by_the_confirmation_only_shows_it(admin_client, stripe):
    response = admin_client.post(url("third-party-listing", service_id=stripe.pk), {"listed": "0"})

    assert response.status_code == 200
    assert "Remove Stripe API v1 from the marketplace?" in response.content.decode()
    assert Service.objects.get(pk=stripe.pk).listed


def test_the_confirmation_removes_it(admin_client, stripe):
    response = admin_client.post(
        url("third-party-listing", service_id=stripe.pk), {"listed": "0", "confirmed": "1"}
    )

    assert response.status_code == 302
    assert not Service.objects.get(pk=stripe.pk).listed


def test_a_published_endpoint_asks_too(login, developer, component):
    orders = factories.make_internal_service(component, "orders")
    listing = reverse(
        "marketplace:component-endpoint-listing",
        kwargs={
            "org": "acme",
            "project": "payments",
            "component": component.handle,
            "service_id": orders.pk,
        },
    )
    client = login(developer)

    asked = client.post(listing, {"listed": "0"})
    removed = client.post(listing, {"listed": "0", "confirmed": "1"})

    assert asked.status_code == 200 and "from the marketplace?" in asked.content.decode()
    marketplace = reverse(
        "marketplace:browse",
        kwargs={"org": "acme", "project": "payments", "component": component.handle},
    )
    assert f'<li class="breadcrumb-item"><a href="{marketplace}">Marketplace</a>' in (
        asked.content.decode()
    )
    assert removed.status_code == 302
    assert not Service.objects.get(pk=orders.pk).listed
