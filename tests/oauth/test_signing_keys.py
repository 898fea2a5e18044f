"""Signing keys: rotation with manage.py rotate_signing_key, publication
until the old key's tokens have expired, and two first keys at once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import jwt as pyjwt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from oauth import signing
from oauth.models import SigningKey


def _kid(token: str) -> str:
    return pyjwt.get_unverified_header(token)["kid"]


def _published_kids(client) -> set[str]:
    return {key["kid"] for key in client.get(reverse("oauth:jwks")).json()["keys"]}


def test_rotation_signs_new_tokens_with_the_new_key_and_keeps_old_ones_valid(
    client, consumer, get_token, verify, introspect
):
    old_token = get_token(consumer)
    old_kid = _kid(old_token)
    out = StringIO()

    call_command("rotate_signing_key", stdout=out)

    new_key = SigningKey.objects.get(superseded_at=None)
    assert new_key.kid in out.getvalue()
    new_token = get_token(consumer)
    assert _kid(new_token) == new_key.kid != old_kid
    assert _published_kids(client) == {old_kid, new_key.kid}
    # The old key's token still verifies against the JWKS and introspects.
    assert verify(old_token)["client_id"] == consumer.key
    assert introspect(old_token)["active"] is True
    assert introspect(new_token)["active"] is True


def test_a_retired_key_leaves_the_jwks_and_its_tokens_are_inactive(
    client, consumer, get_token, introspect, settings
):
    old_token = get_token(consumer)
    old_kid = _kid(old_token)
    call_command("rotate_signing_key", stdout=StringIO())
    new_token = get_token(consumer)

    # Superseded longer ago than a token lives, plus the minute of slack.
    retired_at = timezone.now() - timedelta(seconds=settings.JUNCTION_ACCESS_TOKEN_LIFETIME + 61)
    SigningKey.objects.filter(kid=old_kid).update(superseded_at=retired_at)

    assert old_kid not in _published_kids(client)
    assert introspect(old_token) == {"active": False}
    assert introspect(new_token)["active"] is True


def test_a_key_superseded_within_the_window_is_still_published(
    client, consumer, get_token, settings
):
    old_kid = _kid(get_token(consumer))
    call_command("rotate_signing_key", stdout=StringIO())

    recent = timezone.now() - timedelta(seconds=settings.JUNCTION_ACCESS_TOKEN_LIFETIME)
    SigningKey.objects.filter(kid=old_kid).update(superseded_at=recent)

    assert old_kid in _published_kids(client)


def test_two_rotations_keep_every_live_key_published(client, consumer, get_token, introspect):
    tokens = [get_token(consumer)]
    for _ in range(2):
        call_command("rotate_signing_key", stdout=StringIO())
        tokens.append(get_token(consumer))

    assert len({_kid(token) for token in tokens}) == 3
    assert _published_kids(client) == {_kid(token) for token in tokens}
    assert all(introspect(token)["active"] for token in tokens)
    assert SigningKey.objects.filter(superseded_at=None).count() == 1


def test_two_first_keys_made_at_once_both_publish_and_the_newest_signs(
    client, consumer, get_token, verify, introspect
):
    # Two processes that each found no key and each made one: neither saw
    # the other's row, so both are unsuperseded.
    older = signing.signing_key_create()
    newer = signing.signing_key_create()
    SigningKey.objects.filter(pk=older.pk).update(superseded_at=None)

    token = get_token(consumer)

    assert _kid(token) == newer.kid
    assert _published_kids(client) == {older.kid, newer.kid}
    assert verify(token)["client_id"] == consumer.key
    assert introspect(token)["active"] is True


def test_a_token_signed_by_the_other_first_key_stays_valid(
    client, consumer, get_token, verify, introspect
):
    older = signing.signing_key_create()
    older_token = get_token(consumer)
    newer = signing.signing_key_create()
    SigningKey.objects.filter(pk=older.pk).update(superseded_at=None)

    assert _kid(older_token) == older.kid != newer.kid
    assert verify(older_token)["client_id"] == consumer.key
    assert introspect(older_token)["active"] is True


def test_the_first_token_request_makes_a_key(consumer, get_token):
    assert not SigningKey.objects.exists()

    token = get_token(consumer)

    assert _kid(token) == SigningKey.objects.get().kid
