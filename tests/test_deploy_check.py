"""`manage.py check --deploy` is clean with the production environment the
README documents, and flags the development defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

pytestmark = pytest.mark.processes

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
    "DJANGO_ALLOWED_HOSTS": "junction.example.com",
    "JUNCTION_HTTPS": "1",
    "JUNCTION_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def _check_deploy(extra: dict[str, str]) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "JUNCTION_"))
    }
    environment.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_is_clean_with_the_production_environment():
    result = _check_deploy(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_flags_the_development_defaults():
    result = _check_deploy({})
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W009" in output  # the development SECRET_KEY
    assert "security.W004" in output  # no HSTS without JUNCTION_HTTPS
