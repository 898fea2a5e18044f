"""Served with DEBUG off, Junction refuses the development keys printed in its
source: the WSGI and ASGI applications need DJANGO_SECRET_KEY and
JUNCTION_ENCRYPTION_KEYS set (junction/startup.py). Development (DEBUG on),
management commands and the tests need neither."""

from __future__ import annotations

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


def _load(application: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return _run(["-c", f"import junction.{application}; print('serving')"], environment)


@pytest.mark.parametrize("application", ["wsgi", "asgi"])
@pytest.mark.parametrize(
    "given", [[], ["DJANGO_SECRET_KEY"], ["JUNCTION_ENCRYPTION_KEYS"]], ids=["none", "one", "other"]
)
def test_it_refuses_to_serve_without_both_keys_when_debug_is_off(application, given):
    result = _load(application, {name: KEYS[name] for name in given})

    assert result.returncode != 0
    assert "serving" not in result.stdout
    assert "ImproperlyConfigured: Junction will not serve with DEBUG off" in result.stderr
    for name, how in PRODUCTION_KEYS.items():
        # Each missing key is named with a command that makes one.
        assert (f"{name}: make one with {how}" in result.stderr) == (name not in given)
    assert "DJANGO_DEBUG=1" in result.stderr


@pytest.mark.parametrize("application", ["wsgi", "asgi"])
def test_it_serves_with_both_keys_set(application):
    result = _load(application, KEYS)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "serving"


def test_it_serves_development_with_debug_on_and_no_keys():
    result = _load("wsgi", {"DJANGO_DEBUG": "1"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "serving"


def test_management_commands_need_no_keys():
    result = _run(["manage.py", "check"], {})

    assert result.returncode == 0, result.stderr
