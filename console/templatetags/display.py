"""How people and times show on the console's pages, the same way on every
page: ``{% load display %}``, then ``{{ user|person }}`` and ``{{ moment|when }}``."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturalday, naturaltime
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString

from console.people import display_name

register = template.Library()

# The exact moment, in the hover text of a relative time: unambiguous, to the second.
EXACT_DATETIME = "j M Y, H:i:s T"
EXACT_DATE = "l, j F Y"


@register.filter
def person(user) -> str:
    """A person as people know them (console.people.display_name)."""
    return display_name(user)


@register.filter
def when(moment: datetime | date | None) -> SafeString | str:
    """A ``<time>``: how long ago (or how soon) for people, the exact moment
    on hover and in ``datetime`` for machines."""
    if not isinstance(moment, date):
        return ""
    if isinstance(moment, datetime):
        shown = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            moment.isoformat(),
            format_date(shown, EXACT_DATETIME),
            naturaltime(moment),
        )
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        format_date(moment, EXACT_DATE),
        naturalday(moment),
    )
