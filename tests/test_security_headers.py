"""The security headers every page carries: a Content-Security-Policy that
runs no inline script, and no framing."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def page(login, org_admin, project):
    return login(org_admin).get("/orgs/acme/projects/payments/")


def test_it_sends_a_policy_that_runs_only_our_own_scripts(page):
    policy = _policy(page)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # No inline style either: neither <style> elements nor style="" attributes.
    assert policy["style-src"] == ["'self'"]
    assert "style-src-attr" not in policy


def test_it_forbids_framing(page, client):
    assert page["X-Frame-Options"] == "DENY"
    assert client.get("/accounts/login/")["X-Frame-Options"] == "DENY"


def test_it_sends_the_policy_on_the_login_page_too(client):
    assert _policy(client.get("/accounts/login/"))["script-src"] == ["'self'"]


def test_it_puts_no_inline_script_in_its_pages(page):
    html = page.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all(" src=" in tag for tag in scripts), scripts
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert not re.search(r"\sstyle=", html)  # the policy would drop them


def test_it_keeps_htmx_from_injecting_its_indicator_style(page):
    assert '"includeIndicatorStyles": false' in page.content.decode()


def _cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def test_it_keeps_pages_for_a_signed_in_user_out_of_every_cache(page):
    assert {"no-store", "private"} <= _cache_directives(page)


def test_it_keeps_a_revealed_secret_out_of_every_cache(world):
    client = Client()
    client.force_login(world.personas["developer"])
    url = reverse(
        "connections:reveal",
        kwargs={
            "org": "acme",
            "project": "payments",
            "connection_id": world.a.project_connection.public_id,
        },
    )
    response = client.post(
        url, {"environment": "development", "key": "webhookSigningSecret"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "plaintext-secret-value" in response.content.decode()
    assert {"no-store", "private"} <= _cache_directives(response)
