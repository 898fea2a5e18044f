"""Dependencies > Third-Party Services: registering, managing and deleting the
services an organization buys, with their endpoints and parameters."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection as db_connection
from django.urls import reverse

from connections.services import connection_create
from marketplace.models import Endpoint, EndpointParameterValue, Service, ServiceParameter
from tests import factories

SECRET = "sk_test_do-not-leak-4242"


@pytest.fixture
def stripe(organization):
    service = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("publishableKey", False), ("secretKey", True))
    )
    factories.add_endpoint(
        service,
        "Sandbox",
        "https://sandbox.stripe.test/v1",
        ["development"],
        publishableKey="pk_test_visible",
        secretKey=SECRET,
    )
    factories.add_endpoint(service, "Live", "https://api.stripe.test/v1", ["production"])
    return service


@pytest.fixture
def hr_service(organization):
    """Registered for another project (HR) than the one the tests stand in."""
    hr = factories.make_project(organization, "HR", "hr")
    return factories.make_third_party_service(organization, "Workday", project=hr)


@pytest.fixture
def admin_client(login, org_admin):
    return login(org_admin)


def url(name: str, project: str | None = None, **kwargs) -> str:
    kwargs["org"] = "acme"
    if project:
        kwargs["project"] = project
    return reverse(f"marketplace:{name}", kwargs=kwargs)


def register_data(**overrides) -> dict:
    data = {
        "name": "Mapbox",
        "version": "2.1.0",
        "service_type": "rest",
        "security": "api-key",
        "summary": "Maps and geocoding.",
        "overview": "# Mapbox\n\nTiles.",
        "labels": "maps, geo",
        "registered_for": "",
        "parameters-TOTAL_FORMS": "3",
        "parameters-INITIAL_FORMS": "0",
        "parameters-0-name": "accessToken",
        "parameters-0-is_secret": "on",
        "parameters-1-name": "style",
        "parameters-2-name": "",
    }
    data.update(overrides)
    return data


def endpoint_data(service: Service, **overrides) -> dict:
    development = service.organization.environments.get(handle="development")
    data = {
        "name": "Sandbox",
        "url": "https://sandbox.example.com/api",
        "environments": [development.pk],
    }
    for parameter in service.parameters.all():
        data[f"parameter_{parameter.pk}"] = f"value-of-{parameter.name}"
    data.update(overrides)
    return data


def every_route(service: Service) -> list[tuple[str, dict, str]]:
    """(name, kwargs, method) of every third-party route, for one service."""
    endpoint = service.endpoints.first()
    parameter = service.parameters.first()
    one = {"service_id": service.pk}
    return [
        ("third-party-list", {}, "get"),
        ("third-party-register", {}, "get"),
        ("third-party-register", {}, "post"),
        ("third-party-detail", one, "get"),
        ("third-party-edit", one, "get"),
        ("third-party-edit", one, "post"),
        ("third-party-listing", one, "post"),
        ("third-party-delete", one, "get"),
        ("third-party-delete", one, "post"),
        ("third-party-endpoint-add", one, "get"),
        ("third-party-endpoint-add", one, "post"),
        ("third-party-endpoint-edit", {**one, "endpoint_id": endpoint.pk}, "get"),
        ("third-party-endpoint-edit", {**one, "endpoint_id": endpoint.pk}, "post"),
        ("third-party-endpoint-delete", {**one, "endpoint_id": endpoint.pk}, "get"),
        ("third-party-endpoint-delete", {**one, "endpoint_id": endpoint.pk}, "post"),
        ("third-party-parameter-add", one, "post"),
        ("third-party-parameter-delete", {**one, "parameter_id": parameter.pk}, "get"),
        ("third-party-parameter-delete", {**one, "parameter_id": parameter.pk}, "post"),
    ]


# --- Who may do what --------------------------------------------------------


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
    assert admin_client.get(url("third-party-listing", **one)).status_code == 405
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


# --- The list ---------------------------------------------------------------


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


# --- Registering --------------------------------------------------------------


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


# --- Endpoints, parameters and secrets ---------------------------------------


def test_it_adds_an_endpoint_with_its_environments_and_values(admin_client, stripe):
    data = endpoint_data(stripe, name="EU", url="https://eu.stripe.test/v1")
    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)

    endpoint = stripe.endpoints.get(name="EU")
    assert response.status_code == 302
    assert [env.handle for env in endpoint.environments.all()] == ["development"]
    values = {v.parameter.name: v.value.reveal() for v in endpoint.parameter_values.all()}
    assert values == {
        "publishableKey": "value-of-publishableKey",
        "secretKey": "value-of-secretKey",
    }


def test_it_offers_to_add_another_endpoint(admin_client, stripe):
    data = {**endpoint_data(stripe, name="EU"), "add_another": "1"}
    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)
    assert response["Location"] == url("third-party-endpoint-add", service_id=stripe.pk)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"url": "ftp://files.example.com"}, "url", "Only http:// and https:// addresses"),
        ({"url": "javascript:alert(1)"}, "url", "Only http:// and https:// addresses"),
        ({"url": "sandbox.example.com"}, "url", "Enter a full http:// or https:// address"),
        ({"url": "https://" + "a" * 2100}, "url", "at most 2000 characters"),
        ({"name": "sandbox"}, "name", "already has an endpoint named"),
        ({"environments": ["999999"]}, "environments", "Select a valid choice"),
    ],
)
def test_it_explains_a_bad_endpoint_next_to_the_field(
    admin_client, stripe, overrides, field, message
):
    data = endpoint_data(stripe, **{"name": "EU", **overrides})
    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)

    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert f"error_1_id_{field}" in html
    assert "value-of-publishableKey" in html  # typed values are kept
    assert stripe.endpoints.count() == 2


def test_it_refuses_an_environment_of_another_organization(
    admin_client, stripe, other_organization
):
    foreign = other_organization.environments.first()
    data = endpoint_data(stripe, name="EU", environments=[foreign.pk])
    response = admin_client.post(url("third-party-endpoint-add", service_id=stripe.pk), data)
    assert "environments" in response.context["form"].errors


def test_it_never_shows_a_secret_value(admin_client, stripe):
    endpoint = stripe.endpoints.get(name="Sandbox")
    pages = [
        admin_client.get(url("third-party-list")),
        admin_client.get(url("third-party-detail", service_id=stripe.pk)),
        admin_client.get(
            url("third-party-endpoint-edit", service_id=stripe.pk, endpoint_id=endpoint.pk)
        ),
    ]
    for page in pages:
        assert page.status_code == 200
        assert SECRET not in page.content.decode()
    assert "pk_test_visible" in pages[1].content.decode()  # not secret: shown
    assert "Leave empty to keep the current value." in pages[2].content.decode()


def test_it_stores_parameter_values_encrypted(stripe):
    value = EndpointParameterValue.objects.get(
        parameter__name="secretKey", endpoint__name="Sandbox"
    )
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT value FROM marketplace_endpointparametervalue WHERE id = %s", [value.pk]
        )
        (stored,) = cursor.fetchone()
    assert SECRET not in stored
    assert value.value.reveal() == SECRET


def test_it_keeps_a_secret_left_empty_and_replaces_a_typed_one(admin_client, stripe):
    endpoint = stripe.endpoints.get(name="Sandbox")
    secret = stripe.parameters.get(name="secretKey")
    edit = url("third-party-endpoint-edit", service_id=stripe.pk, endpoint_id=endpoint.pk)

    admin_client.post(edit, endpoint_data(stripe, **{f"parameter_{secret.pk}": ""}))
    assert endpoint.parameter_values.get(parameter=secret).value.reveal() == SECRET
    assert endpoint.parameter_values.get(parameter__name="publishableKey").value.reveal() == (
        "value-of-publishableKey"
    )

    admin_client.post(edit, endpoint_data(stripe, **{f"parameter_{secret.pk}": "sk_rotated"}))
    assert endpoint.parameter_values.get(parameter=secret).value.reveal() == "sk_rotated"


def test_it_changes_an_endpoint(admin_client, stripe):
    endpoint = stripe.endpoints.get(name="Live")
    production = stripe.organization.environments.get(handle="production")
    development = stripe.organization.environments.get(handle="development")
    data = endpoint_data(
        stripe,
        name="Live EU",
        url="https://eu.stripe.test",
        environments=[production.pk, development.pk],
    )
    response = admin_client.post(
        url("third-party-endpoint-edit", service_id=stripe.pk, endpoint_id=endpoint.pk), data
    )
    endpoint.refresh_from_db()
    assert response.status_code == 302
    assert (endpoint.name, endpoint.url) == ("Live EU", "https://eu.stripe.test")
    assert endpoint.environments.count() == 2


def test_it_refuses_to_delete_an_endpoint_connections_are_mapped_to_and_names_them(
    admin_client, stripe, project
):
    endpoint = stripe.endpoints.get(name="Sandbox")
    (connection,) = factories.bulk_connections(project, stripe, 1, "Payments <b>Stripe</b>")
    development = stripe.organization.environments.get(handle="development")
    connection.bindings.create(environment=development, endpoint=endpoint)
    delete = url("third-party-endpoint-delete", service_id=stripe.pk, endpoint_id=endpoint.pk)

    page = admin_client.get(delete)
    refused = admin_client.post(delete)

    for response in (page, refused):
        html = response.content.decode()
        assert "The endpoint Sandbox cannot be deleted" in html
        assert "Payments &lt;b&gt;Stripe&lt;/b&gt; 0000" in html
        assert "Delete endpoint</button>" not in html
    assert refused.status_code == 409
    assert "1 connection uses it (Payments &lt;b&gt;Stripe&lt;/b&gt; 0000)" in (
        refused.content.decode()
    )
    assert stripe.endpoints.filter(pk=endpoint.pk).exists()
    assert connection.bindings.get().endpoint == endpoint


def test_it_confirms_then_deletes_an_endpoint_no_connection_uses(admin_client, stripe, project):
    endpoint = stripe.endpoints.get(name="Sandbox")
    factories.bulk_connections(project, stripe, 1, "Payments Stripe")  # mapped to none
    delete = url("third-party-endpoint-delete", service_id=stripe.pk, endpoint_id=endpoint.pk)

    assert "No connection is mapped to it" in admin_client.get(delete).content.decode()
    response = admin_client.post(delete)

    assert response.status_code == 302
    assert not stripe.endpoints.filter(pk=endpoint.pk).exists()


def test_it_adds_a_parameter_with_an_empty_value_on_every_endpoint(admin_client, stripe):
    response = admin_client.post(
        url("third-party-parameter-add", service_id=stripe.pk),
        {"name": "webhookSecret", "is_secret": "on"},
    )
    parameter = stripe.parameters.get(name="webhookSecret")
    assert response.status_code == 302
    assert parameter.is_secret
    assert parameter.values.count() == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [("SECRETKEY", "already has a parameter"), ("bad name", "letters, digits and _ only")],
)
def test_it_explains_a_bad_new_parameter_on_the_service_page(admin_client, stripe, name, message):
    response = admin_client.post(
        url("third-party-parameter-add", service_id=stripe.pk), {"name": name}
    )
    assert response.status_code == 200
    assert message.lower() in response.context["parameter_form"].errors["name"][0].lower()
    assert f'value="{name}"' in response.content.decode()
    assert stripe.parameters.count() == 2


def test_it_refuses_a_parameter_that_would_give_two_connections_one_variable(
    admin_client, stripe, project, organization
):
    # "Pay" gaining X_ServiceURL would give CHOREO_PAY_X_SERVICEURL, which
    # "Pay X" (another service) already gives.
    adyen = factories.make_third_party_service(organization, "Adyen")
    connection_create(project=project, service=stripe, name="Pay")
    connection_create(project=project, service=adyen, name="Pay X")

    response = admin_client.post(
        url("third-party-parameter-add", service_id=stripe.pk), {"name": "X_ServiceURL"}
    )

    assert response.status_code == 200
    (error,) = response.context["parameter_form"].errors["name"]
    assert "“Pay” and “Pay X” in the project Payments" in error
    assert "CHOREO_PAY_X_SERVICEURL" in error
    assert 'value="X_ServiceURL"' in response.content.decode()
    assert not stripe.parameters.filter(name="X_ServiceURL").exists()


def test_it_adds_a_parameter_whose_variable_only_components_apart_share(
    admin_client, stripe, project, organization
):
    # Two components do not see each other's connections: no clash.
    adyen = factories.make_third_party_service(organization, "Adyen")
    web = factories.make_component(project, "Web", "web")
    api = factories.make_component(project, "Api", "api")
    connection_create(project=project, component=web, service=stripe, name="Pay")
    connection_create(project=project, component=api, service=adyen, name="Pay X")

    response = admin_client.post(
        url("third-party-parameter-add", service_id=stripe.pk), {"name": "X_ServiceURL"}
    )

    assert response.status_code == 302
    assert stripe.parameters.filter(name="X_ServiceURL").exists()


def test_it_removes_a_parameter_and_its_values(admin_client, stripe):
    parameter = stripe.parameters.get(name="secretKey")
    delete = url("third-party-parameter-delete", service_id=stripe.pk, parameter_id=parameter.pk)
    assert b"secretKey" in admin_client.get(delete).content
    admin_client.post(delete)
    assert not stripe.parameters.filter(name="secretKey").exists()
    assert not EndpointParameterValue.objects.filter(parameter_id=parameter.pk).exists()


# --- Editing, listing and deleting the service --------------------------------


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

    admin_client.post(listing, {"listed": "0"})
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
