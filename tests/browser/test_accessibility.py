"""The accessibility check itself: axe-core finds known violations, through
the pages' Content-Security-Policy, on pages seen with and without JavaScript."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.accessibility import audit, report

# A page as strict as ours: no script but our own files.
BROKEN = """<!doctype html>
<html lang="en"><head><title>Broken</title>
<meta http-equiv="Content-Security-Policy" content="script-src 'self'">
</head><body><main>
<h1>Services</h1>
<h3 id="skipped">A card</h3>
<button id="faint" style="color: #bbb; background: #fff">Copy</button>
</main></body></html>"""


def test_axe_reports_a_skipped_heading_level_and_faint_text_despite_the_csp(page: Page):
    page.set_content(BROKEN)

    violations = {violation.rule: violation for violation in audit(page)}

    assert set(violations) == {"heading-order", "color-contrast"}
    assert violations["heading-order"].targets == ("#skipped",)
    assert violations["color-contrast"].targets == ("#faint",)
    assert violations["color-contrast"].impact == "serious"


def test_the_report_names_rule_impact_target_and_page(page: Page):
    page.set_content(BROKEN)

    text = report(audit(page))

    assert "heading-order (moderate) at about:blank" in text
    assert "    #faint\n      Element has insufficient color contrast of " in text


def test_a_page_seen_without_javascript_is_checked_as_it_was_left(
    accessibility, browser, live_server, transactional_db
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    # A form sent back with its error: a state no GET of its URL shows.
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    url = page.url
    # Evaluation needs no page scripts: break the heading order in place.
    page.evaluate("document.querySelector('h1').insertAdjacentHTML('afterend', '<h4>Odd</h4>')")

    context.close()

    assert [(v.rule, v.url, v.targets) for v in accessibility.violations] == [
        ("heading-order", url, ("h4",))
    ]
    accessibility.violations.clear()  # found on purpose: the test passes
