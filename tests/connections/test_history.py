"""A connection's history in words (connections/history.py)."""

from __future__ import annotations

import pytest

from connections.history import describe_event
from console.models import Action, ActivityEvent


def _event(
    action: str, detail: object, actor_name: str = "dave", changes: object = None
) -> ActivityEvent:
    return ActivityEvent(
        object_kind="connection",
        action=action,
        detail=detail,
        changes=changes if changes is not None else {},
        actor_name=actor_name,
    )


@pytest.mark.parametrize(
    ("action", "detail", "sentence"),
    [
        (
            Action.CREATED,
            {"service": "Stripe API v1"},
            "dave created the connection to Stripe API v1",
        ),
        (Action.CREATED, {}, "dave created the connection"),
        (
            Action.SECRET_REVEALED,
            {"environment": "Production", "key": "ChoreoAPIKey"},
            "dave revealed ChoreoAPIKey in Production",
        ),
        (Action.DELETED, {"service": "Stripe API v1"}, "dave deleted the connection"),
        (Action.DELETED, {"via": "admin"}, "dave deleted the connection in the Django admin"),
    ],
)
def test_it_says_what_happened(action, detail, sentence):
    assert describe_event(_event(action, detail)) == sentence


@pytest.mark.parametrize(
    ("action", "changes", "detail", "sentence"),
    [
        (
            Action.RENAMED,
            {"name": ["Pay", "Payments"]},
            {},
            "dave renamed the connection from “Pay” to “Payments”",
        ),
        (
            Action.RENAMED,
            {"name": ["Pay", "Payments"]},
            {"via": "admin"},
            "dave renamed the connection from “Pay” to “Payments” in the Django admin",
        ),
        (
            Action.DESCRIPTION_CHANGED,
            {"description": ["", "x"]},
            {},
            "dave changed the description",
        ),
        (
            Action.MAPPING_CHANGED,
            {"Development": ["Sandbox", None], "Production": [None, "Live"]},
            {},
            "dave changed the endpoint mapping: Development from “Sandbox” to no endpoint; "
            "Production from no endpoint to “Live”",
        ),
    ],
)
def test_it_says_what_changed(action, changes, detail, sentence):
    assert describe_event(_event(action, detail, changes=changes)) == sentence


def test_it_names_the_runtime_token_that_pulled():
    event = _event(
        Action.VALUES_PULLED,
        {"token": "ci", "environment": "Production", "address": "", "secrets": ["ConsumerSecret"]},
        actor_name="runtime token “ci”",
    )

    assert describe_event(event) == "The runtime token “ci” pulled ConsumerSecret for Production"


def test_it_says_someone_when_the_actor_is_gone():
    assert describe_event(_event(Action.DELETED, {}, actor_name="")) == (
        "Someone deleted the connection"
    )


def test_it_survives_a_detail_it_does_not_expect():
    assert describe_event(_event(Action.MAPPING_CHANGED, ["odd"], changes=["odd"])) == (
        "dave changed the endpoint mapping: "
    )
    assert describe_event(_event(Action.MAPPING_CHANGED, {}, changes={"Production": "odd"})) == (
        "dave changed the endpoint mapping: "
    )
    assert describe_event(_event(Action.RENAMED, {}, changes={"name": "odd"})).startswith(
        "dave renamed the connection"
    )
