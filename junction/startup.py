"""What Junction checks before it serves (junction/wsgi.py, junction/asgi.py)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The keys production must set, and a command that makes one.
PRODUCTION_KEYS = {
    "DJANGO_SECRET_KEY": (
        'python -c "from django.core.management.utils import get_random_secret_key; '
        'print(get_random_secret_key())"'
    ),
    "JUNCTION_ENCRYPTION_KEYS": (
        'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
    ),
}


def refuse_development_keys() -> None:
    """With DEBUG off, refuse to serve unless both keys are set explicitly.

    Their fallbacks are printed in the source: sessions would be signed with
    the development SECRET_KEY and stored secrets encrypted with a key derived
    from it, so anyone holding a database backup could decrypt them. Only
    serving is refused: management commands and the tests never load the WSGI
    or ASGI application, and `make run` sets DJANGO_DEBUG=1.
    """
    if settings.DEBUG:
        return
    missing = [name for name in PRODUCTION_KEYS if not os.environ.get(name, "").strip()]
    if not missing:
        return
    how = "\n".join(f"  {name}: make one with {PRODUCTION_KEYS[name]}" for name in missing)
    raise ImproperlyConfigured(
        f"Junction will not serve with DEBUG off without {' and '.join(missing)}: "
        "the fallbacks are development keys printed in its source. Set them "
        f"(README, Production):\n{how}\n"
        "For development, set DJANGO_DEBUG=1 instead (`make run` does)."
    )
