"""The inline developer guide of a connection's page: the component.yaml
snippet, the Python and Node.js samples and the config.js of a web
application, all generated from the keys the connection provides."""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from console.models import Component, ComponentType

from .models import AuthScheme, Connection
from .naming import variable_name
from .resolution import ResolvedEnvironment

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")
_YAML_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.\-/:]*")
# Words YAML 1.1 readers turn into booleans or null when left unquoted.
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
_JS_RESERVED_WORDS = (
    "break case catch class const continue debugger default delete do else enum export "
    "extends false finally for function if import in instanceof let new null return static "
    "super switch this throw true try typeof var void while with yield await"
)
_JS_RESERVED = frozenset(_JS_RESERVED_WORDS.split())


# How a program calls the service, by authentication scheme, in Python
# (httpx) and in Node.js (fetch, in an ES module). Placeholders are the keys,
# filled with the names the lines above gave them. These are the programs
# the end-to-end tests run against a real provider (tests/oauth/).
CALLS = {
    AuthScheme.OAUTH2: (
        """
# Get an access token (OAuth 2.0 client credentials); it lasts 15 minutes.
token = httpx.post(
    {TokenURL},
    data={{"grant_type": "client_credentials"}},
    auth=({ConsumerKey}, {ConsumerSecret}),
)
token.raise_for_status()
access_token = token.json()["access_token"]

# Call the service with it.
response = httpx.get({ServiceURL}, headers={{"Authorization": f"Bearer {{access_token}}"}})
response.raise_for_status()
print(response.text)
""",
        """
// Get an access token (OAuth 2.0 client credentials); it lasts 15 minutes.
const credentials = Buffer.from(`${{{ConsumerKey}}}:${{{ConsumerSecret}}}`).toString("base64");
const token = await fetch({TokenURL}, {{
  method: "POST",
  headers: {{
    Authorization: `Basic ${{credentials}}`,
    "Content-Type": "application/x-www-form-urlencoded",
  }},
  body: "grant_type=client_credentials",
}});
if (!token.ok) throw new Error(`Token request refused: ${{token.status}}`);
const {{ access_token: accessToken }} = await token.json();

// Call the service with it.
const response = await fetch({ServiceURL}, {{
  headers: {{ Authorization: `Bearer ${{accessToken}}` }},
}});
if (!response.ok) throw new Error(`The service answered ${{response.status}}`);
console.log(await response.text());
""",
    ),
    AuthScheme.API_KEY: (
        """
# Call the service with the API key.
response = httpx.get({ServiceURL}, headers={{"Choreo-API-Key": {ChoreoAPIKey}}})
response.raise_for_status()
print(response.text)
""",
        """
// Call the service with the API key.
const response = await fetch({ServiceURL}, {{
  headers: {{ "Choreo-API-Key": {ChoreoAPIKey} }},
}});
if (!response.ok) throw new Error(`The service answered ${{response.status}}`);
console.log(await response.text());
""",
    ),
}


@dataclass(frozen=True)
class GuideVariable:
    key: str
    variable: str
    secret: bool
    python_name: str
    js_name: str


def _words(key: str) -> list[str]:
    return [word.lower() for word in _NOT_WORD.split(_CAMEL_BOUNDARY.sub(" ", key)) if word]


def _python_name(words: list[str]) -> str:
    name = "_".join(words) or "value"
    if name[0].isdigit():
        name = "value_" + name
    return name + "_" if keyword.iskeyword(name) else name


def _js_name(words: list[str]) -> str:
    name = (words[0] + "".join(word.capitalize() for word in words[1:])) if words else "value"
    if name[0].isdigit():
        name = "value" + name
    return name + "Value" if name in _JS_RESERVED else name


def _unique(name: str, taken: set[str], separator: str) -> str:
    # Keys differ, but "apiKey" and "api_key" would make one identifier.
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}{separator}{n}", n + 1
    taken.add(candidate)
    return candidate


def _yaml_scalar(text: str) -> str:
    """``text`` as YAML reads it back: plain where that is safe, otherwise
    double-quoted (a JSON string is a valid YAML double-quoted scalar)."""
    plain = (
        _YAML_PLAIN.fullmatch(text)
        and ": " not in text
        and not text.endswith((":", " "))
        and text.lower() not in _YAML_WORDS
    )
    return text if plain else json.dumps(text)


