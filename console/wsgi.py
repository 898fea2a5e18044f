"""WSGI entry point (gunicorn console.wsgi)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from console.startup import refuse_development_keys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

refuse_development_keys()
application = get_wsgi_application()
