"""WSGI entry point (gunicorn junction.wsgi)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from junction.startup import refuse_development_keys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "junction.settings")

refuse_development_keys()
application = get_wsgi_application()
