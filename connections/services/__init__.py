"""Writes on connections, each a keyword-only function in one transaction:
a form, the admin or a script get the same guarantees (docs/architecture.md, where writes go).

rules.py holds the checks both create and change apply; create.py and
change.py the writes.
"""

from .bindings import bindings_for_new_environment
from .change import connection_delete, connection_secret_reveal, connection_update
from .create import connection_create
from .events import record_event
from .rotation import GRACE_PERIODS, credentials_rotate
from .rules import check_name_is_free, connection_keys, default_endpoints

__all__ = [
    "GRACE_PERIODS",
    "bindings_for_new_environment",
    "check_name_is_free",
    "connection_create",
    "connection_delete",
    "connection_keys",
    "connection_secret_reveal",
    "connection_update",
    "credentials_rotate",
    "default_endpoints",
    "record_event",
]
