"""Browsing the marketplace: the search, its facets and one page of cards,
for the marketplace page and for step 1 of Create Connection (which is why it
is not in a view module: docs/architecture.md)."""

from __future__ import annotations

from django.http import HttpRequest

from console.access import Scope

from .access import services_visible_from
from .connected import connected_annotations, connected_url
from .facets import facets
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


def browse_context(request: HttpRequest, scope: Scope) -> dict:
    """Search, facets and one page of cards. The facet counts are cached
    only for a scope read with its catalog version
    (access.get_catalog_scope_for_user)."""
    visible = services_visible_from(scope)
    filterset = MarketplaceFilter(request.GET, queryset=visible, organization=scope.organization)
    facet_list, total, cache_key = facets(filterset, scope, visible)
    cards = filterset.qs
    if (search := filterset.search_condition(many=total > MANY_MATCHES)) is not None:
        cards = cards.filter(search)
    # What a card shows: never the overview or the API definition; whether
    # the scope is connected to it, in the same query.
    connected = connected_annotations(scope)
    cards = cards.only(*CARD_FIELDS).annotate(**connected).prefetch_related("tags")
    by_id = visible.only(*CARD_FIELDS).annotate(**connected).prefetch_related("tags")
    results = results_page(cards, request.GET, total, cache_key=cache_key, by_id=by_id)
    for service in results.services:
        if service.connected_count:
            service.connected_url = connected_url(scope, service)
    return {"filter": filterset, "facets": facet_list, "results": results}
