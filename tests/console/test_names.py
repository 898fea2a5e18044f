"""Names (console/names.py): two names that look the same are the same name.

Every name field, in the console's forms and in the admin, stores a name in
NFKC and refuses the characters that show nothing or reorder the text."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from console.models import Environment, Organization, Project
from console.names import NameFormField, normalize_name, validate_name_characters
from marketplace.models import Service
from tests.world import database_state

ZERO_WIDTH = "Stripe\u200b API"
RIGHT_TO_LEFT = "Stripe API\u202e"
FULLWIDTH = "Ｓｔｒｉｐｅ API"

INVISIBLE = {
    "\u200b": "U+200B ZERO WIDTH SPACE",
    "\u202e": "U+202E RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "U+2066 LEFT-TO-RIGHT ISOLATE",
    "\ufeff": "U+FEFF ZERO WIDTH NO-BREAK SPACE",
    "\u00ad": "U+00AD SOFT HYPHEN",
    "\x07": "U+0007 (a control character)",
    "\x1b": "U+001B (a control character)",
    "\u2028": "U+2028 LINE SEPARATOR",
    "\u2029": "U+2029 PARAGRAPH SEPARATOR",
    "\ue000": "U+E000 (a private-use character)",
}


@pytest.mark.parametrize("character", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_it_names_the_character_it_refuses(character):
    with pytest.raises(ValidationError) as error:
        NameFormField().clean(f"Stripe{character}API")
    assert error.value.messages == [f"{INVISIBLE[character]} is not allowed in a name."]


@pytest.mark.parametrize(
    "name", ["Café Crème", "Müller GmbH", "東京 Payments", "Ærø-1", "🚀 Launch"]
)
def test_it_keeps_ordinary_names_of_any_script(name):
    assert NameFormField().clean(name) == name
    validate_name_characters(name)


def test_it_stores_a_name_in_its_compatibility_form():
    assert normalize_name(FULLWIDTH) == "Stripe API"
    assert normalize_name("ﬁnance") == "finance"
    assert NameFormField().clean("\u3000Payments\u3000") == "Payments"  # ideographic spaces


# -- The console's forms ---------------------------------------------------


def _admin_client(world) -> Client:
    client = Client()
    client.force_login(world.personas["admin"])
    return client


def _register(client, name: str):
    return client.post(
        reverse("marketplace:third-party-register", kwargs={"org": "acme"}),
        {
            "name": name,
            "version": "1.4.0",
            "service_type": "rest",
            "security": "none",
            "labels": "",
            "registered_for": "",
            "parameters-TOTAL_FORMS": "1",
            "parameters-INITIAL_FORMS": "0",
            "parameters-0-name": "",
        },
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (ZERO_WIDTH, "U+200B ZERO WIDTH SPACE is not allowed in a name."),
        (RIGHT_TO_LEFT, "U+202E RIGHT-TO-LEFT OVERRIDE is not allowed in a name."),
    ],
)
def test_it_refuses_a_service_name_that_differs_invisibly(world, name, message):
    before = database_state()
    response = _register(_admin_client(world), name)
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [message]
    assert response.context["form"]["version"].value() == "1.4.0"  # the rest is kept
    assert database_state() == before


def test_it_takes_a_fullwidth_service_name_for_the_name_it_looks_like(world):
    # Stripe API v1 exists already (tests/world.py).
    before = database_state()
    response = _register(_admin_client(world), FULLWIDTH)
    assert response.status_code == 200
    assert "already has a third-party service named “Stripe API”" in " ".join(
        response.context["form"].errors["name"]
    )
    assert database_state() == before


def test_it_stores_a_fullwidth_name_normalized(world):
    response = _register(_admin_client(world), "Ｍａｐｂｏｘ")
    assert response.status_code == 302
    assert Service.objects.filter(organization__handle="acme", name="Mapbox").exists()


def test_it_refuses_invisible_characters_in_endpoint_and_parameter_names(world):
    client = _admin_client(world)
    a = world.a
    endpoint_url = reverse(
        "marketplace:third-party-endpoint-add",
        kwargs={"org": "acme", "service_id": a.third_party.pk},
    )
    response = client.post(endpoint_url, {"name": "Sandbox\u200b", "url": "https://x.example"})
    assert response.context["form"].errors["name"] == [
        "U+200B ZERO WIDTH SPACE is not allowed in a name."
    ]
    # Fullwidth "Sandbox" is the existing Sandbox.
    response = client.post(endpoint_url, {"name": "Ｓａｎｄｂｏｘ", "url": "https://x.example"})
    assert "already has an endpoint named “Sandbox”" in " ".join(
        response.context["form"].errors["name"]
    )
    publish_url = reverse(
        "marketplace:component-endpoint-add",
        kwargs={"org": "acme", "project": "payments", "component": "checkout-api"},
    )
    response = client.post(
        publish_url,
        {
            "endpoint_name": "Refunds\u2066",
            "service_type": "rest",
            "visibility": "organization",
            "version": "1.0.0",
            "security": "none",
        },
    )
    assert response.context["form"].errors["endpoint_name"] == [
        "U+2066 LEFT-TO-RIGHT ISOLATE is not allowed in a name."
    ]


def _create_connection(client, world, name: str):
    url = reverse(
        "connections:create-form",
        kwargs={"org": "acme", "project": "payments", "service_id": world.a.internal_service.pk},
    )
    return client.post(url, {"name": name, "request_token": str(uuid.uuid4()), "action": "create"})


def test_it_refuses_a_connection_name_with_an_invisible_character_by_name(world):
    response = _create_connection(_admin_client(world), world, "Employees\u200b Feed")
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "U+200B ZERO WIDTH SPACE is not allowed in a name."
    ]


def test_it_normalizes_a_connection_name(world):
    client = _admin_client(world)
    response = _create_connection(client, world, "Ｅｍｐｌｏｙｅｅｓ Feed")
    assert response.status_code == 302
    assert world.a.project.connections.filter(name="Employees Feed").exists()


# -- The admin -------------------------------------------------------------


def _staff(world) -> Client:
    staff = world.personas["admin"]
    staff.is_staff = staff.is_superuser = True
    staff.save()
    return _admin_client(world)


def test_it_refuses_invisible_characters_in_names_in_the_admin(world):
    client = _staff(world)
    a = world.a
    before = database_state()
    response = client.post(
        reverse("admin:console_project_change", args=[a.project.pk]),
        {
            "name": "Payments\u200b",
            "handle": "payments",
            "description": "",
            "components-TOTAL_FORMS": "0",
            "components-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [
        "U+200B ZERO WIDTH SPACE is not allowed in a name."
    ]
    assert database_state() == before


def test_it_normalizes_names_typed_in_the_admin(world):
    client = _staff(world)
    organization = Organization.objects.get(handle="acme")
    response = client.post(
        reverse("admin:console_project_add"),
        {
            "organization": organization.pk,
            "name": "Ｌｅｄｇｅｒ",
            "handle": "ledger",
            "components-TOTAL_FORMS": "0",
            "components-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Project.objects.get(handle="ledger").name == "Ledger"


def test_it_checks_every_name_of_the_models_with_the_same_rule():
    from connections.models import Connection
    from console.models import Component
    from marketplace.models import Endpoint, ServiceParameter

    for model in (
        Organization,
        Project,
        Component,
        Environment,
        Service,
        Endpoint,
        ServiceParameter,
        Connection,
    ):
        field = model._meta.get_field("name")
        assert validate_name_characters in field.validators, model
        assert isinstance(field.formfield(), NameFormField), model
