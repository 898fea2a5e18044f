"""The configuration endpoint: every format, conditional requests, what a
token sees, what it cannot get, and the record of each pull."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pytest
import yaml
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from dotenv import dotenv_values

from connections.history import describe_event, history_of
from console.models import Action
from delivery.models import ConfigPull, RuntimeToken
from delivery.services import runtime_token_revoke
from marketplace.models import Security
from tests import factories

from .conftest import CONFIG_URL, bearer

WEBHOOK = "whsec_'quoted' \"double\" $HOME\nsecond line"


def _pull(client, token, **extra):
    return client.get(CONFIG_URL, **bearer(token), **extra)


def test_json_gives_every_visible_connection_resolved_and_says_what_is_pending(
    client, delivery_world, issue_token
):
    issued = issue_token()

    response = _pull(client, issued.token, data={"format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["environment"] == "Development"
    variables = body["variables"]
    assert variables["CHOREO_DIRECTORY_SERVICEURL"] == (
        "http://employee-service-development.internal:8080/directory"
    )
    binding = delivery_world["own"].bindings.get(environment__handle="development")
    assert variables["CHOREO_DIRECTORY_CONSUMERKEY"] == binding.consumer_key
    assert variables["CHOREO_DIRECTORY_CONSUMERSECRET"] == binding.consumer_secret.reveal()
    assert variables["CHOREO_DIRECTORY_TOKENURL"].endswith("/oauth2/token")
    assert variables["CHOREO_PAYMENTS_WEBHOOKSECRET"] == WEBHOOK
    assert variables["CHOREO_PAYMENTS_REGION"] == "eu west"
    assert not any(name.startswith("CHOREO_HIDDEN_") for name in variables)
    assert [c["name"] for c in body["connections"]] == ["Directory", "Payments"]
    directory = body["connections"][0]
    assert directory["resourceRef"] == delivery_world["own"].service.resource_reference
    assert directory["keys"]["ConsumerSecret"] == "CHOREO_DIRECTORY_CONSUMERSECRET"
    assert body["pending"] == []


def test_a_connection_that_cannot_resolve_is_pending_with_its_reason(
    client, organization, delivery_world, issue_token
):
    production = organization.environments.get(handle="production")
    issued = issue_token(environment=production)

    body = _pull(client, issued.token, data={"format": "json"}).json()

    assert body["variables"] == {}
    assert body["pending"] == [
        {"connection": "Directory", "reason": "The service is not deployed in Production."},
        {"connection": "Payments", "reason": "No endpoint is mapped to Production."},
    ]
    dotenv = _pull(client, issued.token).content.decode()
    assert "# pending: Directory: The service is not deployed in Production." in dotenv
    assert "CHOREO_" not in dotenv


def test_dotenv_is_the_default_and_survives_a_real_dotenv_reader(
    client, delivery_world, issue_token
):
    issued = issue_token()

    response = _pull(client, issued.token)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    values = dotenv_values(stream=io.StringIO(response.content.decode()), interpolate=False)
    assert values["CHOREO_PAYMENTS_WEBHOOKSECRET"] == WEBHOOK
    assert values["CHOREO_PAYMENTS_REGION"] == "eu west"
    assert values == _pull(client, issued.token, data={"format": "json"}).json()["variables"]


def test_shell_exports_survive_sh(client, delivery_world, issue_token, tmp_path):
    issued = issue_token()
    script = tmp_path / "values.sh"
    script.write_bytes(_pull(client, issued.token, data={"format": "shell"}).content)

    printed = subprocess.run(
        ["sh", "-c", f'. "{script}" && printf %s "$CHOREO_PAYMENTS_WEBHOOKSECRET"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert printed == WEBHOOK


def test_k8s_secret_is_a_secret_manifest_named_after_component_and_environment(
    client, delivery_world, issue_token
):
    issued = issue_token()

    response = _pull(client, issued.token, data={"format": "k8s-secret"})

    manifest = yaml.safe_load(response.content)
    assert manifest["apiVersion"] == "v1"
    assert manifest["kind"] == "Secret"
    assert manifest["type"] == "Opaque"
    assert manifest["metadata"]["name"] == "checkout-api-development"
    assert manifest["stringData"]["CHOREO_PAYMENTS_WEBHOOKSECRET"] == WEBHOOK
    json_variables = _pull(client, issued.token, data={"format": "json"}).json()["variables"]
    assert manifest["stringData"] == json_variables


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/json", "application/json"),
        ("application/yaml", "application/yaml; charset=utf-8"),
        ("text/x-shellscript", "text/x-shellscript; charset=utf-8"),
        ("text/html,*/*;q=0.8", "text/plain; charset=utf-8"),
    ],
)
def test_the_accept_header_chooses_the_format(
    client, delivery_world, issue_token, accept, expected
):
    issued = issue_token()

    response = _pull(client, issued.token, HTTP_ACCEPT=accept)

    assert response["Content-Type"] == expected


def test_an_unknown_format_is_a_json_400(client, delivery_world, issue_token):
    response = _pull(client, issue_token().token, data={"format": "xml"})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "dotenv, json, k8s-secret, shell" in response.json()["error_description"]


def test_a_project_token_gets_the_project_connections_only(client, delivery_world, issue_token):
    issued = issue_token(at_component=False)

    body = _pull(client, issued.token, data={"format": "json"}).json()

    assert [c["name"] for c in body["connections"]] == ["Payments"]
    secret = yaml.safe_load(_pull(client, issued.token, data={"format": "k8s-secret"}).content)
    assert secret["metadata"]["name"] == "payments-development"


def test_etag_makes_an_unchanged_poll_a_304_and_a_change_a_200(client, delivery_world, issue_token):
    issued = issue_token()
    first = _pull(client, issued.token)
    etag = first["ETag"]

    again = _pull(client, issued.token, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert ConfigPull.objects.count() == 1  # a 304 carries no values

    factories.add_endpoint(
        delivery_world["shared"].service, "Live", "https://live.stripe.test", ["production"]
    )
    delivery_world["own"].bindings.filter(environment__handle="development").update(
        consumer_key="rotated-key"
    )
    changed = _pull(client, issued.token, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert ConfigPull.objects.count() == 2


@pytest.mark.parametrize(
    ("how", "description"),
    [
        ("missing", "No valid runtime token"),
        ("unknown", "No valid runtime token"),
        ("revoked", "This runtime token was revoked."),
        ("expired", "This runtime token has expired."),
        ("basic", "No valid runtime token"),
    ],
)
def test_a_refused_token_is_a_json_401_never_html_or_a_login_redirect(
    client, delivery_world, issue_token, developer, how, description
):
    issued = issue_token(expires_in=-timedelta(seconds=1) if how == "expired" else None)
    if how == "revoked":
        runtime_token_revoke(runtime_token=issued.runtime_token, actor=developer)
    headers = {
        "missing": {},
        "unknown": bearer("jrt_" + "x" * 43),
        "basic": {"HTTP_AUTHORIZATION": "Basic " + issued.token},
    }.get(how, bearer(issued.token))

    response = client.get(CONFIG_URL, **headers)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "invalid_token"
    assert response.json()["error_description"].startswith(description)
    assert response["WWW-Authenticate"].startswith('Bearer realm="Junction"')
    assert ConfigPull.objects.count() == 0


def test_a_signed_in_session_is_not_a_token(client, delivery_world, developer):
    client.force_login(developer)

    response = client.get(CONFIG_URL)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_only_get_is_answered(client, delivery_world, issue_token):
    response = client.post(CONFIG_URL, **bearer(issue_token().token))

    assert response.status_code == 405
    assert response.json()["error"] == "invalid_request"


def test_pulls_are_rate_limited_per_token(client, settings, delivery_world, issue_token):
    settings.JUNCTION_RUNTIME_RATE_PER_TOKEN = 2
    issued, other = issue_token(), issue_token()

    assert [_pull(client, issued.token).status_code for _ in range(3)] == [200, 200, 429]
    refused = _pull(client, issued.token)
    assert refused.json()["error"] == "slow_down"
    assert int(refused["Retry-After"]) > 0
    assert _pull(client, other.token).status_code == 200


def test_refused_tokens_are_rate_limited_per_address(client, settings, delivery_world):
    settings.JUNCTION_RUNTIME_RATE_PER_ADDRESS = 3

    statuses = [client.get(CONFIG_URL, **bearer(f"jrt_guess{n}")).status_code for n in range(4)]

    assert statuses == [401, 401, 401, 429]


def test_each_pull_is_recorded_on_the_token_and_in_each_connection_history(
    client, delivery_world, issue_token
):
    issued = issue_token()

    _pull(client, issued.token, data={"format": "json"}, REMOTE_ADDR="10.1.2.3")

    token = RuntimeToken.objects.get(pk=issued.runtime_token.pk)
    assert token.last_used_address == "10.1.2.3"
    assert token.last_used_at is not None
    pull = ConfigPull.objects.get()
    assert pull.output_format == "json"
    assert pull.address == "10.1.2.3"
    assert pull.secret_connections == ["Directory", "Payments"]
    by_name = {entry["name"]: entry["secrets"] for entry in pull.connections}
    assert by_name == {
        "Directory": ["ConsumerSecret"],
        "Payments": ["ChoreoAPIKey", "webhookSecret"],
    }
    event = history_of(delivery_world["own"]).get(action=Action.VALUES_PULLED)
    assert describe_event(event) == (
        "The runtime token “CI deploy” pulled ConsumerSecret for Development from 10.1.2.3"
    )
    assert not history_of(delivery_world["hidden"]).filter(action=Action.VALUES_PULLED).exists()


def test_no_value_reaches_the_logs(client, delivery_world, issue_token, caplog):
    issued = issue_token()
    caplog.set_level("DEBUG")

    _pull(client, issued.token, data={"format": "json"})

    binding = delivery_world["own"].bindings.get(environment__handle="development")
    for secret in (binding.consumer_secret.reveal(), "whsec_", issued.token):
        assert secret not in caplog.text


def test_the_query_count_does_not_grow_with_the_connections(
    client, organization, project, component, issue_token
):
    provider = factories.make_component(
        factories.make_project(organization, "HR", "hr"), "Employee Service", "employee-service"
    )
    service = factories.make_internal_service(provider, "directory", security=Security.API_KEY)
    stripe = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("region", False),)
    )
    factories.add_endpoint(stripe, "Sandbox", "https://s.test", ["development"], region="eu")
    issued = issue_token()

    def queries_with(count: int, prefix: str) -> int:
        from connections.services import connection_create

        for n in range(count):
            connection_create(
                project=project, component=component, service=service, name=f"{prefix}{n:03d}"
            )
            connection_create(project=project, service=stripe, name=f"{prefix}s{n:03d}")
        with CaptureQueriesContext(db_connection) as queries:
            response = _pull(client, issued.token, data={"format": "json"})
        assert response.status_code == 200
        # Savepoints are the test's own transaction around each atomic block.
        # The rate counter is left out: in the database it costs one
        # statement, two when a new minute starts (it clears the past ones)
        # whenever the test happens to run; with REDIS_URL it costs none.
        counted = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
        rate = [sql for sql in counted if "ratecounter" in sql]
        assert len(rate) <= 2
        return len(counted) - len(rate)

    _pull(client, issued.token)  # the minute's rate counter now exists
    few = queries_with(2, "a")
    many = queries_with(25, "b")

    assert few == many
    # The token, six reads, the pull and its history lines: 12 outside a
    # test on SQLite, with the rate counter and the transaction's BEGIN and
    # COMMIT (make bench).
    assert many == 9


def _declare(component, references, env=()):
    from delivery.models import ComponentManifest

    ComponentManifest.objects.update_or_create(
        component=component,
        defaults={
            "text": "schemaVersion: 1.2\n",
            "declared": {"references": list(references), "env": list(env)},
        },
    )


def test_with_a_component_yaml_only_declared_connections_are_delivered_under_its_names(
    client, component, delivery_world, issue_token
):
    directory = delivery_world["own"]
    _declare(
        component,
        [{"name": "directory", "resourceRef": directory.service.resource_reference}],
        [{"name": "DIRECTORY_URL", "connection": "Directory", "key": "ServiceURL"}],
    )
    issued = issue_token()

    body = _pull(client, issued.token, data={"format": "json"}).json()

    assert [c["name"] for c in body["connections"]] == ["Directory"]
    variables = body["variables"]
    assert variables["DIRECTORY_URL"].endswith("/directory")
    assert "CHOREO_DIRECTORY_SERVICEURL" not in variables
    assert "CHOREO_DIRECTORY_CONSUMERSECRET" in variables
    assert not any(name.startswith("CHOREO_PAYMENTS_") for name in variables)
    assert body["connections"][0]["keys"]["ServiceURL"] == "DIRECTORY_URL"


def test_a_declaration_that_no_longer_matches_is_pending(
    client, component, delivery_world, issue_token
):
    _declare(
        component,
        [
            {
                "name": "Directory",
                "resourceRef": "service:/hr/employee-service/v1/directory/PROJECT",
            },
            {"name": "Ledger", "resourceRef": "thirdparty:Ledger/v1"},
            {"name": "Payments", "resourceRef": "thirdparty:Stripe API/v1"},
        ],
    )
    issued = issue_token()

    body = _pull(client, issued.token, data={"format": "json"}).json()

    assert [c["name"] for c in body["connections"]] == ["Payments"]
    reasons = {p["connection"]: p["reason"] for p in body["pending"]}
    assert reasons["Directory"].startswith(
        "component.yaml names resourceRef service:/hr/employee-service/v1/directory/PROJECT, "
        "but the connection's service is now "
        "service:/hr/employee-service/v1/directory/ORGANIZATION."
    )
    assert reasons["Ledger"] == (
        "component.yaml declares it, but no connection of that name is visible to this component."
    )


def test_a_project_token_ignores_a_component_yaml(client, component, delivery_world, issue_token):
    _declare(component, [])
    issued = issue_token(at_component=False)

    body = _pull(client, issued.token, data={"format": "json"}).json()

    assert [c["name"] for c in body["connections"]] == ["Payments"]


def test_a_service_no_longer_visible_is_pending(client, delivery_world, issue_token):
    from marketplace.models import Visibility

    directory = delivery_world["own"].service
    factories.make_internal_service(
        directory.provider_component, "directory", Visibility.PROJECT, security=Security.OAUTH2
    )
    issued = issue_token()

    body = _pull(client, issued.token, data={"format": "json"}).json()

    assert [c["name"] for c in body["connections"]] == ["Payments"]
    assert body["pending"] == [
        {
            "connection": "Directory",
            "reason": "The service is no longer visible from this project: its provider "
            "narrowed its network visibility to Project.",
        }
    ]
    assert not any(name.startswith("CHOREO_DIRECTORY_") for name in body["variables"])


def test_an_endpoint_no_longer_allowed_in_the_environment_is_pending(
    client, organization, delivery_world, issue_token
):
    from marketplace.services import endpoint_update

    sandbox = delivery_world["shared"].service.endpoints.get(name="Sandbox")
    endpoint_update(
        endpoint=sandbox,
        name="Sandbox",
        url=sandbox.url,
        environments=organization.environments.filter(handle="production"),
    )
    issued = issue_token()

    body = _pull(client, issued.token, data={"format": "json"}).json()

    assert [c["name"] for c in body["connections"]] == ["Directory"]
    assert body["pending"] == [
        {
            "connection": "Payments",
            "reason": "The endpoint Sandbox is no longer allowed in Development: map another one.",
        }
    ]
    assert "CHOREO_PAYMENTS_SERVICEURL" not in body["variables"]


def test_notices_do_not_make_a_connection_pending(
    client, organization, developer, delivery_world, issue_token
):
    from connections.services import credentials_rotate
    from marketplace.services import service_set_listed

    stripe = delivery_world["shared"].service
    service_set_listed(service=stripe, listed=False)
    factories.make_third_party_service(organization, "Stripe API", version="2.0.0")
    own = delivery_world["own"]
    credentials_rotate(
        connection=own,
        binding=own.bindings.select_related("environment").get(environment__handle="development"),
        grace="1h",
        actor=developer,
    )
    rotated = own.bindings.get(environment__handle="development")
    issued = issue_token()

    body = _pull(client, issued.token, data={"format": "json"}).json()

    assert body["pending"] == []
    assert [c["name"] for c in body["connections"]] == ["Directory", "Payments"]
    assert body["variables"]["CHOREO_DIRECTORY_CONSUMERSECRET"] == (
        rotated.consumer_secret.reveal()
    )
