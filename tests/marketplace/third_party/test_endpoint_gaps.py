"""An endpoint saved with no environment or a parameter without a value
(every endpoint gives each parameter a value): the form says so before it
saves, and saves only when asked to anyway (issue #17, item 11)."""

from __future__ import annotations

import pytest

from tests.marketplace.third_party.support import endpoint_data, url


def _parameter_field(service, name: str) -> str:
    return f"parameter_{service.parameters.get(name=name).pk}"


@pytest.mark.parametrize(
    ("overrides", "gap"),
    [
        ({"environments": []}, "It serves no environment"),
        ({"secret": ""}, "secretKey has no value"),
        ({"public": ""}, "publishableKey has no value"),
    ],
)
def test_an_incomplete_endpoint_is_not_added_before_the_form_says_what_it_lacks(
    admin_client, stripe, overrides, gap
):
    data = endpoint_data(stripe, name="EU")
    if "environments" in overrides:
        data["environments"] = overrides["environments"]
    if "secret" in overrides:
        data[_parameter_field(stripe, "secretKey")] = ""
    if "public" in overrides:
        data[_parameter_field(stripe, "publishableKey")] = ""

    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)

    assert response.status_code == 200
    assert not stripe.endpoints.filter(name="EU").exists()
    page = response.content.decode()
    assert "This endpoint is incomplete." in page
    assert gap in page
    assert 'name="save_incomplete" value="1"' in page and "Add it anyway" in page
    assert 'value="EU"' in page  # what was typed is kept


def test_add_it_anyway_adds_the_incomplete_endpoint(admin_client, stripe):
    data = {**endpoint_data(stripe, name="EU", environments=[]), "save_incomplete": "1"}

    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)

    assert response.status_code == 302
    assert not stripe.endpoints.get(name="EU").environments.exists()


def test_a_complete_endpoint_is_added_at_once(admin_client, stripe):
    data = endpoint_data(stripe, name="EU")

    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)

    assert response.status_code == 302


def test_editing_keeps_a_secret_left_empty_without_asking(admin_client, stripe):
    sandbox = stripe.endpoints.get(name="Sandbox")  # its secretKey is set
    data = endpoint_data(stripe)
    data[_parameter_field(stripe, "secretKey")] = ""  # "leave empty to keep"

    response = admin_client.post(
        url("third-party-endpoint-edit", service_id=stripe.pk, endpoint_id=sandbox.pk), data
    )

    assert response.status_code == 302


def test_editing_an_endpoint_that_never_had_a_secret_asks_first(admin_client, stripe):
    live = stripe.endpoints.get(name="Live")  # no values at all
    data = endpoint_data(stripe, name="Live")
    data[_parameter_field(stripe, "secretKey")] = ""
    edit = url("third-party-endpoint-edit", service_id=stripe.pk, endpoint_id=live.pk)

    asked = admin_client.post(edit, data)
    saved = admin_client.post(edit, {**data, "save_incomplete": "1"})

    assert asked.status_code == 200
    assert "secretKey has no value" in asked.content.decode()
    assert "Save anyway" in asked.content.decode()
    assert saved.status_code == 302
