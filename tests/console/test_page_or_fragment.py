"""render_page_or_fragment: the one answer to "page or fragment" (console/shell.py)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from console import menus
from console.access import get_project_for_user
from console.shell import render_page_or_fragment

PAGE = "console/menu.html"
FRAGMENT = "console/menu.html#menu-items"


def _request(user, **headers):
    request = RequestFactory().get("/", headers=headers)
    request.user = user
    request.htmx = HtmxDetails(request)
    return request


def _render(request, context=None, **kwargs):
    scope = get_project_for_user(request, "acme", "payments")
    if context is None:
        menu = menus.project_menu(scope.organization, "overview", "payments")
        context = {"menu": menu, "title": "Choose a project"}
    return render_page_or_fragment(
        request, PAGE, scope, context, fragment=FRAGMENT, section="overview", **kwargs
    )


def _is_page(response) -> bool:
    return b"<html" in response.content


@pytest.fixture
def user(developer, project):
    return developer


def test_it_renders_the_page_in_the_shell(user):
    response = _render(_request(user))

    assert _is_page(response)
    assert b'id="project-menu-items"' in response.content
    assert b"<h1" in response.content


def test_it_renders_only_the_fragment_for_an_htmx_request(user):
    response = _render(_request(user, **{"HX-Request": "true"}))

    assert not _is_page(response)
    assert b'id="project-menu-items"' in response.content
    assert b"<h1" not in response.content


@pytest.mark.parametrize(
    "header", ["HX-Boosted", "HX-History-Restore-Request"], ids=["boosted", "history-restore"]
)
def test_it_renders_the_whole_page_for_a_boosted_request_or_a_history_restore(user, header):
    response = _render(_request(user, **{"HX-Request": "true", header: "true"}))

    assert _is_page(response)
    assert b'id="project-menu-items"' in response.content


def test_it_builds_a_callable_context_only_for_the_page(user):
    built = []

    def page_context():
        built.append(True)
        menu = menus.project_menu(user.memberships.get().organization, "overview", "payments")
        return {"menu": menu, "title": "The page's own title"}

    fragment_menu = menus.project_menu(user.memberships.get().organization, "overview", "")
    fragment = _render(
        _request(user, **{"HX-Request": "true"}),
        page_context,
        fragment_context={"menu": fragment_menu},
    )
    assert built == []
    assert b'id="project-menu-items"' in fragment.content

    page = _render(_request(user), page_context, fragment_context={"menu": fragment_menu})
    assert built == [True]
    assert b"The page&#x27;s own title" in page.content
