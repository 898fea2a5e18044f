"""A connection's history in words (connections/history.py)."""

from __future__ import annotations

import pytest

from connections.history import describe_event
from connections.models import ConnectionEvent, EventAction


def _event(action: str, detail: object, actor_name: str = "dave") -> ConnectionEvent:
    return ConnectionEvent(action=action, detail=detail, actor_name=actor_name)


@pytest.mark.parametrize(
    ("action", "detail", "sentence"),
    [
        (
            EventAction.CREATED,
            {"service": "Stripe API v1"},
            "dave created the connection to Stripe API v1",
        ),
        (EventAction.CREATED, {}, "dave created the connection"),
        (
            EventAction.RENAMED,
            {"from": "Pay", "to": "Payments"},
            "dave renamed the connection from “Pay” to “Payments”",
        ),
        (
            EventAction.RENAMED,
            {"from": "Pay", "to": "Payments", "via": "admin"},
            "dave renamed the connection from “Pay” to “Payments” in the Django admin",
        ),
        (EventAction.DESCRIPTION_CHANGED, {"from": "", "to": "x"}, "dave changed the description"),
        (
            EventAction.MAPPING_CHANGED,
            {
                "changes": [
                    {"environment": "Development", "from": "Sandbox", "to": None},
                    {"environment": "Production", "from": None, "to": "Live"},
                ]
            },
            "dave changed the endpoint mapping: Development from “Sandbox” to no endpoint; "
            "Production from no endpoint to “Live”",
        ),
        (
            EventAction.SECRET_REVEALED,
            {"environment": "Production", "key": "ChoreoAPIKey"},
            "dave revealed ChoreoAPIKey in Production",
        ),
        (EventAction.DELETED, {"service": "Stripe API v1"}, "dave deleted the connection"),
        (EventAction.DELETED, {"via": "admin"}, "dave deleted the connection in the Django admin"),
    ],
)
def test_it_says_what_happened(action, detail, sentence):
    assert describe_event(_event(action, detail)) == sentence


def test_it_says_someone_when_the_actor_is_gone():
    assert describe_event(_event(EventAction.DELETED, {}, actor_name="")) == (
        "Someone deleted the connection"
    )


def test_it_survives_a_detail_it_does_not_expect():
    assert describe_event(_event(EventAction.MAPPING_CHANGED, ["odd"])) == (
        "dave changed the endpoint mapping: "
    )
    assert describe_event(_event(EventAction.MAPPING_CHANGED, {"changes": "odd"})) == (
        "dave changed the endpoint mapping: "
    )
