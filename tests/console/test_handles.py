"""Handles: proposed from names, checked, never a word the console's own
URLs use."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from console.handles import HANDLE_MAX_LENGTH, propose_handle, validate_handle


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Payments Team", [], "payments-team"),
        ("Payments Team", ["Payments-Team", "payments-team-2"], "payments-team-3"),
        ("Ünïcödé Service", [], "unicode-service"),
        ("名前", [], "item"),
        ("New", [], "new-1"),
        ("x" * 80, ["x" * HANDLE_MAX_LENGTH], "x" * (HANDLE_MAX_LENGTH - 2) + "-2"),
    ],
)
def test_a_handle_is_proposed_from_the_name_and_is_free(name, taken, expected):
    proposed = propose_handle(name, taken)

    assert proposed == expected
    assert validate_handle(proposed) == proposed


def test_a_handle_is_stored_in_lower_case():
    assert validate_handle(" Checkout-API ") == "checkout-api"


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "Give a handle."),
        ("-edge", "starting and ending with a letter or a digit"),
        ("under_score", "Use lower-case letters a to z, digits and dashes"),
        ("ünï", "Use lower-case letters a to z"),
        ("new", "“new” is reserved"),
        ("settings", "“settings” is reserved"),
        ("a" * 51, "at most 50 characters (this one has 51)"),
    ],
)
def test_a_bad_handle_is_refused_with_the_rule(value, says):
    with pytest.raises(ValidationError) as refused:
        validate_handle(value)

    assert says in refused.value.messages[0]
