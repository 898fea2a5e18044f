"""How a person is named on screen and in what the console records: their
full name, or their username when they gave none."""

from __future__ import annotations


def display_name(user) -> str:
    """Empty for nobody (a deleted account, a script). An anonymous user has
    a username ("") but no full name."""
    if user is None:
        return ""
    full_name = getattr(user, "get_full_name", lambda: "")()
    return full_name.strip() or user.get_username()
