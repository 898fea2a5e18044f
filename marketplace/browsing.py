"""Browsing the marketplace: the search, its facets and one page of cards,
for the marketplace page and for step 1 of Create Connection (which is why it
is not in a view module: docs/architecture.md).

Results come first. A search swapped in as one types (an HTMX request)
gets its page of cards without the facet counts when they would have to be
counted from its matches: the facet panel then fetches them in a request of
its own (``facet_context``, the ``browse-facets`` URL). A whole page (no
JavaScript, a reload) counts them inline, as the counts of a search already
made are cached.
"""

from __future__ import annotations

from dataclasses import replace

from django.http import HttpRequest

from console.access import Scope
from console.htmx import wants_fragment
from console.url_state import PAGING, UrlState, filter_defaults, url_state

from . import search
from .access import services_visible_from
from .connected import connected_annotations, connected_url
from .facets import LabelListing, facets
from .filters import MarketplaceFilter
from .paging import results_page

CARD_FIELDS = (
    "name",
    "version",
    "major",
    "kind",
    "visibility",
    "service_type",
    "summary",
    "deprecated_at",
    "sunset_on",
)
# Above this many matches, a page of cards is read in card order (about
# 12 × visible / matches index entries) rather than by sorting the matches.
MANY_MATCHES = 1000


def _counts_later(request: HttpRequest) -> bool:
    """A fragment of the first page, or of one reached by Next or Previous;
    a page asked for by number alone needs the total to exist."""
    params = request.GET
    by_number = params.get("page") not in (None, "", "1") and not (
        params.get("after") or params.get("before")
    )
    return wants_fragment(request) and not by_number


def browse_context(request: HttpRequest, scope: Scope) -> dict:
    """Search, facets and one page of cards. The facet counts are cached
    only for a scope read with its catalog version
    (access.get_catalog_scope_for_user)."""
    visible = services_visible_from(scope)
    filterset = MarketplaceFilter(request.GET, queryset=visible, organization=scope.organization)
    label_listing = LabelListing.from_query(request.GET)
    faceted = facets(filterset, scope, visible, labels=label_listing, later=_counts_later(request))
    # What a card shows: never the overview or the API definition; whether
    # the scope is connected to it, in the same query.
    connected = connected_annotations(scope)
    cards = filterset.qs.only(*CARD_FIELDS).annotate(**connected).prefetch_related("tags")
    walk = None
    if faceted.pending:
        many, walk = _plan_without_total(filterset, scope, cards)
    else:
        many = faceted.total > MANY_MATCHES
    if (condition := filterset.search_condition(many=many)) is not None:
        cards = cards.filter(condition)
    by_id = visible.only(*CARD_FIELDS).annotate(**connected).prefetch_related("tags")
    results = results_page(
        cards, request.GET, faceted.total, cache_key=faceted.cache_key, by_id=by_id, walk=walk
    )
    for service in results.services:
        if service.connected_count:
            service.connected_url = connected_url(scope, service)
    return {
        "filter": filterset,
        "facets": faceted.facets,
        "results": results,
        "counts_pending": faceted.pending,
        "label_listing": label_listing,
    }


def browse_url_state(request: HttpRequest) -> UrlState:
    """The page's address (console/url_state.py): the search and filters,
    whether every label is listed and the label search, then the position.
    Read from the request alone, so that a page asked for at another address
    redirects before anything is searched."""
    listing = {"labels": "", "label_q": ""}
    filters = filter_defaults(MarketplaceFilter.base_filters)
    return url_state(request, {**filters, **listing, **PAGING})


def _plan_without_total(filterset: MarketplaceFilter, scope: Scope, cards) -> tuple[bool, tuple]:
    """How to read a page of a search whose total is not counted yet:
    whether it matches many services, and the walk (services without the
    search, the search tested row by row) that reads a one- or two-letter
    search's page in card order, or None."""
    filterset.is_valid()
    data = filterset.form.cleaned_data
    text, field = data.get("q") or "", data.get("search_in") or "all"
    if search.is_short(text):
        return True, (cards, search.row_condition(text, field))
    return search.many_matches(text, field, scope.organization.pk, MANY_MATCHES), None


def facet_context(request: HttpRequest, scope: Scope, page_path: str) -> dict:
    """The facets with their counts and the total, for the facet panel's
    own request: the same query string as the page of cards, whose path
    (the marketplace's, or Create Connection's) its links keep."""
    visible = services_visible_from(scope)
    filterset = MarketplaceFilter(request.GET, queryset=visible, organization=scope.organization)
    label_listing = LabelListing.from_query(request.GET)
    faceted = facets(filterset, scope, visible, labels=label_listing)
    return {
        "filter": filterset,
        "facets": faceted.facets,
        "total": faceted.total,
        "label_listing": label_listing,
        "url_state": replace(browse_url_state(request), path=page_path),
    }
