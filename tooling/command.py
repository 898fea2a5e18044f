"""Run a tool's management ``Command`` as ``python -m tooling.<tool>``.

Django sets itself up first (the commands read the ORM and settings), then
the command parses ``sys.argv`` exactly as ``manage.py`` would.
"""

from __future__ import annotations

import importlib
import os
import sys


def main(command_module: str, name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "junction.settings")
    import django

    django.setup()
    command = importlib.import_module(command_module).Command()
    command.run_from_argv([f"{sys.executable} -m tooling.{name}", "", *sys.argv[1:]])
