"""ASGI entry point."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

from junction.startup import refuse_development_keys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "junction.settings")

refuse_development_keys()
application = get_asgi_application()
