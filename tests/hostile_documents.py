"""Hostile service documentation of issue #11, and a measure of the work
spent on it, shared by the unit tests and the hostile-input suite."""

from __future__ import annotations

import cProfile
import pstats

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def alias_bomb(levels: int = 8) -> str:
    """The issue's ~430-byte definition: each level a list of nine aliases
    of the level below (9**8 leaves once expanded)."""
    lines = ["openapi: 3.0.0", "info: {title: Bomb}", 'a0: &a0 ["lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
    lines.append(f"paths: {{/x: {{get: {{summary: *a{levels}}}}}}}")
    return "\n".join(lines) + "\n"


def aliased_string_everywhere(paths: int = 1000, length: int = 20_000) -> str:
    """The issue's 32 KB definition: one 20 KB string as the summary of every
    method of 1,000 paths, through one aliased mapping."""
    methods = ", ".join(f"{method}: {{summary: *s}}" for method in METHODS)
    lines = [
        "openapi: 3.0.0",
        "info: {title: Wide}",
        f"s: &s {'x' * length}",
        f"m: &m {{{methods}}}",
        "paths:",
        *(f"  /p{index}: *m" for index in range(paths)),
    ]
    return "\n".join(lines) + "\n"


# Overviews whose rendering python-Markdown made quadratic or worse, each at
# the form's limit of 20,000 characters.
PATHOLOGICAL_OVERVIEWS = {
    "brackets": "[" * 20_000,
    "images": "![" * 10_000,
    "emphasis": "*a **b ***c " * 1666,
    "nested-emphasis": "*_" * 5000 + "_*" * 5000,
    "link-chain": "[a](b)" * 3333,
    "unclosed-links": "[a](" * 5000,
}


def calls(function, *args) -> int:
    """Python function calls made by ``function(*args)``: work done, in a
    unit that does not depend on the machine."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        function(*args)
    finally:
        profile.disable()
    return pstats.Stats(profile).total_calls
