"""Create Connection: + Create, the marketplace view, the service's form."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from connections.history import history_of
from connections.models import Connection
from marketplace.models import Security, Service, Visibility
from tests import factories


def create_url(service=None, component=None, project="payments") -> str:
    kwargs = {"org": "acme", "project": project}
    if component:
        kwargs["component"] = component
    if service is None:
        return reverse("connections:create", kwargs=kwargs)
    return reverse("connections:create-form", kwargs={**kwargs, "service_id": service.pk})


@pytest.fixture
def services(organization, project, other_organization):
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    factories.make_component(project, "Storefront", "storefront")
    directory = factories.make_internal_service(provider, "directory", security=Security.OAUTH2)
    development, production = organization.environments.order_by("order")
    directory.deployments.filter(environment=production).delete()  # not deployed there
    stripe = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("webhookSecret", True),)
    )
    sandbox = factories.add_endpoint(
        stripe, "Sandbox", "https://sandbox.stripe.test", ["development"], webhookSecret="s1"
    )
    live = factories.add_endpoint(
        stripe, "Live", "https://api.stripe.test", ["production"], webhookSecret="s2"
    )
    either = factories.add_endpoint(
        stripe, "Europe", "https://eu.stripe.test", ["development", "production"]
    )
    return {
        "directory": directory,
        "stripe": stripe,
        "sandbox": sandbox,
        "live": live,
        "either": either,
        "records": factories.make_internal_service(provider, "records", Visibility.PROJECT),
        "globex": factories.make_third_party_service(other_organization, "Globex API"),
        "development": development,
        "production": production,
    }


def _post(client, url, **data):
    data.setdefault("request_token", str(uuid.uuid4()))
    # What the page sends beside each "No endpoint" it showed: the posts
    # below that give no mapping create the connection without endpoints.
    data.setdefault("no_endpoint_in", ["development", "production"])
    return client.post(url, data)


def test_create_opens_the_marketplace_view_with_links_to_each_form(login, developer, services):
    response = login(developer).get(create_url())

    assert response.status_code == 200
    assert b"Create Connection" in response.content
    assert create_url(services["stripe"]).encode() in response.content
    assert b"Globex" not in response.content


def test_the_list_offers_create_to_writers_only(login, developer, viewer, services):
    list_url = reverse("connections:list", args=["acme", "payments"])
    assert b"+ Create" in login(developer).get(list_url).content
    assert b"+ Create" not in login(viewer).get(list_url).content


def test_step_one_asks_for_name_and_description_then_next(login, developer, services):
    response = login(developer).get(create_url(services["directory"]))

    content = response.content.decode()
    assert 'name="name"' in content
    assert 'name="description"' in content
    assert ">Next</button>" in content
    assert 'name="request_token"' in content


def test_next_shows_the_service_url_of_every_environment(login, developer, services):
    client = login(developer)
    url = create_url(services["directory"])
    response = _post(client, url, name="Staff directory", description="People", action="next")

    # Step 2 has an address of its own, so that Back, Forward and reload work.
    assert response.status_code == 303
    assert response["Location"] == url + "?step=urls"
    content = client.get(response["Location"]).content.decode()
    assert "Service URL" in content
    assert "http://employee-service-development.internal:8080/directory" in content
    assert "Not deployed in Production" in content
    assert content.index("Development") < content.index("Production")
    assert not Connection.objects.exists()


def test_back_returns_with_what_was_typed(login, developer, services):
    client = login(developer)
    url = create_url(services["directory"])
    response = _post(
        client, url, name="Staff directory", description="People & <places>", action="back"
    )
    assert response.status_code == 303
    assert response["Location"] == url
    content = client.get(url).content.decode()
    assert 'value="Staff directory"' in content
    assert "People &amp; &lt;places&gt;</textarea>" in content


def test_create_makes_the_connection_and_lands_on_its_page(login, developer, services):
    response = _post(
        login(developer),
        create_url(services["directory"], component="storefront"),
        name="Staff directory",
        description="People",
        action="create",
    )

    connection = Connection.objects.get()
    assert connection.component.handle == "storefront"
    assert connection.created_by == developer
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "connections:detail", args=["acme", "payments", "storefront", connection.public_id]
    )
    assert history_of(connection).filter(action="created").exists()


def test_htmx_steps_swap_the_wizard_and_redirect_at_the_end(login, developer, services):
    client = login(developer)
    url = create_url(services["directory"])
    step_two = client.post(
        url,
        {"name": "Staff", "description": "", "action": "next", "request_token": uuid.uuid4()},
        headers={"HX-Request": "true"},
    )
    assert b"<html" not in step_two.content
    assert step_two.content.lstrip().startswith(b'<div id="wizard"')

    done = client.post(
        url,
        {"name": "Staff", "description": "", "action": "create", "request_token": uuid.uuid4()},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200
    assert done["HX-Redirect"].startswith("/orgs/acme/projects/payments/connections/")


def test_submitting_the_same_form_twice_makes_one_connection(login, developer, services):
    client = login(developer)
    token = str(uuid.uuid4())
    data = {"name": "Payments", "action": "create", "request_token": token}
    data |= {"endpoint_development": services["either"].pk}
    data |= {"endpoint_production": services["either"].pk}

    first = client.post(create_url(services["stripe"]), data)
    second = client.post(create_url(services["stripe"]), data)

    assert Connection.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_mapping_is_preselected_from_the_endpoints_serving_each_environment(
    login, developer, services
):
    response = login(developer).get(create_url(services["stripe"]))

    form = response.context["form"]
    assert form["endpoint_development"].value() == services["either"].pk  # first by name
    assert form["endpoint_production"].value() == services["either"].pk
    content = response.content.decode()
    assert "Environment to Endpoint Mapping" in content
    # Only endpoints allowed in an environment are offered there.
    development_select = content.split('name="endpoint_development"')[1].split("</select>")[0]
    assert "Sandbox" in development_select
    assert "Live" not in development_select


def test_a_chosen_endpoint_is_used(login, developer, services):
    _post(
        login(developer),
        create_url(services["stripe"]),
        name="Payments",
        action="create",
        endpoint_development=services["sandbox"].pk,
        endpoint_production=services["live"].pk,
    )
    bindings = {b.environment.handle: b.endpoint for b in Connection.objects.get().bindings.all()}
    assert bindings == {"development": services["sandbox"], "production": services["live"]}


def test_an_endpoint_not_allowed_in_an_environment_is_refused(login, developer, services):
    response = _post(
        login(developer),
        create_url(services["stripe"]),
        name="Payments",
        description="Kept",
        action="create",
        endpoint_development=services["live"].pk,  # Live serves Production only
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert b'<details class="mapping border rounded p-2 mb-3" open>' in response.content
    assert b"Kept</textarea>" in response.content
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ab", "at least 3 characters"),
        ("x" * 60, "at most 50 characters"),
        ("-bad", "start and end with an ASCII letter (A to Z) or a digit"),
        ("a  b", "two spaces"),
        ("<script>", "“&lt;” is not one of them"),
        ("Ünïcödé", "may only use ASCII letters (A to Z, without accents)"),
        ("名前テスト", "“名” is not one of them"),
        ("", "This field is required."),
    ],
)
def test_a_bad_name_is_explained_next_to_the_field(login, developer, services, name, message):
    response = _post(
        login(developer),
        create_url(services["stripe"]),
        name=name,
        description="Kept",
        action="create",
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content
    assert 'id="error_1_id_name"' in content
    assert "Kept</textarea>" in content
    assert "<script>" not in content.split('name="name"')[1].split(">")[0]


def test_a_taken_name_names_the_connection(login, developer, services, project):
    client = login(developer)
    _post(client, create_url(services["stripe"]), name="Payments", action="create")

    response = _post(
        client, create_url(services["directory"], component="storefront"), name="PAYMENTS"
    )

    assert "A connection named “Payments” already exists in this project." in (
        response.content.decode()
    )


def test_a_service_removed_meanwhile_is_explained(login, developer, services):
    client = login(developer)
    url = create_url(services["stripe"])
    client.get(url)
    Service.objects.filter(pk=services["stripe"].pk).update(listed=False)

    response = _post(client, url, name="Payments", action="create")

    assert response.status_code == 404
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    "service_key",
    ["globex", "records"],  # another organization; HR's project-only service
)
def test_services_not_visible_from_the_scope_are_404(login, developer, services, service_key):
    client = login(developer)
    assert client.get(create_url(services[service_key])).status_code == 404
    assert _post(client, create_url(services[service_key]), name="Nope").status_code == 404


def test_a_components_own_service_is_404_at_that_component(
    login, developer, services, organization
):
    url = create_url(services["directory"], component="employee-service", project="hr")
    assert login(developer).get(url).status_code == 404


def test_an_unknown_service_is_404(login, developer, services):
    url = reverse(
        "connections:create-form",
        kwargs={"org": "acme", "project": "payments", "service_id": 999999},
    )
    assert login(developer).get(url).status_code == 404


def test_a_viewer_may_not_create(login, viewer, services):
    client = login(viewer)
    assert client.get(create_url()).status_code == 403
    assert client.get(create_url(services["stripe"])).status_code == 403
    assert _post(client, create_url(services["stripe"]), name="Sneaky").status_code == 403
    assert not Connection.objects.exists()


def test_an_outsider_gets_404(login, outsider, services):
    client = login(outsider)
    assert client.get(create_url()).status_code == 404
    assert _post(client, create_url(services["stripe"]), name="Sneaky").status_code == 404


def test_other_methods_are_405(login, developer, services):
    client = login(developer)
    assert client.post(create_url()).status_code == 405
    assert client.put(create_url(services["stripe"])).status_code == 405


def test_a_missing_or_forged_token_is_an_error_not_a_crash(login, developer, services):
    response = login(developer).post(
        create_url(services["stripe"]),
        {"name": "Payments", "action": "create", "request_token": "not-a-uuid"},
    )
    assert response.status_code == 200
    assert not Connection.objects.exists()
