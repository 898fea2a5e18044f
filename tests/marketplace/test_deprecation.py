"""Version lifecycle: an Admin marks a major version Deprecated, with a
sunset date and a message; the service page, the marketplace cards and every
consumer's connection page and list say so."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from connections.services import connection_create
from marketplace.models import DEPRECATION_MESSAGE_MAX_LENGTH, Service
from marketplace.services import service_deprecate, service_undeprecate
from tests import factories

SUNSET = date(2031, 6, 30)
SUNSET_SHOWN = formats.date_format(SUNSET)


@pytest.fixture
def stripe(organization):
    service = factories.make_third_party_service(organization, "Stripe API")
    factories.add_endpoint(service, "Sandbox", "https://sandbox.stripe.test", ["development"])
    factories.add_endpoint(service, "Live", "https://live.stripe.test", ["production"])
    return service


def _url(service: Service, **scope) -> str:
    kwargs = {"org": "acme", **scope, "service_id": service.pk}
    return reverse("marketplace:service-deprecation", kwargs=kwargs)


def _service_page(service: Service) -> str:
    return reverse("marketplace:service", kwargs={"org": "acme", "service_id": service.pk})


def _deprecate(client, service: Service, **data):
    data.setdefault("sunset_on", SUNSET.isoformat())
    data.setdefault("message", "Move to v2: same calls, new webhooks.")
    return client.post(_url(service), data, follow=True)


def test_it_lets_an_admin_deprecate_a_version_from_its_service_page(login, org_admin, stripe):
    client = login(org_admin)
    page = client.get(_service_page(stripe)).content.decode()
    assert _url(stripe) in page
    assert "Deprecate v1" in page

    response = _deprecate(client, stripe)

    stripe.refresh_from_db()
    assert stripe.is_deprecated
    assert stripe.sunset_on == SUNSET
    assert stripe.deprecation_message == "Move to v2: same calls, new webhooks."
    assert response.redirect_chain[-1][0] == _service_page(stripe)
    page = response.content.decode()
    assert "Stripe API v1 is deprecated; its consumers are told." in page
    assert "deprecated-badge" in page
    assert f'sunset on <time datetime="2031-06-30">{SUNSET_SHOWN}</time>. Move to v2' in page
    assert "already passed" not in page


def test_it_works_at_project_level_too(login, org_admin, stripe, project):
    response = login(org_admin).post(
        _url(stripe, project="payments"), {"sunset_on": "2031-06-30", "message": "Move on."}
    )

    assert response.status_code == 302
    assert Service.objects.get(pk=stripe.pk).is_deprecated


@pytest.mark.parametrize("persona", ["developer", "viewer"])
def test_it_refuses_developers_and_viewers(request, login, persona, stripe):
    client = login(request.getfixturevalue(persona))

    assert client.get(_url(stripe)).status_code == 403
    assert client.post(_url(stripe), {"sunset_on": "2031-06-30", "message": "x"}).status_code == 403
    assert "Deprecate v1" not in client.get(_service_page(stripe)).content.decode()
    assert not Service.objects.get(pk=stripe.pk).is_deprecated


def test_it_hides_the_page_from_other_organizations(login, outsider, org_admin, stripe):
    assert login(outsider).post(_url(stripe), {"sunset_on": "2031-06-30"}).status_code == 404

    globex_service = factories.make_third_party_service(outsider.memberships.get().organization)
    response = login(org_admin).post(
        _url(globex_service), {"sunset_on": "2031-06-30", "message": "x"}
    )
    assert response.status_code == 404
    assert not Service.objects.get(pk=globex_service.pk).is_deprecated


def test_a_sunset_date_in_the_past_is_allowed_and_said(login, org_admin, stripe):
    past = timezone.localdate() - timedelta(days=3)

    response = _deprecate(login(org_admin), stripe, sunset_on=past.isoformat())

    assert Service.objects.get(pk=stripe.pk).sunset_on == past
    assert (
        f"The sunset date, {formats.date_format(past)}, has already passed"
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"sunset_on": ""}, "This field is required."),
        ({"sunset_on": "30/06/2031x"}, "Enter a valid date."),
        ({"message": ""}, "This field is required."),
        (
            {"message": "x" * (DEPRECATION_MESSAGE_MAX_LENGTH + 1)},
            "Ensure this value has at most 500 characters (it has 501).",
        ),
    ],
)
def test_it_refuses_bad_input_and_says_why(login, org_admin, stripe, data, error):
    response = _deprecate(login(org_admin), stripe, **data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Service.objects.get(pk=stripe.pk).is_deprecated


def test_a_message_of_exactly_the_limit_is_kept(login, org_admin, stripe):
    _deprecate(login(org_admin), stripe, message="x" * DEPRECATION_MESSAGE_MAX_LENGTH)

    assert len(Service.objects.get(pk=stripe.pk).deprecation_message) == 500


def test_the_service_function_refuses_a_longer_message_too(stripe):
    with pytest.raises(ValidationError) as refused:
        service_deprecate(service=stripe, sunset_on=SUNSET, message="x" * 501)

    assert "at most 500 characters" in str(refused.value)
    assert not Service.objects.get(pk=stripe.pk).is_deprecated


def test_deprecating_again_changes_the_date_and_message_not_when_it_began(stripe):
    first = service_deprecate(service=stripe, sunset_on=SUNSET, message="Soon.").deprecated_at

    service_deprecate(service=stripe, sunset_on=SUNSET + timedelta(days=30), message="Later.")

    stripe.refresh_from_db()
    assert (stripe.deprecated_at, stripe.sunset_on, stripe.deprecation_message) == (
        first,
        SUNSET + timedelta(days=30),
        "Later.",
    )


def test_an_admin_can_withdraw_a_deprecation(login, org_admin, stripe):
    service_deprecate(service=stripe, sunset_on=SUNSET, message="Soon.")
    client = login(org_admin)
    form = client.get(_url(stripe)).content.decode()
    assert 'value="2031-06-30"' in form  # the current values, to change them
    assert "Withdraw the deprecation" in form

    response = client.post(_url(stripe), {"undeprecate": "1"}, follow=True)

    stripe.refresh_from_db()
    assert (stripe.deprecated_at, stripe.sunset_on, stripe.deprecation_message) == (None, None, "")
    assert "Stripe API v1 is no longer deprecated." in response.content.decode()
    assert "deprecated-badge" not in response.content.decode()


def test_the_database_keeps_a_sunset_date_with_a_deprecation_only(stripe):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=stripe.pk).update(sunset_on=SUNSET)
    service_undeprecate(service=stripe)


def test_marketplace_cards_say_deprecated_with_no_query_per_card(login, developer, organization):
    client = login(developer)
    marketplace = reverse("marketplace:browse", kwargs={"org": "acme"})

    def deprecated_cards(count: int) -> tuple[int, str]:
        for n in range(Service.objects.count(), count):
            service = factories.make_third_party_service(organization, f"Service {n}")
            service_deprecate(service=service, sunset_on=SUNSET, message="Moving on.")
        client.get(marketplace)  # the facet counts of this catalog version, cached
        with CaptureQueriesContext(db_connection) as captured:
            content = client.get(marketplace).content.decode()
        return len(captured.captured_queries), content

    few, content = deprecated_cards(1)
    assert content.count("deprecated-badge") == 1
    many, content = deprecated_cards(6)

    assert content.count("deprecated-badge") == 6
    assert f'title="Sunset on {SUNSET_SHOWN}">Deprecated<' in content
    assert many == few


@pytest.fixture
def consumer(project, component, stripe):
    return connection_create(project=project, service=stripe, name="Payments")


def test_a_consumers_connection_page_says_it_first(login, viewer, stripe, consumer):
    service_deprecate(service=stripe, sunset_on=SUNSET, message="Move to v2 by June.")
    url = reverse(
        "connections:detail",
        kwargs={"org": "acme", "project": "payments", "connection_id": consumer.public_id},
    )

    page = login(viewer).get(url).content.decode()

    notice = page.index("deprecation-notice")
    assert notice < page.index("<h1")
    assert (
        "<strong>Deprecated:</strong> sunset on "
        f'<time datetime="2031-06-30">{SUNSET_SHOWN}</time>. Move to v2 by June.' in page
    )
    # And in the status of each environment, as a notice: it still works.
    assert page.count(f"This version of the service is deprecated: sunset on {SUNSET_SHOWN}.") == 2
    assert page.count(">Ready</span>") == 2


def test_a_consumers_list_shows_a_chip_with_no_query_per_row(
    login, viewer, project, stripe, consumer
):
    client = login(viewer)
    url = reverse("connections:list", kwargs={"org": "acme", "project": "payments"})
    service_deprecate(service=stripe, sunset_on=SUNSET, message="Soon.")
    client.get(url)

    def page() -> tuple[int, str]:
        with CaptureQueriesContext(db_connection) as captured:
            content = client.get(url).content.decode()
        return len(captured.captured_queries), content

    few, content = page()
    assert content.count("deprecated-badge") == 1
    factories.bulk_connections(project, stripe, 15, "Bulk")
    many, content = page()

    assert content.count("deprecated-badge") == 16
    assert many == few


def _history(client, connection) -> str:
    """The connection's page, whose History says what the provider changed."""
    kwargs = {"org": "acme", "project": connection.project.handle}
    if connection.component_id:
        kwargs["component"] = connection.component.handle
    url = reverse("connections:detail", kwargs={**kwargs, "connection_id": connection.public_id})
    return client.get(url).content.decode()


