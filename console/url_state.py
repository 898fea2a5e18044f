"""What a page keeps in its address: a list's search, filters, sort and page,
or a page's tab.

One canonical form, so that the address bar never accumulates (each value of
each parameter once, in a fixed order, nothing at its default, nothing the
page does not read) and a change of search, filter or sort never keeps a page
that belonged to the old results. HTMX pushes it (``HX-Push-Url``, set by
``console.shell.render_page_or_fragment``); the pager and tab links are built
from it (``{% state_url %}``). Without JavaScript the browser writes a GET
form's every field into the address, and the page redirects to its canonical
address (``console.shell.render_page_or_fragment`` again).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import django_filters
from django.http import HttpRequest, QueryDict

# A list's position: page 1 and no cursor are the defaults. The marketplace
# pages by cursor (marketplace/paging.py); other lists by page number.
PAGING = {"page": "1", "after": "", "before": ""}


def filter_defaults(filters: Mapping[str, django_filters.Filter]) -> dict[str, str]:
    """Each filter's value when nothing is chosen, in the filters' order: the
    first choice of a choice filter that offers no empty choice (the
    marketplace's Search in, a list's Sort), else the empty string.

    ``filters`` is a filter set's ``filters``, or its class's ``base_filters``
    when the address is needed before the filter set is made."""
    defaults = {}
    for name, filter_ in filters.items():
        default = ""
        if isinstance(filter_, django_filters.ChoiceFilter) and (
            filter_.extra.get("empty_label", "") is None
        ):
            choices = filter_.extra.get("choices") or []
            choices = choices() if callable(choices) else choices
            default = str(choices[0][0]) if choices else ""
        defaults[name] = default
    return defaults


@dataclass(frozen=True)
class UrlState:
    """A page's path and its canonical parameters, as (name, value) pairs."""

    path: str
    params: tuple[tuple[str, str], ...]
    defaults: Mapping[str, str]

    def url(self, **changes: object) -> str:
        """The address with ``changes`` applied: None removes a parameter, a
        list sets all its values, a value at its default removes it."""
        values: dict[str, list[str]] = {}
        for name, value in self.params:
            values.setdefault(name, []).append(value)
        for name, change in changes.items():
            if change is None:
                values.pop(name, None)
            elif isinstance(change, Iterable) and not isinstance(change, str):
                values[name] = [str(v) for v in change]
            else:
                values[name] = [str(change)]
        order = [*self.defaults, *(name for name in values if name not in self.defaults)]
        query = QueryDict(mutable=True)
        for name in order:
            kept = _canonical_values(values.get(name, []), self.defaults.get(name, ""))
            if kept:
                query.setlist(name, kept)
        encoded = query.urlencode()
        return f"{self.path}?{encoded}" if encoded else self.path

    def __str__(self) -> str:
        return self.url()


def _canonical_values(values: Iterable[str], default: str) -> list[str]:
    kept: list[str] = []
    for value in values:
        if value != "" and value != default and value not in kept:
            kept.append(value)
    return kept


def url_state(request: HttpRequest, defaults: Mapping[str, str]) -> UrlState:
    """The canonical state of ``request``'s address: only the parameters in
    ``defaults`` (name -> value when absent), in that order."""
    params = tuple(
        (name, value)
        for name, default in defaults.items()
        for value in _canonical_values(request.GET.getlist(name), default)
    )
    return UrlState(path=request.path, params=params, defaults=dict(defaults))


def list_url_state(request: HttpRequest, filterset: django_filters.FilterSet) -> UrlState:
    """A list page's state: its filters, then its position in the results."""
    return url_state(request, {**filter_defaults(filterset.filters), **PAGING})
