"""Every page a browser test visits, checked by axe-core before its browser
context closes.

While a test runs, `browser.new_context` is wrapped: each context records the
HTML documents its pages load by GET (with or without JavaScript). When the
context closes (or the test ends), the auditor checks, signed in with that
context's own cookies:
- each page still open, as it is now: HTMX-swapped states, a form sent back
  with its errors. A page without JavaScript cannot run axe, so its HTML is
  replayed at the same URL in a context with JavaScript on;
- each recorded URL not yet checked in this session (this worker), loaded
  afresh in a context with JavaScript on.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, BrowserContext, Page, Response, Route
from playwright.sync_api import Error as PlaywrightError

from tests.browser.accessibility import Violation, audit, is_html


class VisitAuditor:
    def __init__(self, browser: Browser, audited_urls: set[str], wanted: Callable[[], bool]):
        self.browser = browser
        self.audited_urls = audited_urls
        # False once the test itself has failed: its pages say nothing new.
        self.wanted = wanted
        self.violations: list[Violation] = []
        self._open: dict[BrowserContext, tuple[bool, list[str]]] = {}
        # Each page's last document and how it came (a GET, or a form's POST).
        self._last_document: dict[Page, tuple[str, str]] = {}
        self._new_context = browser.new_context

    def install(self) -> None:
        self.browser.new_context = self._tracked_context  # type: ignore[method-assign]

    def uninstall(self) -> None:
        self.browser.new_context = self._new_context  # type: ignore[method-assign]
        for context in list(self._open):
            self._audit(context)

    def _tracked_context(self, **kwargs) -> BrowserContext:
        context = self._new_context(**kwargs)
        visited: list[str] = []
        self._open[context] = (kwargs.get("java_script_enabled", True), visited)
        context.on(
            "response",
            lambda response: _record_document(response, visited, self._last_document),
        )
        close = context.close

        def audit_then_close(*args, **close_kwargs) -> None:
            self._audit(context)
            close(*args, **close_kwargs)

        context.close = audit_then_close  # type: ignore[method-assign]
        return context

    def _audit(self, context: BrowserContext) -> None:
        javascript, visited = self._open.pop(context, (True, []))
        if not self.wanted():
            return
        replays: list[tuple[str, str]] = []
        for page in context.pages:
            if page.is_closed() or not page.url.startswith("http"):
                continue  # about:blank, set_content: not a page the server sent
            if javascript:
                self.violations += audit(page)
            elif self._last_document.get(page) != ("GET", page.url) and is_html(page):
                # Without JavaScript a page left as it was loaded by GET is
                # its URL's fresh load; only what a POST answered is replayed.
                replays.append((page.url, page.content()))
        fresh = [url for url in dict.fromkeys(visited) if url not in self.audited_urls]
        if not fresh and not replays:
            return
        self.audited_urls.update(fresh)
        checker = self._new_context(storage_state=context.storage_state())
        try:
            page = checker.new_page()
            for url in fresh:
                try:
                    page.goto(url)
                except PlaywrightError:
                    continue  # gone since the test saw it (e.g. a one-time reveal)
                self.violations += audit(page)
            for url, html in replays:
                page.route(lambda requested, url=url: requested == url, _serve(html))
                page.goto(url)
                page.unroute_all()
                self.violations += audit(page)
        finally:
            checker.close()


def _serve(html: str):
    def fulfill(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    return fulfill


def _record_document(
    response: Response, visited: list[str], last_document: dict[Page, tuple[str, str]]
) -> None:
    request = response.request
    if (
        not request.is_navigation_request()
        or request.frame.parent_frame is not None
        or 300 <= response.status < 400
    ):
        return
    last_document[request.frame.page] = (request.method, response.url)
    if request.method == "GET" and response.headers.get("content-type", "").startswith("text/html"):
        visited.append(response.url)
