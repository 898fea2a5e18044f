"""The Django admin: every registered model's pages answer, no secret ever
reaches a page, and the rules the console keeps hold in the admin too."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection as db_connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.history import describe_event, history_of
from connections.models import Connection, ConnectionBinding
from connections.services import connection_create
from console.crypto import MASK
from console.models import (
    Action,
    ActivityEvent,
    ComponentType,
    Environment,
    Membership,
    Organization,
    Project,
    Role,
)
from delivery.models import ComponentManifest, ConfigPull, RuntimeToken, token_digest
from delivery.services import runtime_token_create
from marketplace.models import (
    Endpoint,
    EndpointParameterValue,
    Security,
    Service,
    ServiceParameter,
    Tag,
)
from tests import factories
from tests.conftest import PASSWORD

REGISTERED_MODELS = list(admin.site._registry)
SIGNING_SECRET = "whsec-sandbox-plaintext-0451"


@pytest.fixture
def dataset(organization, project, component, org_admin):
    """At least one row of every model: an OAuth 2.0 internal service with a
    component connection, and an API-key third-party service with a secret
    endpoint parameter and a project connection."""
    Group.objects.create(name="Platform team")
    # django-axes' records: one failed and one successful log-in.
    Client().post(reverse("login"), {"username": org_admin.username, "password": PASSWORD})
    Client().post(reverse("login"), {"username": org_admin.username, "password": "wrong"})
    storefront = factories.make_component(project, "Storefront", type=ComponentType.WEB_APPLICATION)
    checkout = factories.make_internal_service(component, security=Security.OAUTH2)
    stripe = factories.make_third_party_service(
        organization,
        "Stripe API",
        security=Security.API_KEY,
        parameters=(("SigningSecret", True), ("Region", False)),
    )
    stripe.tags.add(Tag.objects.create(organization=organization, name="payments"))
    factories.add_endpoint(
        stripe,
        "Sandbox",
        "https://sandbox.stripe.test",
        ["development", "production"],
        SigningSecret=SIGNING_SECRET,
        Region="eu-west-1",
    )
    connection_create(
        project=project,
        component=storefront,
        service=checkout,
        name="Checkout Backend",
        created_by=org_admin,
    )
    connection_create(
        project=project, service=stripe, name="Payments Gateway", created_by=org_admin
    )
    # A runtime token that pulled the storefront's values, and its component.yaml.
    issued = runtime_token_create(
        project=project,
        component=storefront,
        environment=organization.environments.get(handle="development"),
        name="Storefront deploy",
        expires_at=None,
        actor=org_admin,
    )
    pulled = Client().get(reverse("delivery:config"), HTTP_AUTHORIZATION=f"Bearer {issued.token}")
    assert pulled.status_code == 200
    ComponentManifest.objects.create(
        component=storefront,
        text="schemaVersion: 1.2\n",
        declared={"references": [], "env": []},
    )
    return {"runtime_token": issued.token}


def _secrets() -> list[str]:
    """Every secret's plaintext and every stored ciphertext."""
    plaintexts = [
        value.value.reveal()
        for value in EndpointParameterValue.objects.filter(parameter__is_secret=True)
    ]
    for binding in ConnectionBinding.objects.all():
        plaintexts += [
            secret.reveal() for secret in (binding.consumer_secret, binding.api_key) if secret
        ]
    # A consumer secret and an API key per environment, and the parameter.
    assert SIGNING_SECRET in plaintexts
    assert len(plaintexts) == 5
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT consumer_secret, api_key FROM {ConnectionBinding._meta.db_table} "
            f"UNION ALL SELECT value, NULL FROM {EndpointParameterValue._meta.db_table}"
        )
        ciphertexts = [token for row in cursor.fetchall() for token in row if token]
    return plaintexts + ciphertexts


