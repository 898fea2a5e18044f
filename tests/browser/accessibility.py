"""axe-core, run in the browser on every page the browser tests visit.

`make axe` installs axe-core from npm into tests/browser/node_modules (pinned
by package-lock.json). The pages' Content-Security-Policy blocks an injected
<script>, so the source is evaluated through Playwright (DevTools evaluation
is not subject to the page's CSP).

Which rules: WCAG 2.0, 2.1 and 2.2 at levels A and AA (what an accessibility
statement promises), plus axe's best practices: heading order, one main
landmark, content inside landmarks are not WCAG success criteria on their own
but are how a screen-reader user finds their way round a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

AXE_SOURCE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    # Only failures: passes and incomplete results would cost time to serialize.
    "resultTypes": ["violations"],
}

_RUN = """async (options) => {
    const results = await axe.run(document, options);
    return results.violations.map((violation) => ({
        rule: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.join(" ")),
        // What is wrong with each node, e.g. the colors and the ratio found.
        why: violation.nodes.map((node) => (node.failureSummary || "").split("\\n")[1] || ""),
    }));
}"""


@dataclass(frozen=True)
class Violation:
    url: str
    rule: str
    impact: str | None
    help: str
    targets: tuple[str, ...]
    why: tuple[str, ...]  # one per target: what axe found wrong there

    def __str__(self) -> str:
        nodes = (
            f"    {target}" + (f"\n      {why.strip()}" if why.strip() else "")
            for target, why in zip(self.targets, self.why, strict=True)
        )
        return f"{self.rule} ({self.impact}) at {self.url}: {self.help}\n" + "\n".join(nodes)


@cache
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        raise RuntimeError(
            f"{AXE_SOURCE} is missing: run `make axe` (npm ci in tests/browser) first."
        )
    return AXE_SOURCE.read_text()


# Every running CSS transition or animation finished, or a second gone by
# (an endless spinner never finishes).
_SETTLED = """() => Promise.race([
    Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => null))),
    new Promise((resolve) => setTimeout(resolve, 1000)),
])"""


def audit(page) -> list[Violation]:
    """The violations axe finds in the page as it is now. The page's context
    must have JavaScript on: axe's promises need the page's event loop."""
    if not is_html(page):
        return []  # a text or JSON document the browser shows as it is
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    # Colours are checked as they settle, not halfway through a transition:
    # a button the test just clicked is still fading into its hover colours.
    page.evaluate(_SETTLED)
    found = page.evaluate(_RUN, RUN_OPTIONS)
    return [
        Violation(
            url=page.url,
            rule=item["rule"],
            impact=item["impact"],
            help=item["help"],
            targets=tuple(item["targets"]),
            why=tuple(item["why"]),
        )
        for item in found
    ]


def is_html(page) -> bool:
    return page.evaluate("document.contentType") == "text/html"


def report(violations: list[Violation]) -> str:
    # A page's live state and its fresh load often fail the same way.
    violations = list(dict.fromkeys(violations))
    return f"axe-core found {len(violations)} accessibility violation(s):\n" + "\n".join(
        str(violation) for violation in violations
    )
