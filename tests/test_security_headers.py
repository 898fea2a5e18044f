"""The security headers every page carries: a Content-Security-Policy that
runs no inline script, and no framing."""

from __future__ import annotations

import re

import pytest


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
