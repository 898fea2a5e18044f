"""docs/delivery.md's External Secrets Operator manifest, read as the
operator's webhook provider reads it, against the real endpoint."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "delivery.md"


def _manifests() -> dict[str, dict]:
    text = DOC.read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert blocks, "docs/delivery.md has no yaml block"
    documents = [doc for block in blocks for doc in yaml.safe_load_all(block) if doc]
    return {doc["kind"]: doc for doc in documents}


def _template(text: str, values: dict[str, dict[str, str]]) -> str:
    """The operator's Go templates as the manifest uses them: {{ .name.key }}."""
    return re.sub(r"\{\{\s*\.(\w+)\.(\w+)\s*\}\}", lambda m: values[m.group(1)][m.group(2)], text)


def test_the_documented_secret_store_syncs_every_variable(client, delivery_world, issue_token):
    issued = issue_token()
    manifests = _manifests()
    token_secret = manifests["Secret"]
    store = manifests["SecretStore"]["spec"]["provider"]["webhook"]
    external = manifests["ExternalSecret"]["spec"]

    # The store reads the token from the Secret the manifest names.
    (reference,) = store["secrets"]
    assert reference["secretRef"]["name"] == token_secret["metadata"]["name"]
    assert token_secret["metadata"]["labels"]["external-secrets.io/type"] == "webhook"
    auth = {reference["name"]: {**token_secret["stringData"], "token": issued.token}}
    assert external["secretStoreRef"]["name"] == manifests["SecretStore"]["metadata"]["name"]

    url = urlsplit(store["url"])
    headers = {
        "HTTP_" + name.upper().replace("-", "_"): _template(value, auth)
        for name, value in store["headers"].items()
    }
    assert store["method"] == "GET"
    response = client.get(f"{url.path}?{url.query}", **headers)

    assert response.status_code == 200
    result = response.json()
    for step in store["result"]["jsonPath"].removeprefix("$.").split("."):
        result = result[step]
    # dataFrom.extract makes one key of the target Secret per entry: a flat
    # map of strings, the same variables every other format gives.
    assert isinstance(result, dict) and all(isinstance(v, str) for v in result.values())
    assert (
        result
        == client.get(
            "/api/v1/runtime/config",
            {"format": "json"},
            HTTP_AUTHORIZATION=f"Bearer {issued.token}",
        ).json()["variables"]
    )
    assert "CHOREO_PAYMENTS_WEBHOOKSECRET" in result
    assert external["target"]["name"] == "checkout-api-development"
