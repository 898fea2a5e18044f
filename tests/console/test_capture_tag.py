"""{% capture %}: a sentence built with tags, passed whole to an include."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError


def test_it_captures_the_rendered_and_escaped_text_for_later():
    template = Template(
        "{% load console_tags %}"
        "{% capture as message %} No {{ name }} {% if late %}yet{% endif %}. {% endcapture %}"
        "[{{ message }}]"
    )

    assert template.render(Context({"name": "<b>", "late": True})) == "[No &lt;b&gt; yet.]"


def test_it_outputs_nothing_where_it_stands():
    template = Template("{% load console_tags %}a{% capture as x %}b{% endcapture %}c")

    assert template.render(Context()) == "ac"


def test_it_refuses_a_capture_without_a_name():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load console_tags %}{% capture %}b{% endcapture %}")
