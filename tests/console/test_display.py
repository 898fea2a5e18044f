"""How people and times show on every page (console/templatetags/display.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.utils import timezone

from console.templatetags.display import person, when


def _render(source: str, **context) -> str:
    return Template("{% load display %}" + source).render(Context(context))


def test_it_names_a_person_by_their_full_name():
    user = get_user_model()(username="priya", first_name="Priya", last_name="Raman")
    assert person(user) == "Priya Raman"


@pytest.mark.parametrize("first, last", [("", ""), ("  ", "")])
def test_it_falls_back_to_the_username_without_a_full_name(first, last):
    assert person(get_user_model()(username="priya", first_name=first, last_name=last)) == "priya"


def test_it_names_nobody_as_nothing():
    assert person(None) == ""
    assert person(AnonymousUser()) == ""


def test_it_escapes_a_name_in_a_page():
    user = get_user_model()(username="x", first_name="<b>Bo</b>")
    assert _render("{{ user|person }}", user=user) == "&lt;b&gt;Bo&lt;/b&gt;"


def test_a_past_moment_says_how_long_ago_with_the_exact_time_on_hover():
    moment = timezone.now() - timedelta(hours=3, minutes=1)
    html = _render("{{ moment|when }}", moment=moment)
    assert html == (
        f'<time datetime="{moment.isoformat()}" '
        f'title="{moment.strftime("%-d %b %Y, %H:%M:%S")} UTC">3\xa0hours ago</time>'
    )


def test_a_future_moment_says_how_soon():
    moment = timezone.now() + timedelta(days=2, minutes=1)
    assert "2\xa0days from now</time>" in _render("{{ moment|when }}", moment=moment)


def test_a_date_says_its_day_with_the_whole_date_on_hover():
    html = _render("{{ day|when }}", day=date(2031, 6, 30))
    assert html == '<time datetime="2031-06-30" title="Monday, 30 June 2031">June 30, 2031</time>'


def test_a_moment_shows_in_the_current_time_zone():
    moment = datetime(2031, 6, 30, 12, 0, tzinfo=UTC)
    with timezone.override("Europe/Paris"):
        html = _render("{{ moment|when }}", moment=moment)
    assert 'title="30 Jun 2031, 14:00:00 CEST"' in html
    assert 'datetime="2031-06-30T12:00:00+00:00"' in html


@pytest.mark.parametrize("nothing", [None, "", "not a date"])
def test_nothing_shows_for_no_moment(nothing):
    assert when(nothing) == ""
