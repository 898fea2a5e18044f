"""The connection page and Reveal."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from connections.services import connection_create, connection_update
from console.crypto import MASK
from console.models import Action, ActivityEvent, ComponentType
from marketplace.models import Security, Visibility
from tests import factories

SIGNING_SECRET = "whsec_plaintext_sandbox_0451"


@pytest.fixture
def scene(organization, project, component, developer):
    """Storefront (a web app) with a component connection "Staff" to an OAuth
    service of HR; a project connection "Stripe" mapped in Development only;
    a project connection to an internal service deployed nowhere."""
    storefront = factories.make_component(
        project, "Storefront", "storefront", type=ComponentType.WEB_APPLICATION
    )
    hr = factories.make_project(organization, "HR", "hr")
    provider = factories.make_component(hr, "Employee Service", "employee-service")
    employees = factories.make_internal_service(
        provider, "employees", Visibility.ORGANIZATION, security=Security.OAUTH2
    )
    undeployed = factories.make_internal_service(provider, "archive", deployed=False)
    stripe = factories.make_third_party_service(
        organization,
        "Stripe API",
        parameters=(("webhookSigningSecret", True), ("publishableKey", False)),
    )
    factories.add_endpoint(
        stripe,
        "Sandbox",
        "https://sandbox.stripe.test/v1",
        ["development"],
        webhookSigningSecret=SIGNING_SECRET,
        publishableKey="pk_test_visible",
    )

    def create(name, service, component=None, description=""):
        return connection_create(
            project=project,
            component=component,
            service=service,
            name=name,
            description=description,
            created_by=developer,
        )

    return {
        "storefront": storefront,
        "staff": create("Staff", employees, storefront, "Who works here"),
        "stripe": create("Stripe", stripe, description="Card payments"),
        "archive": create("Archive", undeployed),
        "hr": hr,
        "employees": employees,
    }


def _url(name, connection, component=None, project="payments", org="acme"):
    kwargs = {"org": org, "project": project, "connection_id": connection.public_id}
    if component:
        kwargs["component"] = component
    return reverse(f"connections:{name}", kwargs=kwargs)


def _reveal(client, connection, key, environment="development", component=None, **headers):
    return client.post(
        _url("reveal", connection, component),
        {"environment": environment, "key": key},
        **headers,
    )


def test_it_shows_the_connection_and_its_values_per_environment(login, developer, scene):
    staff = scene["staff"]

    response = login(developer).get(_url("detail", staff, "storefront"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Staff" in page
    assert "Who works here" in page
    assert "Employees" in page  # the service
    assert "Component connection of Storefront" in page
    assert "OAuth 2.0" in page
    assert "http://employee-service-production.internal:8080/employees" in page
    for key in ("SERVICEURL", "CONSUMERKEY", "CONSUMERSECRET", "TOKENURL"):
        assert f"CHOREO_STAFF_{key}" in page
    assert MASK in page
    for binding in staff.bindings.all():
        assert binding.consumer_key in page
        assert binding.consumer_secret.reveal() not in page
    assert page.count(">Reveal<") == 2


def test_it_shows_the_component_yaml_snippet_with_the_resource_reference(login, developer, scene):
    response = login(developer).get(_url("detail", scene["staff"], "storefront"))

    assert (
        "dependencies:\n  connectionReferences:\n    - name: Staff\n"
        "      resourceRef: service:/hr/employee-service/v1/employees/ORGANIZATION\n"
    ) in response.content.decode()


def test_it_shows_a_web_application_the_config_js_form(login, developer, scene):
    page = login(developer).get(_url("detail", scene["staff"], "storefront")).content.decode()

    assert "window.configs = {" in page
    assert (
        "serviceUrl: &quot;http://employee-service-development.internal:8080/employees&quot;"
        in (page)
    )
    assert "ConsumerSecret is left out" in page
    assert "os.environ" not in page


def test_it_shows_a_service_component_the_code_samples_and_no_config_js(login, developer, scene):
    page = login(developer).get(_url("detail", scene["stripe"], "checkout-api")).content.decode()

    assert "window.configs" not in page
    assert "os.environ[&quot;CHOREO_STRIPE_SERVICEURL&quot;]" in page
    assert "process.env[&quot;CHOREO_STRIPE_WEBHOOKSIGNINGSECRET&quot;]" in page
    assert "resourceRef: thirdparty:Stripe API/v1" in page


def test_it_shows_both_forms_at_project_level(login, developer, scene):
    page = login(developer).get(_url("detail", scene["stripe"])).content.decode()

    assert "os.environ[&quot;CHOREO_STRIPE_PUBLISHABLEKEY&quot;]" in page
    assert "<details" in page
    assert "window.configs" in page
    assert "publishableKey: &quot;pk_test_visible&quot;" in page
    assert SIGNING_SECRET not in page


def test_it_warns_where_an_environment_has_no_endpoint(login, developer, scene):
    page = login(developer).get(_url("detail", scene["stripe"])).content.decode()

    assert "No endpoint is mapped to Production." in page
    assert "No endpoint is mapped to Development." not in page
    assert "pk_test_visible" in page  # a plain parameter is shown
    assert SIGNING_SECRET not in page


def test_it_warns_where_the_service_is_not_deployed(login, developer, scene):
    page = login(developer).get(_url("detail", scene["archive"])).content.decode()

    assert "The service is not deployed in Development." in page
    assert "The service is not deployed in Production." in page


def test_it_shows_the_history_newest_first_in_words(login, developer, scene):
    staff = scene["staff"]
    connection_update(connection=staff, name="Staff directory", description="", actor=developer)

    page = login(developer).get(_url("detail", staff, "storefront")).content.decode()

    renamed = page.index("dave renamed the connection from “Staff” to “Staff directory”")
    created = page.index("dave created the connection to Employee Service - Employees v1")
    assert renamed < created
    assert "dave changed the description" in page


def test_it_shows_a_viewer_no_reveal_edit_or_delete(login, viewer, scene):
    response = login(viewer).get(_url("detail", scene["staff"], "storefront"))

    page = response.content.decode()
    assert response.status_code == 200
    assert MASK in page
    assert ">Reveal<" not in page
    assert _url("edit", scene["staff"], "storefront") not in page
    assert _url("delete", scene["staff"], "storefront") not in page


def test_it_shows_a_project_connection_at_component_level(login, viewer, scene):
    response = login(viewer).get(_url("detail", scene["stripe"], "storefront"))

    assert response.status_code == 200
    assert "Project connection of Payments" in response.content.decode()


def test_it_reveals_a_secret_to_a_developer_and_records_it(login, developer, scene):
    staff = scene["staff"]
    secret = staff.bindings.get(environment__handle="production").consumer_secret.reveal()

    response = _reveal(login(developer), staff, "ConsumerSecret", "production", "storefront")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page  # without JavaScript, the whole page
    assert secret in page
    assert "no-store" in response["Cache-Control"]
    event = ActivityEvent.objects.get(action=Action.SECRET_REVEALED)
    assert (event.actor, event.detail) == (
        developer,
        {"environment": "Production", "key": "ConsumerSecret"},
    )
    assert secret not in str(event.detail)
    # Only that one value: the other environment's secret stays masked.
    development = staff.bindings.get(environment__handle="development")
    assert development.consumer_secret.reveal() not in page


def test_it_reveals_a_secret_parameter_to_an_admin(login, org_admin, scene):
    response = _reveal(login(org_admin), scene["stripe"], "webhookSigningSecret")

    assert SIGNING_SECRET in response.content.decode()


def test_it_answers_an_htmx_reveal_with_the_value_cell_only(login, developer, scene):
    response = _reveal(
        login(developer), scene["stripe"], "webhookSigningSecret", HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.strip().startswith("<td")
    assert SIGNING_SECRET in page
    assert ActivityEvent.objects.filter(action=Action.SECRET_REVEALED).count() == 1


def test_it_refuses_a_reveal_to_a_viewer(login, viewer, scene):
    response = _reveal(login(viewer), scene["stripe"], "webhookSigningSecret")

    assert response.status_code == 403
    assert SIGNING_SECRET not in response.content.decode()
    assert not ActivityEvent.objects.filter(action=Action.SECRET_REVEALED).exists()


@pytest.mark.parametrize(
    ("key", "environment"),
    [
        ("publishableKey", "development"),  # not a secret
        ("ServiceURL", "development"),
        ("webhookSigningSecret", "production"),  # no endpoint there
        ("webhookSigningSecret", "staging"),
        ("x" * 500, "development"),
        ("webhookSigningSecret\x00", "development"),
        ("", ""),
    ],
)
def test_it_answers_404_for_a_secret_that_is_not_there(login, developer, scene, key, environment):
    response = _reveal(login(developer), scene["stripe"], key, environment)

    assert response.status_code == 404
    assert not ActivityEvent.objects.filter(action=Action.SECRET_REVEALED).exists()


def test_it_refuses_a_reveal_without_a_csrf_token(developer, scene):
    client = Client(enforce_csrf_checks=True)
    client.force_login(developer)

    response = _reveal(client, scene["stripe"], "webhookSigningSecret")

    assert response.status_code == 403
    assert not ActivityEvent.objects.filter(action=Action.SECRET_REVEALED).exists()


ALLOWED = [
    ("detail", "get"),
    ("edit", "get"),
    ("edit", "post"),
    ("delete", "get"),
    ("delete", "post"),
    ("reveal", "post"),
]


@pytest.mark.parametrize(("view", "method"), ALLOWED)
def test_it_hides_every_page_from_an_outsider(login, outsider, scene, view, method):
    client = login(outsider)

    for connection, component in ((scene["staff"], "storefront"), (scene["stripe"], None)):
        response = getattr(client, method)(_url(view, connection, component))
        assert response.status_code == 404


@pytest.mark.parametrize(("view", "method"), ALLOWED)
def test_it_answers_404_for_a_connection_of_another_scope(login, developer, scene, view, method):
    client = login(developer)
    hr_connection = connection_create(
        project=scene["hr"], service=scene["employees"], name="Directory"
    )
    globex = factories.make_organization("Globex", "globex-2")
    factories.add_member(developer, globex, "admin")
    globex_project = factories.make_project(globex, "Payments", "payments")
    globex_stripe = factories.make_third_party_service(globex, "Stripe API")
    globex_connection = connection_create(
        project=globex_project, service=globex_stripe, name="Stripe"
    )

    foreign = [
        # Another project's connection under this project's URL.
        _url(view, hr_connection),
        _url(view, hr_connection, "storefront"),
        # Another component's connection under a component's URL.
        _url(view, scene["staff"], "checkout-api"),
        # Another organization's connection, under this organization's URL.
        _url(view, globex_connection),
    ]
    for url in foreign:
        assert getattr(client, method)(url).status_code == 404
    assert client.get(_url("detail", globex_connection, org="globex-2")).status_code == 200


@pytest.mark.parametrize(
    ("view", "method"),
    [
        ("detail", "post"),
        ("detail", "delete"),
        ("reveal", "get"),
        ("reveal", "put"),
        ("edit", "put"),
        ("edit", "delete"),
        ("delete", "put"),
        ("delete", "delete"),
    ],
)
def test_it_answers_405_to_a_wrong_method(login, developer, scene, view, method):
    response = getattr(login(developer), method)(_url(view, scene["staff"], "storefront"))

    assert response.status_code == 405


def test_it_escapes_markup_everywhere(login, developer, organization, project):
    evil = factories.make_third_party_service(
        organization, "<script>alert(1)</script>: Evil & Co", parameters=(("k<i>", False),)
    )
    factories.add_endpoint(
        evil, "<b>Live</b>", "https://evil.test/?a=<b>", ["production"], **{"k<i>": "<img>"}
    )
    connection = connection_create(
        project=project,
        service=evil,
        name="Evil",
        description="<script>alert('d')</script> ünïcødé ✓",
        created_by=developer,
    )

    response = login(developer).get(_url("detail", connection))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in page
    assert "<img>" not in page
    assert "<b>Live" not in page
    assert "&lt;script&gt;alert(&#x27;d&#x27;)&lt;/script&gt; ünïcødé ✓" in page
    # The resource reference is quoted in the YAML, since ": " would end a key.
    assert "resourceRef: &quot;thirdparty:&lt;script&gt;" in page


def test_the_guide_says_how_the_values_reach_the_component_never_that_junction_injects_them(
    login, developer, scene
):
    component_page = login(developer).get(_url("detail", scene["staff"], "storefront"))
    project_page = login(developer).get(_url("detail", scene["stripe"]))

    for response in (component_page, project_page):
        page = response.content.decode()
        assert "inject" not in page.lower()
        assert "junction run -- python app.py" in page
        assert (
            "curl -fsS -H &quot;Authorization: Bearer $JUNCTION_TOKEN&quot; "
            "&quot;http://127.0.0.1:8000/api/v1/runtime/config?format=dotenv&quot; &gt; .env"
        ) in page
    component = component_page.content.decode()
    assert 'href="/orgs/acme/projects/payments/components/storefront/#runtime-tokens"' in component
    assert 'href="/orgs/acme/projects/payments/#runtime-tokens"' in project_page.content.decode()


def test_the_page_costs_the_same_queries_whatever_its_environments_and_history(
    login, developer, organization, scene, django_assert_max_num_queries
):
    """Each thing is read once: the organization is the scope's, and the
    environments the statuses read are the ones the values are listed in
    (one added but never bound is "not set up", from the same read)."""
    from console.services.environments import environment_create

    client = login(developer)
    url = _url("detail", scene["stripe"])
    client.get(url)
    with django_assert_max_num_queries(15) as first:
        client.get(url)

    for n in range(3):
        environment_create(organization=organization, name=f"QA {n}", actor=developer)
    for n in range(5):
        connection_update(
            connection=scene["stripe"], name="Stripe", description=f"Take {n}", actor=developer
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("QA ") >= 3
