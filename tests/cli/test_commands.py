"""The ``junction`` command (cli/) as a developer or a pipeline runs it: the
installed script in its own process, against Junction served by
pytest-django's live server (a real HTTP server in a thread of this
process, on SQLite and PostgreSQL alike).

The tests only read, so one organization and its tokens serve the whole
module: built once, committed, and flushed at the end, as a transactional
test would leave the database. Each test runs in a transaction rolled back at
its end (on SQLite the server shares this process's connection, so what it
records of a pull goes with it): cheaper than a flush of every table after
every test."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from connections.services import connection_create
from delivery.services import runtime_token_create, runtime_token_revoke
from tests import factories
from tooling.loadtest.serving import free_port

pytestmark = [pytest.mark.processes, pytest.mark.django_db]

JUNCTION = Path(sys.executable).with_name("junction")
# A secret that a careless quoting would break, in every format.
API_KEY = 'sk_test_it\'s $HOME "quoted" \\ back\nsecond line'
DOTENV_LINE = re.compile(r"""[A-Za-z_][A-Za-z0-9_]*=('[^'\n]*'|"(\\.|[^"\\\n])*")""")


@dataclass(frozen=True)
class Scene:
    url: str
    ready: str  # a token of a component whose connections all resolve
    pending: str  # a token of a component with a connection not deployed
    revoked: str
    expired: str
    throttled: str
    unknown: str
    # The variable that carries the secret parameter apiKey.
    api_key_variable: str


def _variable_of(token_value: str, url: str, key: str) -> str:
    document = json.loads(
        junction("env", "pull", "--format", "json", url=url, token=token_value).stdout
    )
    [variable] = [c["keys"][key] for c in document["connections"] if key in c["keys"]]
    return variable


def _build_scene(url: str) -> Scene:
    """Checkout API sees one connection that resolves; Ledger Sync one that
    does and one to a service not deployed (pending)."""
    organization = factories.make_organization("Acme Corp", "acme")
    development = organization.environments.get(handle="development")
    project = factories.make_project(organization, "Payments", "payments")
    checkout = factories.make_component(project, "Checkout API", "checkout-api")
    ledger_sync = factories.make_component(project, "Ledger Sync", "ledger-sync")
    stripe = factories.make_third_party_service(
        organization, "Stripe API", parameters=(("apiKey", True), ("region", False))
    )
    factories.add_endpoint(
        stripe,
        "Sandbox",
        "https://sandbox.stripe.test/v1",
        ["development"],
        apiKey=API_KEY,
        region="eu",
    )
    ledger_api = factories.make_component(
        factories.make_project(organization, "Ledger"), "Ledger API"
    )
    books = factories.make_internal_service(ledger_api, "books", deployed=False)
    connection_create(project=project, component=checkout, service=stripe, name="Stripe")
    connection_create(project=project, component=ledger_sync, service=stripe, name="Payouts")
    connection_create(project=project, component=ledger_sync, service=books, name="Books")

    def token(component, name: str, expires_at=None):
        return runtime_token_create(
            project=project,
            component=component,
            environment=development,
            name=name,
            expires_at=expires_at,
            actor=None,
        )

    revoked = token(checkout, "revoked")
    runtime_token_revoke(runtime_token=revoked.runtime_token, actor=None)
    ready = token(checkout, "ready").token
    return Scene(
        url=url,
        ready=ready,
        pending=token(ledger_sync, "pending").token,
        revoked=revoked.token,
        expired=token(checkout, "expired", timezone.now() - timedelta(minutes=1)).token,
        throttled=token(checkout, "throttled").token,
        unknown="jrt_" + "x" * 43,
        api_key_variable=_variable_of(ready, url, "apiKey"),
    )


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker) -> Scene:
    # pytest-django's live server, but the module's own: the live_server
    # fixture makes the test that first asks for it transactional, and that
    # test's flush would take the module's data with it.
    server = LiveServer("127.0.0.1")
    try:
        # Unblocked for the server too: _build_scene pulls once.
        with django_db_blocker.unblock():
            built = _build_scene(server.url)
        yield built
    finally:
        server.stop()
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def junction(*arguments: str, url: str | None, token: str | None, **more: str):
    """The installed command in a process of its own, with what a program
    outside Junction has: no Django settings, no proxy, only its variables."""
    environment = {
        name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ
    }
    environment.update(more)
    if url is not None:
        environment["JUNCTION_URL"] = url
    if token is not None:
        environment["JUNCTION_TOKEN"] = token
    return subprocess.run(
        [str(JUNCTION), *arguments], env=environment, capture_output=True, text=True, timeout=60
    )


