"""The processes of the end-to-end tests, shared by tests/oauth/ and
tests/browser/: the provider (provider_app.py) and the consumer program (the
connection page's sample with the connection's values)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from connections.guide import developer_guide
from connections.models import Connection
from connections.resolution import resolve
from console.crypto import SecretValue
from tooling.loadtest.serving import free_port

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_APP = Path(__file__).resolve().parent / "provider_app.py"
# The CLI installed beside the interpreter running the tests (make install-dev).
JUNCTION_CLI = str(Path(sys.executable).parent / "junction")


def _plain_environment(**variables: str) -> dict[str, str]:
    """What a program outside Junction has: no Django settings, no proxy
    (httpx would send loopback calls through one), only its own variables."""
    base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {**base, **variables}


def _wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class Provider:
    """provider_app.py in its own process on a free loopback port."""

    def __init__(self, log: Path, junction: str, audience: str, *arguments: str) -> None:
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, str(PROVIDER_APP), "--port", str(self.port)]
        command += ["--junction", junction, "--audience", audience, *arguments]
        # Every test's database is new, and so is Junction's signing key: the
        # provider must fetch the JWKS again at once for the new key id.
        command += ["--jwks-refresh-cooldown", "0"]
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                command, env=_plain_environment(), stdout=output, stderr=subprocess.STDOUT
            )
        try:
            _wait_until_answering(self.url, self.process)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _reveal(value: str | SecretValue | None) -> str:
    if isinstance(value, SecretValue):
        return value.reveal()
    assert value, "every key of the connection has a value in Development"
    return value


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str

    @property
    def claims(self) -> dict:
        assert self.returncode == 0, self.stderr
        return json.loads(self.stdout)


@dataclass
class ConsumerProgram:
    """The connection page's sample, deployed with the values the page gives
    for Development. It keeps them, as a running program does, whatever
    happens to the connection afterwards."""

    python: str
    javascript: str
    variables: dict[str, str]

    @classmethod
    def of(cls, connection: Connection, environment: str = "development") -> ConsumerProgram:
        connection = Connection.objects.select_related("service", "component").get(pk=connection.pk)
        resolved = resolve(connection)
        (entry,) = [e for e in resolved if e.environment.handle == environment]
        guide = developer_guide(connection, resolved, connection.component)
        variables = {value.variable: _reveal(value.value) for value in entry.values}
        return cls(guide["python"], guide["javascript"], variables)

    def value(self, key_suffix: str) -> str:
        (value,) = [v for name, v in self.variables.items() if name.endswith(key_suffix)]
        return value

    def run(self, language: str = "python", folder: Path | None = None) -> Outcome:
        if language == "python":
            command = [sys.executable, "-c", self.python]
        else:
            assert folder is not None
            script = folder / "consumer.mjs"
            script.write_text(self.javascript)
            command = ["node", str(script)]
        result = subprocess.run(
            command,
            env=_plain_environment(**self.variables),
            cwd=folder or ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return Outcome(result.returncode, result.stdout, result.stderr)

    def run_with_junction(self, junction_url: str, runtime_token: str) -> Outcome:
        """The Python sample started by ``junction run`` (cli/) with nothing
        but a runtime token: the CLI fetches the values and hands them to it."""
        result = subprocess.run(
            [JUNCTION_CLI, "run", "--", sys.executable, "-c", self.python],
            env=_plain_environment(JUNCTION_URL=junction_url, JUNCTION_TOKEN=runtime_token),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return Outcome(result.returncode, result.stdout, result.stderr)


def refused_at(outcome: Outcome, url: str) -> None:
    """The Python sample stopped at raise_for_status on a 401 from ``url``."""
    assert outcome.returncode != 0, outcome.stdout
    assert f"Client error '401 Unauthorized' for url '{url}'" in outcome.stderr, outcome.stderr
