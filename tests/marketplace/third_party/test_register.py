"""+ Register: a third-party service with its parameters and definition."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.models import Service
from tests import factories
from tests.marketplace.third_party.support import register_data, url


def test_it_registers_a_service_for_the_organization_then_asks_for_endpoints(admin_client):
    response = admin_client.post(url("third-party-register"), register_data())

    service = Service.objects.get(name="Mapbox")
    assert response.status_code == 302
    assert response["Location"] == url("third-party-endpoint-add", service_id=service.pk)
    assert (service.kind, service.project, service.major, service.version) == (
        "third-party",
        None,
        2,
        "2.1.0",
    )
    assert service.security == "api-key"
    assert sorted(tag.name for tag in service.tags.all()) == ["geo", "maps"]
    assert sorted((p.name, p.is_secret) for p in service.parameters.all()) == [
        ("accessToken", True),
        ("style", False),
    ]


def test_it_registers_for_one_project_from_either_level(admin_client, project):
    admin_client.post(url("third-party-register"), register_data(registered_for=project.pk))
    admin_client.post(url("third-party-register", "payments"), register_data(name="Adyen"))

    assert Service.objects.get(name="Mapbox").project == project
    assert Service.objects.get(name="Adyen").project == project


def test_it_refuses_a_project_of_another_organization(admin_client, other_organization):
    foreign = factories.make_project(other_organization, "Secret", "secret")
    response = admin_client.post(
        url("third-party-register"), register_data(registered_for=foreign.pk)
    )
    assert "registered_for" in response.context["form"].errors
    assert not Service.objects.filter(name="Mapbox").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"version": "v2"}, "version", "Enter a semantic version such as 1.0.0"),
        ({"version": "1.2"}, "version", "Enter a semantic version such as 1.0.0"),
        ({"name": "stripe api", "version": "1.4.0"}, "name", "already has a third-party service"),
        ({"name": ""}, "name", "This field is required."),
        ({"labels": "x" * 41}, "labels", "at most 40 characters"),
    ],
)
def test_it_explains_a_bad_service_next_to_the_field_and_keeps_what_was_typed(
    admin_client, stripe, overrides, field, message
):
    data = register_data(**overrides)
    response = admin_client.post(url("third-party-register"), data)

    form = response.context["form"]
    assert response.status_code == 200
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert f'id="error_1_id_{field}"' in html  # crispy puts it under the field
    assert 'value="Maps and geocoding."' in html
    assert 'value="accessToken"' in html
    assert not Service.objects.filter(name="Mapbox").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("2fast", "starting with a letter"),
        ("api-key", "letters, digits and _ only"),
        ("ünïcode", "letters, digits and _ only"),
        ("serviceurl", "Every connection already provides ServiceURL"),
        ("ACCESSTOKEN", "Another parameter is already named this"),
    ],
)
def test_it_explains_a_bad_parameter_name_on_its_row(admin_client, name, message):
    response = admin_client.post(
        url("third-party-register"), register_data(**{"parameters-1-name": name})
    )

    row = response.context["parameters"].forms[1]
    assert message.lower() in " ".join(row.errors["name"]).lower()
    assert 'id="error_1_id_parameters-1-name"' in response.content.decode()
    assert not Service.objects.filter(name="Mapbox").exists()


def test_it_asks_for_the_name_of_a_row_marked_secret(admin_client):
    response = admin_client.post(
        url("third-party-register"), register_data(**{"parameters-2-is_secret": "on"})
    )
    assert "Enter the name" in response.context["parameters"].forms[2].errors["name"][0]


def test_it_shows_the_mistakes_of_the_form_and_of_the_parameters_at_once(admin_client):
    data = register_data(
        version="one", **{"parameters-0-name": "Token", "parameters-1-name": "TOKEN"}
    )
    response = admin_client.post(url("third-party-register"), data)
    assert "version" in response.context["form"].errors
    assert "already named" in response.context["parameters"].forms[1].errors["name"][0]


def test_it_stores_an_uploaded_definition_with_its_format(admin_client):
    upload = SimpleUploadedFile("mapbox.yaml", b"openapi: 3.0.0\ninfo:\n  title: Mapbox\n")
    admin_client.post(url("third-party-register"), {**register_data(), "definition": upload})

    service = Service.objects.get(name="Mapbox")
    assert service.definition_format == "openapi"
    assert service.api_definition.startswith("openapi: 3.0.0")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a" * (1024 * 1024 + 1), "a definition may be at most 1.0 MB"),
        (b"\x89PNG\r\n\x1a\n\xff\xfe\x00", "not UTF-8 text"),
    ],
)
def test_it_refuses_a_bad_definition_upload_and_keeps_the_rest(admin_client, content, message):
    upload = SimpleUploadedFile("definition.bin", content)
    response = admin_client.post(
        url("third-party-register"), {**register_data(), "definition": upload}
    )

    assert message in response.context["form"].errors["definition"][0]
    assert 'id="error_1_id_definition"' in response.content.decode()
    assert 'value="Mapbox"' in response.content.decode()
    assert not Service.objects.filter(name="Mapbox").exists()


def test_it_escapes_markup_and_takes_odd_input_without_error(admin_client):
    name = "<script>alert('x')</script> Ünïcødé 🚀"
    response = admin_client.post(
        url("third-party-register"),
        register_data(name=name, summary="<b>bold</b>" + "é" * 280, overview="x" * 25_000),
    )
    assert response.status_code == 200  # the overview is too long: a form error
    assert "at most 20000 characters" in response.context["form"].errors["overview"][0]
    assert b"<script>alert" not in response.content

    admin_client.post(url("third-party-register"), register_data(name=name))
    service = Service.objects.get(name=name)
    detail = admin_client.get(url("third-party-detail", service_id=service.pk))
    listing = admin_client.get(url("third-party-list"))
    for page in (detail, listing):
        assert b"<script>alert" not in page.content
        assert "&lt;script&gt;alert" in page.content.decode()