def _told(client, connection) -> list[str]:
    """What the connection's history says the provider changed, oldest first."""
    history = _history(client, connection)
    told = re.findall(r"changed Stripe API v1: ([^<]*)", history)
    return [unescape(change).strip() for change in reversed(told)]


def test_the_deprecation_page_lists_the_consumers_and_asks_for_no_count(
    login, org_admin, stripe, consumer, project
):
    web = factories.make_component(project, "Web", "web")
    connection_create(project=project, component=web, service=stripe, name="Web payments")

    page = login(org_admin).get(_url(stripe)).content.decode()

    assert "2 connections</strong> are affected by this change (deprecating v1)" in page
    assert "Payments</a>" in page and "component connection of Web, Payments" in page
    assert "They keep working; their history will say what changed." in page
    assert "confirm_affected" not in page


def test_deprecating_tells_every_consumer_who_did_it_and_what_they_said(
    login, org_admin, stripe, consumer, project
):
    other = connection_create(
        project=project,
        component=factories.make_component(project, "Web", "web"),
        service=stripe,
        name="Web payments",
    )
    client = login(org_admin)

    _deprecate(client, stripe, message="Move to v2 by June.")

    said = "deprecated v1: sunset 2031-06-30, “Move to v2 by June.”"
    assert _told(client, consumer) == [said]
    assert _told(client, other) == [said]
    assert f"{org_admin.username} changed Stripe API v1: {said}" in unescape(
        _history(client, other)
    )


def test_a_new_sunset_or_a_withdrawal_is_told_and_saving_the_same_is_not(
    login, org_admin, stripe, consumer
):
    client = login(org_admin)
    _deprecate(client, stripe, message="Soon.")
    _deprecate(client, stripe, message="Soon.")  # nothing changed
    _deprecate(client, stripe, sunset_on="2031-12-31", message="Later.")
    client.post(_url(stripe), {"undeprecate": "1"})
    client.post(_url(stripe), {"undeprecate": "1"})  # no longer deprecated

    assert _told(client, consumer) == [
        "deprecated v1: sunset 2031-06-30, “Soon.”",
        "changed the deprecation of v1: sunset 2031-12-31, “Later.”",
        "withdrew the deprecation of v1: it is current again",
    ]


def test_a_version_nobody_uses_is_deprecated_and_listed_as_such(login, org_admin, stripe):
    client = login(org_admin)
    page = client.get(_url(stripe)).content.decode()
    assert "0 connections use this version" in page
    assert "impact" not in page

    _deprecate(client, stripe)

    assert Service.objects.get(pk=stripe.pk).is_deprecated
