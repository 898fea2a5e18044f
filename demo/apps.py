from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo company: ``manage.py seed_demo`` (demo/data.py)."""

    name = "demo"
