"""Served with DEBUG off, Junction refuses the development keys printed in its
source: the WSGI and ASGI applications need DJANGO_SECRET_KEY and
JUNCTION_ENCRYPTION_KEYS set (junction/startup.py). Development (DEBUG on),
management commands and the tests need neither."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from junction.startup import PRODUCTION_KEYS

pytestmark = pytest.mark.processes

ROOT = Path(__file__).resolve().parent.parent

KEYS = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghij",
    "JUNCTION_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def _run(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "JUNCTION_"))
    }
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


APPLICATIONS = ["wsgi", "asgi"]
LACKING = {"none": (), "one": ("DJANGO_SECRET_KEY",), "other": ("JUNCTION_ENCRYPTION_KEYS",)}


def _load_each(environment: dict[str, str], cases: list[tuple[str, tuple[str, ...]]]) -> dict:
    """What importing each application with each set of keys did, all in one
    process (tests/startup_probe.py): a process per case cost a second each."""
    result = _run(["-m", "tests.startup_probe", json.dumps(cases)], environment)
    assert result.returncode == 0, result.stderr
    return dict(zip(cases, json.loads(result.stdout.splitlines()[-1]), strict=True))


@pytest.fixture(scope="module")
def debug_off() -> dict:
    """Started with both keys, as production is; a case unsets those it lacks."""
    given = [*LACKING.values(), tuple(KEYS)]
    return _load_each(KEYS, [(application, keys) for application in APPLICATIONS for keys in given])


@pytest.mark.parametrize("application", APPLICATIONS)
@pytest.mark.parametrize("given", LACKING.values(), ids=LACKING.keys())
def test_it_refuses_to_serve_without_both_keys_when_debug_is_off(debug_off, application, given):
    refusal = debug_off[application, given]

    assert "ImproperlyConfigured: Junction will not serve with DEBUG off" in refusal
    for name, how in PRODUCTION_KEYS.items():
        # Each missing key is named with a command that makes one.
        assert (f"{name}: make one with {how}" in refusal) == (name not in given)
    assert "DJANGO_DEBUG=1" in refusal


@pytest.mark.parametrize("application", APPLICATIONS)
def test_it_serves_with_both_keys_set(debug_off, application):
    assert debug_off[application, tuple(KEYS)] == "serving"


def test_it_serves_development_with_debug_on_and_no_keys():
    outcomes = _load_each(
        {"DJANGO_DEBUG": "1"}, [(application, ()) for application in APPLICATIONS]
    )

    assert set(outcomes.values()) == {"serving"}, outcomes


def test_management_commands_need_no_keys():
    result = _run(["manage.py", "check"], {})

    assert result.returncode == 0, result.stderr
