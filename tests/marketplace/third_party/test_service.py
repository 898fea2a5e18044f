"""A registered service: edit, Remove from Marketplace, delete."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.models import Endpoint, Service
from tests import factories
from tests.marketplace.third_party.support import every_route, register_data, url


def test_it_edits_the_details_within_the_major_version(admin_client, stripe):
    data = register_data(name="Stripe Payments", version="1.4.2", labels="payments, cards")
    response = admin_client.post(url("third-party-edit", service_id=stripe.pk), data)

    stripe.refresh_from_db()
    assert response.status_code == 302
    assert (stripe.name, stripe.version, stripe.major) == ("Stripe Payments", "1.4.2", 1)
    assert sorted(tag.name for tag in stripe.tags.all()) == ["cards", "payments"]


def test_it_refuses_a_new_major_on_edit_and_says_to_register_it(admin_client, stripe):
    response = admin_client.post(
        url("third-party-edit", service_id=stripe.pk), register_data(version="2.0.0")
    )

    assert "register it as a new service" in response.context["form"].errors["version"][0]
    assert 'value="2.0.0"' in response.content.decode()
    stripe.refresh_from_db()
    assert stripe.version == "1.0.0"


def test_it_refuses_a_rename_onto_another_service(admin_client, stripe, organization):
    factories.make_third_party_service(organization, "Adyen")
    response = admin_client.post(
        url("third-party-edit", service_id=stripe.pk), register_data(name="ADYEN", version="1.0.1")
    )
    assert "already has a third-party service" in response.context["form"].errors["name"][0]


def test_it_replaces_or_removes_the_definition(admin_client, stripe):
    edit = url("third-party-edit", service_id=stripe.pk)
    upload = SimpleUploadedFile("schema.graphql", b"type Query { hello: String }")
    admin_client.post(
        edit, {**register_data(name="Stripe API", version="1.0.0"), "definition": upload}
    )
    stripe.refresh_from_db()
    assert stripe.definition_format == "graphql-sdl"

    admin_client.post(edit, register_data(name="Stripe API", version="1.0.0"))
    stripe.refresh_from_db()
    assert stripe.definition_format == "graphql-sdl"  # no upload: kept

    admin_client.post(
        edit, register_data(name="Stripe API", version="1.0.0", remove_definition="on")
    )
    stripe.refresh_from_db()
    assert (stripe.api_definition, stripe.definition_format) == ("", "")


def test_it_removes_a_service_from_the_marketplace_and_adds_it_back(admin_client, stripe, project):
    listing = url("third-party-listing", service_id=stripe.pk)

    admin_client.post(listing, {"listed": "0", "confirmed": "1"})
    stripe.refresh_from_db()
    assert not stripe.listed
    assert stripe not in Service.objects.visible_from(project)
    assert (
        b"Removed from the marketplace"
        in admin_client.get(url("third-party-detail", service_id=stripe.pk)).content
    )

    admin_client.post(listing, {"listed": "1"})
    stripe.refresh_from_db()
    assert stripe.listed
    assert stripe in Service.objects.visible_from(project)


def test_it_refuses_a_listing_value_it_does_not_know(admin_client, stripe):
    response = admin_client.post(
        url("third-party-listing", service_id=stripe.pk), {"listed": "maybe"}
    )
    assert response.status_code == 400
    assert Service.objects.get(pk=stripe.pk).listed


def test_it_refuses_to_delete_a_service_that_connections_use_and_names_them(
    admin_client, stripe, project
):
    factories.bulk_connections(project, stripe, 2, "Billing <b>Stripe</b>")
    delete = url("third-party-delete", service_id=stripe.pk)

    page = admin_client.get(delete)
    refused = admin_client.post(delete)

    for response in (page, refused):
        html = response.content.decode()
        assert "cannot be deleted" in html
        assert "Billing &lt;b&gt;Stripe&lt;/b&gt; 0000" in html
        assert "Billing &lt;b&gt;Stripe&lt;/b&gt; 0001" in html
        assert "Remove from Marketplace" in html
    assert refused.status_code == 409
    assert Service.objects.filter(pk=stripe.pk).exists()


def test_it_confirms_then_deletes_an_unused_service(admin_client, stripe):
    delete = url("third-party-delete", service_id=stripe.pk)
    assert b"Delete Stripe API v1?" in admin_client.get(delete).content
    assert Service.objects.filter(pk=stripe.pk).exists()

    response = admin_client.post(delete)

    assert response.status_code == 302
    assert response["Location"] == url("third-party-list")
    assert not Service.objects.filter(pk=stripe.pk).exists()
    assert not Endpoint.objects.filter(service_id=stripe.pk).exists()


def test_it_answers_an_empty_or_tampered_post_without_error(admin_client, stripe):
    for name, kwargs, method in every_route(stripe):
        if method == "post" and not name.endswith("delete"):
            response = admin_client.post(url(name, **kwargs), {"parameters-TOTAL_FORMS": "9999"})
            assert response.status_code in (200, 400), name
    assert Service.objects.filter(pk=stripe.pk, listed=True).exists()
    assert stripe.parameters.count() == 2