# Names the samples of CALLS use for themselves, which no key may take.
_PYTHON_SAMPLE_NAMES = ("os", "httpx", "token", "access_token", "response")
_JS_SAMPLE_NAMES = ("credentials", "token", "accessToken", "response")


def guide_variables(connection: Connection) -> list[GuideVariable]:
    python_taken: set[str] = set(_PYTHON_SAMPLE_NAMES)
    js_taken: set[str] = set(_JS_SAMPLE_NAMES)
    variables = []
    for key, secret in connection.keys():  # noqa: SIM118 (a list, not a dict)
        words = _words(key)
        variables.append(
            GuideVariable(
                key=key,
                variable=variable_name(connection.name, key),
                secret=secret,
                python_name=_unique(_python_name(words), python_taken, "_"),
                js_name=_unique(_js_name(words), js_taken, ""),
            )
        )
    return variables


def _delivery(connection: Connection) -> dict[str, str]:
    """How the values reach the component at run time: a runtime token of
    the component (or project) and the configuration endpoint (the delivery
    app, named by URL only, as the TokenURL names the oauth app's)."""
    owner = {"org": connection.organization.handle, "project": connection.project.handle}
    if connection.component is not None:
        owner["component"] = connection.component.handle
    tokens_page = reverse(
        "console:component" if connection.component is not None else "console:project",
        kwargs=owner,
    )
    config_url = settings.JUNCTION_PUBLIC_URL + reverse("delivery:config")
    return {
        "tokens_url": tokens_page + "#runtime-tokens",
        "run_command": (
            f"export JUNCTION_URL={settings.JUNCTION_PUBLIC_URL}\n"
            "export JUNCTION_TOKEN=<the runtime token>\n"
            "junction run -- python app.py\n"
        ),
        "curl_command": (
            f'curl -fsS -H "Authorization: Bearer $JUNCTION_TOKEN" "{config_url}?format=dotenv"'
            " > .env\n"
        ),
    }


def developer_guide(
    connection: Connection, environments: list[ResolvedEnvironment], component: Component | None
) -> dict[str, object]:
    """The snippets of the inline developer guide, as plain text (the
    template escapes them)."""
    variables = guide_variables(connection)
    component_yaml = (
        "dependencies:\n"
        "  connectionReferences:\n"
        f"    - name: {_yaml_scalar(connection.name)}\n"
        f"      resourceRef: {_yaml_scalar(connection.service.resource_reference)}\n"
    )
    calls = connection.auth_scheme in CALLS
    python = ["import os", "", "import httpx", ""] if calls else ["import os", ""]
    python += [f"{v.python_name} = os.environ[{json.dumps(v.variable)}]" for v in variables]
    javascript = ["// An ES module (save it as .mjs): it awaits at the top level."] if calls else []
    javascript += [f"const {v.js_name} = process.env[{json.dumps(v.variable)}];" for v in variables]
    if calls:
        python_names = {v.key: v.python_name for v in variables}
        js_names = {v.key: v.js_name for v in variables}
        python_call, javascript_call = CALLS[connection.auth_scheme]
        python += ["", python_call.format(**python_names).strip("\n")]
        javascript += ["", javascript_call.format(**js_names).strip("\n")]

    js_name_of = {v.key: v.js_name for v in variables}
    config_js = []
    for resolved in environments:
        lines = ["window.configs = {"]
        lines += [
            f"  {js_name_of.get(value.key, 'value')}: {json.dumps(value.value)},"
            for value in resolved.values
            if not value.secret
        ]
        lines.append("};")
        config_js.append(
            {"title": f"config.js ({resolved.environment.name})", "code": "\n".join(lines) + "\n"}
        )

    return {
        **_delivery(connection),
        "variables": variables,
        "secret_keys": [v.key for v in variables if v.secret],
        "component_yaml": component_yaml,
        "python": "\n".join(python) + "\n",
        "javascript": "\n".join(javascript) + "\n",
        "config_js": config_js,
        "config_js_read": "const { "
        + ", ".join(v.js_name for v in variables if not v.secret)
        + " } = window.configs;\n",
        "at_project_level": component is None,
        "is_web_application": component is not None
        and component.type == ComponentType.WEB_APPLICATION,
    }