def _pull(scene: Scene, *arguments: str):
    return junction("env", "pull", *arguments, url=scene.url, token=scene.ready)


def _variables(scene: Scene) -> dict[str, str]:
    outcome = _pull(scene, "--format", "json")
    assert outcome.returncode == 0, outcome.stderr
    return json.loads(outcome.stdout)["variables"]


# env pull: each format parses and carries the same values.


def test_it_pulls_json_with_the_values_and_no_pending(scene):
    outcome = _pull(scene, "--format", "json")

    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stderr == ""
    document = json.loads(outcome.stdout)
    assert document["environment"] == "Development"
    assert document["pending"] == []
    assert document["variables"][scene.api_key_variable] == API_KEY
    assert [c["name"] for c in document["connections"]] == ["Stripe"]


def test_it_pulls_dotenv_by_default_one_quoted_variable_a_line(scene):
    outcome = _pull(scene)

    assert outcome.returncode == 0, outcome.stderr
    lines = [line for line in outcome.stdout.splitlines() if not line.startswith("#")]
    assert all(DOTENV_LINE.fullmatch(line) for line in lines), lines
    assert {line.split("=", 1)[0] for line in lines} == set(_variables(scene))
    assert "CHOREO_STRIPE_REGION='eu'" in lines


def test_it_pulls_a_kubernetes_secret(scene):
    outcome = _pull(scene, "--format", "k8s-secret")

    assert outcome.returncode == 0, outcome.stderr
    manifest = yaml.safe_load(outcome.stdout)
    assert (manifest["apiVersion"], manifest["kind"]) == ("v1", "Secret")
    assert manifest["stringData"] == _variables(scene)