def _admin_url(model, page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _may_add(model, user) -> bool:
    request = RequestFactory().get("/admin/")
    request.user = user
    return admin.site._registry[model].has_add_permission(request)


def _form_data(response) -> dict:
    """What a browser would post back for the admin form on ``response``,
    unchanged: the main form, and every inline's management form and rows."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            value = field.prepare_value(form[name].value())
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda model: model._meta.label)
def test_it_answers_every_admin_page_of_every_model(admin_client, admin_user, dataset, model):
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"add a {model._meta.label} to the dataset fixture"

    for url in (
        _admin_url(model, "changelist"),
        _admin_url(model, "changelist") + "?q=a",
        _admin_url(model, "changelist") + "?q=%3Cb%3E%27%22%25",
        _admin_url(model, "change", row.pk),
    ):
        assert admin_client.get(url).status_code == 200, url

    expected = 200 if _may_add(model, admin_user) else 403
    assert admin_client.get(_admin_url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda model: model._meta.label)
def test_it_never_shows_a_secret_on_an_admin_page(admin_client, dataset, model):
    secrets = _secrets()
    urls = [
        _admin_url(model, "changelist"),
        _admin_url(model, "changelist") + "?q=a",
        _admin_url(model, "add"),
        *(
            _admin_url(model, "change", pk)
            for pk in model._default_manager.values_list("pk", flat=True)
        ),
    ]
    for url in urls:
        content = admin_client.get(url).content.decode()
        for secret in secrets:
            assert secret not in content, url


def test_it_never_shows_a_runtime_token_or_what_it_pulled(admin_client, dataset):
    delivered = _secrets()
    for model in (RuntimeToken, ConfigPull):
        for url in (
            _admin_url(model, "changelist"),
            _admin_url(model, "change", model._default_manager.get().pk),
        ):
            content = admin_client.get(url).content.decode()
            assert dataset["runtime_token"] not in content, url
            assert token_digest(dataset["runtime_token"]) not in content, url
            for secret in delivered:
                assert secret not in content, url


def test_it_revokes_runtime_tokens_through_the_console_service(admin_client, dataset):
    token = RuntimeToken.objects.get()

    admin_client.post(
        _admin_url(RuntimeToken, "changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by_name == "admin"
    refused = Client().get(
        reverse("delivery:config"), HTTP_AUTHORIZATION=f"Bearer {dataset['runtime_token']}"
    )
    assert refused.status_code == 401


def test_it_shows_secrets_masked(admin_client, dataset):
    connection = Connection.objects.get(name="Payments Gateway")
    secret_value = EndpointParameterValue.objects.get(parameter__name="SigningSecret")
    plain_value = EndpointParameterValue.objects.get(parameter__name="Region")

    connection_page = admin_client.get(_admin_url(Connection, "change", connection.pk))
    secret_page = admin_client.get(_admin_url(EndpointParameterValue, "change", secret_value.pk))
    plain_page = admin_client.get(_admin_url(EndpointParameterValue, "change", plain_value.pk))

    assert MASK in connection_page.content.decode()
    assert MASK in secret_page.content.decode()
    # An ordinary parameter is shown, as on the connection page.
    assert "eu-west-1" in plain_page.content.decode()


def _service_form(organization: Organization, **changes) -> dict:
    data = {
        "organization": organization.pk,
        "kind": "third-party",
        "name": "Ledger API",
        "version": "2.3.1",
        "listed": "on",
        "service_type": "rest",
        "security": "none",
    }
    return data | changes


def test_it_sets_the_major_from_the_version(admin_client, organization):
    response = admin_client.post(_admin_url(Service, "add"), _service_form(organization))

    assert response.status_code == 302
    service = Service.objects.get(name="Ledger API")
    assert (service.version, service.major) == ("2.3.1", 2)


def test_it_keeps_the_major_in_step_when_the_version_changes(admin_client, dataset):
    service = Service.objects.get(name="Stripe API")
    url = _admin_url(Service, "change", service.pk)
    data = _form_data(admin_client.get(url)) | {"version": "4.0.1"}

    response = admin_client.post(url, data)

    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.version, service.major) == ("4.0.1", 4)


def test_it_refuses_a_version_that_is_not_semantic(admin_client, organization):
    response = admin_client.post(
        _admin_url(Service, "add"), _service_form(organization, version="two")
    )

    assert response.status_code == 200
    assert "Enter a semantic version" in response.content.decode()
    assert not Service.objects.exists()


def test_it_refuses_a_project_of_another_organization(
    admin_client, organization, other_organization
):
    foreign = factories.make_project(other_organization, "Billing")

    response = admin_client.post(
        _admin_url(Service, "add"), _service_form(organization, project=foreign.pk)
    )

    assert response.status_code == 200
    assert "This project belongs to another organization." in response.content.decode()
    assert not Service.objects.exists()


def test_it_refuses_a_duplicate_third_party_name_in_the_same_major(admin_client, dataset):
    organization = Organization.objects.get(handle="acme")

    response = admin_client.post(
        _admin_url(Service, "add"), _service_form(organization, name="stripe api", version="1.9.0")
    )

    assert response.status_code == 200
    assert Service.objects.filter(name__iexact="stripe api").count() == 1


def test_it_refuses_a_project_handle_the_organization_already_has(
    admin_client, organization, project
):
    hr = factories.make_project(organization, "HR")
    url = _admin_url(Project, "change", hr.pk)
    page = admin_client.get(url)
    data = _form_data(page) | {"handle": "payments"}

    response = admin_client.post(url, data)

    # The organization is read-only once the project exists.
    assert "organization" not in page.context["adminform"].form.fields
    assert response.status_code == 200
    hr.refresh_from_db()
    assert hr.handle == "hr"


def test_it_refuses_a_rename_that_collides_with_another_service(admin_client, dataset):
    organization = Organization.objects.get(handle="acme")
    twilio = factories.make_third_party_service(organization, "Twilio SMS")
    url = _admin_url(Service, "change", twilio.pk)
    data = _form_data(admin_client.get(url)) | {"name": "stripe api"}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    twilio.refresh_from_db()
    assert twilio.name == "Twilio SMS"


def test_it_refuses_an_endpoint_name_the_service_already_has(admin_client, dataset):
    stripe = Service.objects.get(name="Stripe API")
    live = factories.add_endpoint(stripe, "Live", "https://api.stripe.test", ["production"])
    url = _admin_url(Endpoint, "change", live.pk)
    data = _form_data(admin_client.get(url)) | {"name": "SANDBOX"}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    live.refresh_from_db()
    assert live.name == "Live"


def test_it_refuses_two_new_parameters_with_one_name(admin_client, dataset):
    stripe = Service.objects.get(name="Stripe API")
    url = _admin_url(Service, "change", stripe.pk)
    data = _form_data(admin_client.get(url))
    total = int(data["parameters-TOTAL_FORMS"])
    data |= {
        "parameters-TOTAL_FORMS": total + 2,
        f"parameters-{total}-name": "Webhook",
        f"parameters-{total + 1}-name": "webhook",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "names must differ" in response.content.decode()
    assert not stripe.parameters.filter(name__iexact="webhook").exists()


def test_it_renames_a_connection_and_its_variables(admin_client, admin_user, dataset):
    connection = Connection.objects.get(name="Checkout Backend")
    url = _admin_url(Connection, "change", connection.pk)
    data = _form_data(admin_client.get(url)) | {"name": "Checkout Backend v2"}

    response = admin_client.post(url, data)

    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "Checkout Backend v2"
    assert connection.variable_stem == "CHECKOUT_BACKEND_V2"
    event = history_of(connection).get(action=Action.RENAMED)
    assert event.actor == admin_user
    assert event.changes["name"] == ["Checkout Backend", "Checkout Backend v2"]


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("a", "at least 3 characters"),
        ("Checkout  Backend", "two spaces"),
        ("payments gateway", "already exists in this project"),
        ("Payments-Gateway", "CHOREO_PAYMENTS_GATEWAY_SERVICEURL"),
    ],
)
def test_it_refuses_a_connection_name_the_console_would_refuse(admin_client, dataset, name, error):
    connection = Connection.objects.get(name="Checkout Backend")
    url = _admin_url(Connection, "change", connection.pk)
    data = _form_data(admin_client.get(url)) | {"name": name}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert error in response.content.decode()
    connection.refresh_from_db()
    assert connection.name == "Checkout Backend"


def _parameter_row(data: dict, name: str) -> str:
    """The inline prefix (``parameters-<n>``) of the parameter row named ``name``."""
    (prefix,) = [key[: -len("-name")] for key, value in data.items() if value == name]
    return prefix


def test_it_keeps_a_parameters_secret_flag_and_service_in_the_admin(
    admin_client, dataset, other_organization
):
    # Unflagging a secret would show its values to Viewers; moving it would
    # hand them to another organization's service. Neither is recorded.
    stripe = Service.objects.get(name="Stripe API")
    elsewhere = factories.make_third_party_service(other_organization, "Globex Pay")
    signing = ServiceParameter.objects.get(name="SigningSecret")
    region = ServiceParameter.objects.get(name="Region")

    url = _admin_url(ServiceParameter, "change", signing.pk)
    data = _form_data(admin_client.get(url))
    admin_client.post(url, {**data, "service": elsewhere.pk, "is_secret": ""})

    url = _admin_url(Service, "change", stripe.pk)
    data = _form_data(admin_client.get(url))
    data.pop(_parameter_row(data, "SigningSecret") + "-is_secret", None)
    data[_parameter_row(data, "Region") + "-is_secret"] = "on"
    response = admin_client.post(url, data)

    assert response.status_code == 302
    signing.refresh_from_db()
    region.refresh_from_db()
    assert (signing.service_id, signing.is_secret) == (stripe.pk, True)
    assert (region.service_id, region.is_secret) == (stripe.pk, False)
    assert not elsewhere.parameters.exists()


def test_it_refuses_a_parameter_rename_that_gives_two_connections_one_variable(
    admin_client, dataset, organization, project
):
    # "Payments Gateway" (Stripe) with Region renamed X_ServiceURL would give
    # CHOREO_PAYMENTS_GATEWAY_X_SERVICEURL, which "Payments Gateway X" gives.
    adyen = factories.make_third_party_service(organization, "Adyen")
    connection_create(project=project, service=adyen, name="Payments Gateway X")
    stripe = Service.objects.get(name="Stripe API")
    region = ServiceParameter.objects.get(name="Region")

    url = _admin_url(ServiceParameter, "change", region.pk)
    alone = admin_client.post(url, _form_data(admin_client.get(url)) | {"name": "X_ServiceURL"})
    url = _admin_url(Service, "change", stripe.pk)
    data = _form_data(admin_client.get(url))
    data[_parameter_row(data, "Region") + "-name"] = "X_ServiceURL"
    inline = admin_client.post(url, data)

    for response in (alone, inline):
        assert response.status_code == 200
        html = response.content.decode()
        assert "CHOREO_PAYMENTS_GATEWAY_X_SERVICEURL" in html
        assert "“Payments Gateway” and “Payments Gateway X”" in html
    region.refresh_from_db()
    assert region.name == "Region"


def test_it_finds_a_connection_by_its_public_id(admin_client, dataset):
    connection = Connection.objects.get(name="Payments Gateway")

    response = admin_client.get(_admin_url(Connection, "changelist"), {"q": connection.public_id})

    assert list(response.context["cl"].result_list) == [connection]


def test_it_records_a_connection_deleted_in_the_admin(admin_client, dataset):
    connection = Connection.objects.get(name="Checkout Backend")

    response = admin_client.post(_admin_url(Connection, "delete", connection.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Connection.objects.filter(pk=connection.pk).exists()
    event = history_of(connection).get(action=Action.DELETED)
    assert event.object_id == str(connection.public_id)


def test_it_deletes_a_connection_as_the_console_does_and_says_so(admin_client, dataset):
    connection = Connection.objects.get(name="Checkout Backend")

    admin_client.post(
        _admin_url(Connection, "changelist"),
        {"action": "delete_selected", "_selected_action": [connection.pk], "post": "yes"},
    )

    assert not Connection.objects.filter(pk=connection.pk).exists()
    event = history_of(connection).get(action=Action.DELETED)
    assert event.detail == {
        "service": str(connection.service),
        "scope": connection.scope_label,
        "state": {
            "name": "Checkout Backend",
            "service": str(connection.service),
            "version": connection.service.version,
            "level": connection.scope_label,
            **({"component": connection.component.name} if connection.component else {}),
        },
        "via": "admin",
    }
    assert describe_event(event).endswith("deleted the connection in the Django admin")


def test_it_shows_activity_events_read_only(admin_client, dataset):
    event = ActivityEvent.objects.first()
    url = _admin_url(ActivityEvent, "change", event.pk)

    page = admin_client.get(url)
    attempt = admin_client.post(url, {"object_name": "Tampered", "action": "deleted"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert attempt.status_code == 403
    event.refresh_from_db()
    assert event.object_name != "Tampered"


def test_it_gives_an_organization_added_in_the_admin_its_environments(admin_client):
    url = _admin_url(Organization, "add")
    data = _form_data(admin_client.get(url)) | {"name": "Initech", "handle": "initech"}

    response = admin_client.post(url, data)

    assert response.status_code == 302
    organization = Organization.objects.get(handle="initech")
    assert [env.name for env in organization.environments.order_by("order")] == [
        "Development",
        "Production",
    ]


def _add_services(organization, project, count: int) -> None:
    # Both kinds, so every column (project, visibility) is filled somewhere.
    for _ in range(count // 2):
        number = Service.objects.count()
        factories.make_third_party_service(organization, f"Vendor {number}", project=project)
        component = factories.make_component(project, f"Worker {number}")
        factories.make_internal_service(component, deployed=False)


def _add_connections(organization, project, count: int) -> None:
    service = Service.objects.filter(kind="third-party").first()
    component = project.components.first()
    for _ in range(count // 2):
        number = Connection.objects.count()
        connection_create(project=project, service=service, name=f"Project link {number}")
        connection_create(
            project=project, component=component, service=service, name=f"Own link {number}"
        )


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(db_connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("model", "grow"),
    [(Service, _add_services), (Connection, _add_connections)],
    ids=["Service", "Connection"],
)
def test_it_keeps_changelist_queries_constant_as_rows_grow(
    admin_client, organization, project, component, model, grow
):
    factories.make_third_party_service(organization, "Seed API")
    url = _admin_url(model, "changelist")
    admin_client.get(url)  # warm the session and content type caches

    grow(organization, project, 2)
    with_few = _queries_for(admin_client, url)
    grow(organization, project, 18)
    with_many = _queries_for(admin_client, url)

    assert model.objects.count() >= 20
    assert with_many == with_few


def test_it_stores_what_the_service_page_shows_when_the_admin_saves(admin_client, organization):
    definition = '{"openapi": "3.0.0", "paths": {"/a": {"get": {"summary": "Read"}}}}'
    form = _service_form(
        organization,
        overview='**bold** <code class="position-fixed w-100">x</code>',
        api_definition=definition,
        definition_format="openapi",
    )

    response = admin_client.post(_admin_url(Service, "add"), form)

    assert response.status_code == 302
    service = Service.objects.get(name="Ledger API")
    assert "<strong>bold</strong>" in service.overview_html
    assert "position-fixed" not in service.overview_html
    assert service.definition_summary["operations"] == [
        {"method": "GET", "path": "/a", "summary": "Read"}
    ]


def test_it_refuses_an_overview_over_the_console_s_limit_beside_the_field(
    admin_client, organization
):
    response = admin_client.post(
        _admin_url(Service, "add"), _service_form(organization, overview="a" * 20_001)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["overview"]
    assert "at most 20000 characters" in errors["overview"][0]
    assert not Service.objects.filter(name="Ledger API").exists()


def test_it_keeps_an_endpoint_that_connections_are_mapped_to(admin_client, dataset):
    sandbox = Endpoint.objects.get(name="Sandbox")
    url = _admin_url(Endpoint, "delete", sandbox.pk)

    confirmation = admin_client.get(url).content.decode()
    admin_client.post(url, {"post": "yes"})
    admin_client.post(
        _admin_url(Endpoint, "changelist"),
        {"action": "delete_selected", "_selected_action": [sandbox.pk], "post": "yes"},
    )

    assert "Connection Payments Gateway (Development)" in confirmation
    assert Endpoint.objects.filter(pk=sandbox.pk).exists()
    assert ConnectionBinding.objects.filter(endpoint=sandbox).count() == 2


def test_it_deletes_an_endpoint_no_connection_is_mapped_to(admin_client, dataset):
    spare = factories.add_endpoint(
        Service.objects.get(name="Stripe API"), "Spare", "https://spare.stripe.test", []
    )

    response = admin_client.post(_admin_url(Endpoint, "delete", spare.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Endpoint.objects.filter(pk=spare.pk).exists()


def test_it_keeps_an_organization_s_last_admin_and_its_environments_in_the_admin(
    admin_client, organization, org_admin, developer
):
    url = _admin_url(Organization, "change", organization.pk)
    page = admin_client.get(url)
    data = _form_data(page)
    prefix = next(
        formset.formset.prefix
        for formset in page.context["inline_admin_formsets"]
        if formset.formset.model is Membership
    )
    rows = int(data[f"{prefix}-TOTAL_FORMS"])
    for n in range(rows):
        data[f"{prefix}-{n}-role"] = Role.VIEWER

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "An organization keeps at least one Admin" in response.content.decode()
    assert Membership.objects.get(user=org_admin).role == Role.ADMIN
    # Environments are added, deleted and reordered in the console only.
    environments = next(
        formset
        for formset in page.context["inline_admin_formsets"]
        if formset.formset.model is Environment
    )
    assert not environments.has_add_permission
    assert not environments.has_delete_permission
