"""The inline developer guide's code generation (connections/guide.py)."""

from __future__ import annotations

import pytest
import yaml

from connections.guide import developer_guide, guide_variables
from connections.resolution import resolve
from connections.services import connection_create
from console.models import ComponentType
from marketplace.models import Security
from tests import factories


@pytest.fixture
def vendor(organization):
    service = factories.make_third_party_service(
        organization,
        "Vendor",
        security=Security.API_KEY,
        parameters=(("class", False), ("apiKeyId", False), ("api_key_id", True), ("2fa", False)),
    )
    factories.add_endpoint(
        service,
        "Sandbox",
        "https://sandbox.vendor.test",
        ["development"],
        **{"class": "gold", "apiKeyId": "k-1", "api_key_id": "s-1", "2fa": "on"},
    )
    return service


def test_it_names_each_value_once_in_python_and_javascript(project, vendor):
    connection = connection_create(project=project, service=vendor, name="Vendor")

    variables = {v.key: v for v in guide_variables(connection)}

    assert [v.variable for v in variables.values()] == [
        "CHOREO_VENDOR_SERVICEURL",
        "CHOREO_VENDOR_CHOREOAPIKEY",
        "CHOREO_VENDOR_2FA",
        "CHOREO_VENDOR_APIKEYID",
        "CHOREO_VENDOR_API_KEY_ID",
        "CHOREO_VENDOR_CLASS",
    ]
    assert variables["class"].python_name == "class_"
    assert variables["class"].js_name == "classValue"
    assert variables["apiKeyId"].python_name == "api_key_id"
    assert variables["api_key_id"].python_name == "api_key_id_2"
    assert variables["apiKeyId"].js_name == "apiKeyId"
    assert variables["api_key_id"].js_name == "apiKeyId2"
    assert variables["2fa"].python_name == "value_2fa"
    assert variables["ChoreoAPIKey"].secret
    assert variables["api_key_id"].secret


@pytest.mark.parametrize("name", ["yes", "Null", "off", "123"])
def test_it_quotes_a_yaml_value_that_would_read_back_differently(project, vendor, name):
    connection = connection_create(project=project, service=vendor, name=name)

    guide = developer_guide(connection, resolve(connection), None)

    reference = yaml.safe_load(guide["component_yaml"])["dependencies"]["connectionReferences"][0]
    assert reference == {"name": name, "resourceRef": "thirdparty:Vendor/v1"}


def test_it_leaves_secrets_out_of_config_js(project, component, vendor):
    component.type = ComponentType.WEB_APPLICATION
    component.save()
    connection = connection_create(
        project=project, component=component, service=vendor, name="Vendor"
    )

    guide = developer_guide(connection, resolve(connection), component)

    assert guide["is_web_application"]
    assert not guide["at_project_level"]
    assert guide["secret_keys"] == ["ChoreoAPIKey", "api_key_id"]
    development = next(c["code"] for c in guide["config_js"] if "Development" in c["title"])
    assert '  serviceUrl: "https://sandbox.vendor.test",' in development
    assert '  classValue: "gold",' in development
    assert "apiKeyId2" not in development
    assert "choreoApiKey" not in development
    assert guide["config_js_read"] == (
        "const { serviceUrl, value2fa, apiKeyId, classValue } = window.configs;\n"
    )


def test_it_tells_an_oauth_client_how_to_get_a_token(project, organization):
    service = factories.make_third_party_service(organization, "Idp", security=Security.OAUTH2)
    connection = connection_create(project=project, service=service, name="Idp")

    guide = developer_guide(connection, resolve(connection), None)

    assert 'consumer_secret = os.environ["CHOREO_IDP_CONSUMERSECRET"]' in guide["python"]
    assert "auth=(consumer_key, consumer_secret)," in guide["python"]
    assert 'headers={"Authorization": f"Bearer {access_token}"}' in guide["python"]
    assert 'const tokenUrl = process.env["CHOREO_IDP_TOKENURL"];' in guide["javascript"]
    assert "const token = await fetch(tokenUrl, {" in guide["javascript"]
    # Both samples are programs: they compile (tests/oauth/ runs them).
    compile(guide["python"], "guide.py", "exec")


def test_a_key_never_takes_a_name_the_call_sample_uses(project, organization):
    service = factories.make_third_party_service(
        organization,
        "Idp",
        security=Security.API_KEY,
        parameters=(("Token", False), ("Response", False)),
    )
    connection = connection_create(project=project, service=service, name="Idp")

    guide = developer_guide(connection, resolve(connection), None)

    assert 'token_2 = os.environ["CHOREO_IDP_TOKEN"]' in guide["python"]
    assert 'response_2 = os.environ["CHOREO_IDP_RESPONSE"]' in guide["python"]
    assert 'const token2 = process.env["CHOREO_IDP_TOKEN"];' in guide["javascript"]