def test_it_pulls_shell_lines_that_a_shell_evaluates(scene):
    # The README's `eval "$(junction env pull --format shell)"`, in sh.
    script = (
        f'eval "$("{JUNCTION}" env pull --format shell)" && printf %s "${scene.api_key_variable}"'
    )
    outcome = subprocess.run(
        ["sh", "-c", script],
        env={"PATH": os.environ["PATH"], "JUNCTION_URL": scene.url, "JUNCTION_TOKEN": scene.ready},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout == API_KEY


def test_it_writes_the_output_file_readable_by_its_owner_only(scene, tmp_path):
    target = tmp_path / ".env"
    target.write_text("OLD=1\n")
    target.chmod(0o644)

    outcome = _pull(scene, "--output", str(target))

    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text() == _pull(scene).stdout
    assert sorted(path.name for path in tmp_path.iterdir()) == [".env"]


def test_a_pull_names_the_pending_connections_on_stderr_and_succeeds(scene):
    outcome = junction("env", "pull", url=scene.url, token=scene.pending)

    assert outcome.returncode == 0, outcome.stderr
    assert "# pending: Books:" in outcome.stdout
    assert outcome.stderr.startswith("junction: warning: not delivered: Books (")
    assert outcome.stderr.count("\n") == 1


# run: the program gets the values; pending connections stop it.


def _printer(variable: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import os, sys; print(os.environ[sys.argv[1]], end='')",
        variable,
    ]


def test_run_starts_the_command_with_the_values_in_its_environment(scene):
    outcome = junction(
        "run",
        "--",
        *_printer(scene.api_key_variable),
        url=scene.url,
        token=scene.ready,
        **{scene.api_key_variable: "a value the shell had"},
    )

    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout == API_KEY
    assert outcome.stderr == ""


def test_run_becomes_the_command_and_exits_with_its_code(scene):
    outcome = junction(
        "run", sys.executable, "-c", "raise SystemExit(42)", url=scene.url, token=scene.ready
    )

    assert outcome.returncode == 42


def test_run_refuses_while_a_connection_is_pending(scene):
    outcome = junction(
        "run", "--", *_printer("CHOREO_PAYOUTS_REGION"), url=scene.url, token=scene.pending
    )

    assert outcome.returncode == 5
    assert outcome.stdout == ""
    [line] = outcome.stderr.splitlines()
    assert line.startswith("junction: not starting ")
    assert "1 pending in Development: Books (" in line
    assert "not deployed" in line
    assert "--allow-pending" in line


def test_run_with_allow_pending_starts_without_the_pending_values(scene):
    outcome = junction(
        "run",
        "--allow-pending",
        "--",
        *_printer("CHOREO_PAYOUTS_REGION"),
        url=scene.url,
        token=scene.pending,
    )

    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout == "eu"
    assert outcome.stderr.startswith("junction: warning: not delivered: Books (")


def test_run_says_when_the_command_is_not_found(scene):
    outcome = junction(
        "run", "--", "junction-test-no-such-command", url=scene.url, token=scene.ready
    )

    assert outcome.returncode == 127
    assert outcome.stderr == "junction: junction-test-no-such-command: command not found\n"


# Failures: one line on stderr, a code of their own, never the token.


@pytest.mark.parametrize(
    ("which", "reason"),
    [
        ("revoked", "This runtime token was revoked."),
        ("expired", "This runtime token has expired."),
        ("unknown", "No valid runtime token"),
    ],
)
@pytest.mark.parametrize("command", [["env", "pull"], ["run", "--", "true"]])
def test_a_refused_token_exits_3_with_the_servers_reason(scene, which, reason, command):
    token = getattr(scene, which)

    outcome = junction(*command, url=scene.url, token=token)

    assert outcome.returncode == 3
    assert outcome.stdout == ""
    assert outcome.stderr.startswith(f"junction: the token was refused: {reason}")
    assert outcome.stderr.count("\n") == 1
    assert token not in outcome.stderr


def test_an_unreachable_server_exits_4(scene):
    closed = f"http://127.0.0.1:{free_port()}"

    outcome = junction("env", "pull", url=closed, token=scene.ready)

    assert outcome.returncode == 4
    assert outcome.stderr.startswith(f"junction: cannot reach {closed}: ")
    assert outcome.stderr.count("\n") == 1


def test_a_rate_limited_token_exits_6_and_says_when_to_retry(scene, settings):
    settings.JUNCTION_RUNTIME_RATE_PER_TOKEN = 0

    outcome = junction("env", "pull", url=scene.url, token=scene.throttled)

    assert outcome.returncode == 6
    assert re.fullmatch(
        r"junction: too many pulls with this token: retry in \d+ s\n", outcome.stderr
    )


def test_an_address_that_is_not_junctions_exits_1(scene):
    outcome = junction("env", "pull", url=scene.url + "/orgs", token=scene.ready)

    assert outcome.returncode == 1
    assert outcome.stderr.endswith("is JUNCTION_URL the address of Junction?\n")


@pytest.mark.parametrize(
    ("missing", "named"), [("url", "JUNCTION_URL"), ("token", "JUNCTION_TOKEN")]
)
def test_a_missing_setting_is_a_usage_error(scene, missing, named):
    settings = {"url": scene.url, "token": scene.ready, missing: None}

    outcome = junction("env", "pull", **settings)

    assert outcome.returncode == 2
    assert outcome.stderr.startswith(f"junction: {named} is not set")


def test_the_help_documents_the_exit_codes_and_never_shows_the_token(scene):
    main_help = junction("--help", url=scene.url, token=scene.ready)
    run_help = junction("run", "--help", url=scene.url, token=scene.ready)

    assert main_help.returncode == run_help.returncode == 0
    for code in ("0", "1", "2", "3", "4", "5", "6", "127"):
        assert re.search(rf"^\s+{code}\s+\w", main_help.stdout, re.MULTILINE), code
    assert "JUNCTION_URL" in main_help.stdout and "JUNCTION_TOKEN" in main_help.stdout
    assert scene.ready not in main_help.stdout + run_help.stdout


def test_the_cli_imports_nothing_of_django():
    outcome = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, junction_cli.app; print(sorted({m.split('.')[0] for m in sys.modules}))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"]},
    )

    assert outcome.returncode == 0, outcome.stderr
    assert "django" not in outcome.stdout
