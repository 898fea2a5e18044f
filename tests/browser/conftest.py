"""Real-browser tests: Playwright drives the system's Chromium against
pytest-django's live server. `make test` installs Chromium where missing."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("JUNCTION_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

# No sandbox (CI runs as root); nothing that phones home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# Accessibility: axe-core checks every page a browser test visits (visits.py).
_test_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_test_failed] = True
    return report


@pytest.fixture(scope="session")
def _axe_audited_urls() -> set[str]:
    """Each URL is checked once per session (per xdist worker)."""
    return set()


@pytest.fixture(autouse=True)
def accessibility(request, browser, _axe_audited_urls):
    from tests.browser.accessibility import report
    from tests.browser.visits import VisitAuditor

    auditor = VisitAuditor(
        browser, _axe_audited_urls, wanted=lambda: not request.node.stash.get(_test_failed, False)
    )
    auditor.install()
    yield auditor
    auditor.uninstall()
    if auditor.violations:
        pytest.fail(report(auditor.violations), pytrace=False)


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)


def sign_in(page, base_url: str, username: str = "demo", password: str = "demo") -> None:
    page.goto(base_url + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture(params=["javascript", "no-javascript"])
def visitor(request, browser, live_server, demo):
    """(page, javascript): demo signed in, once with JavaScript and once
    without, because every flow must work both ways."""
    javascript = request.param == "javascript"
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    # The Content-Security-Policy must never have to block anything we ship.
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    # Nor may any file the pages load (styles, scripts, icons) be missing.
    # Pages, whole or swapped in by htmx, may be error pages on purpose.
    broken = []
    page.on(
        "response",
        lambda response: (
            broken.append(f"{response.status} {response.url}")
            if response.status >= 400
            and response.request.resource_type not in ("document", "xhr", "fetch")
            else None
        ),
    )
    sign_in(page, live_server.url)
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Corp")
    yield page, javascript
    context.close()
    assert not violations, violations
    assert not broken, broken


@pytest.fixture
def log_in(page, live_server):
    """``log_in(username, password)`` signs in through the login form."""

    def _log_in(username: str = "demo", password: str = "demo"):
        page.goto(live_server.url + "/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return page

    return _log_in
