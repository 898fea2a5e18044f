"""``python -m tests.startup_probe '<cases>'``: import Junction's WSGI or ASGI
application under several sets of production keys in one process, and print
what each import did as JSON (tests/test_serving_keys.py).

``cases`` is a JSON list of ``[application, [key names]]``: the named keys
keep the value this process was started with, the others are unset. The
startup check reads the keys from the environment when the application
module is imported, so a fresh import sees what a fresh server process would;
DEBUG, read once with the settings, is the process's own.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback

from junction.startup import PRODUCTION_KEYS


def outcome(application: str, given: list[str], started_with: dict[str, str]) -> str:
    """``serving``, or the exception line a server would print before exiting."""
    for name in PRODUCTION_KEYS:
        if name in given:
            os.environ[name] = started_with[name]
        else:
            os.environ.pop(name, None)
    module = f"junction.{application}"
    sys.modules.pop(module, None)
    try:
        importlib.import_module(module)
    except Exception as error:
        return "".join(traceback.format_exception_only(error))
    return "serving"


def main() -> None:
    started_with = {name: os.environ.get(name, "") for name in PRODUCTION_KEYS}
    cases = json.loads(sys.argv[1])
    outcomes = [outcome(application, given, started_with) for application, given in cases]
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main()
