"""The counts beside each marketplace filter value.

A value's count is the number of services it would show with the other
filters as they are, so ticking it never surprises. Without a text search
the counts come from the maintained cells of facet_counts.py (a few dozen
rows, whatever the size of the catalog); a text search counts its matches,
which the full-text index finds without a scan.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from console.access import Scope

from . import catalog_version, facet_counts
from .facet_counts import CellKey
from .filters import MarketplaceFilter, has_any_tag
from .models import Service, ServiceKind, ServiceType, Visibility
from .search import terms


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str  # the query parameter
    label: str
    values: list[FacetValue]


# (query parameter, position in a cell, label, choices)
FACET_FIELDS = (
    ("type", 0, "Type", ServiceKind.choices),
    ("visibility", 1, "Network Visibility", Visibility.choices),
    ("service_type", 2, "Service type", ServiceType.choices),
)
CELL_FIELDS = ("kind", "visibility", "service_type")
TAG_FACET_SIZE = 15
CACHE_SECONDS = 600


@dataclass
class _Selection:
    """What is ticked: values per cell field, and the ticked labels' ids."""

    values: dict[str, list[str]] = field(default_factory=dict)
    tag_names: list[str] = field(default_factory=list)
    tag_ids: list[int] = field(default_factory=list)

    def admits(self, cell: CellKey, *, except_facet: str = "") -> bool:
        return all(
            not self.values[name] or cell[position] in self.values[name]
            for name, position, *_ in FACET_FIELDS
            if name != except_facet
        )

    def cell_filter(self) -> Q:
        """The same as ``admits``, as a filter on kind, visibility and service_type."""
        condition = Q()
        for name, position, *_ in FACET_FIELDS:
            if self.values[name]:
                condition &= Q(**{f"{CELL_FIELDS[position]}__in": self.values[name]})
        return condition


def _selection(filterset: MarketplaceFilter) -> _Selection:
    filterset.is_valid()  # invalid values are dropped from cleaned_data, not applied
    data = filterset.form.cleaned_data
    names = list(data.get("tag") or [])
    return _Selection(
        values={name: list(data.get(name) or []) for name, *_ in FACET_FIELDS},
        tag_names=names,
        tag_ids=[filterset.tag_ids[name] for name in names],
    )


def _cells_of(services: QuerySet) -> Counter[CellKey]:
    rows = services.order_by().values_list(*CELL_FIELDS).annotate(n=Count("pk"))
    return Counter({(kind, visibility, stype): n for kind, visibility, stype, n in rows})


class _Counts:
    """The cells of the services that pass the search and the ticked labels,
    and the label counts, for one scope."""

    def __init__(self, scope: Scope, visible: QuerySet, search: Q | None) -> None:
        self.organization_id = scope.organization.pk
        self.project_id = scope.project.pk if scope.project else None
        self.component_id = scope.component.pk if scope.component else None
        self.visible = visible
        self.search = search

    @cached_property
    def _own(self) -> tuple[Counter[CellKey], Counter[tuple[int, CellKey]]]:
        # A component's marketplace leaves its own services out: subtract them.
        if self.component_id is None:
            return Counter(), Counter()
        return facet_counts.own_services(self.component_id)

    @property
    def own(self) -> Counter[CellKey]:
        return self._own[0]

    @property
    def own_per_label(self) -> Counter[tuple[int, CellKey]]:
        return self._own[1]

    def are_live(self, selection: _Selection) -> bool:
        """Whether these counts are counted from the matches (a text search,
        or two labels ticked), not read from the maintained cells."""
        return self.search is not None or len(selection.tag_ids) > 1

    def cells(self, selection: _Selection) -> Counter[CellKey]:
        if self.search is None and not selection.tag_ids:
            cells = facet_counts.cells(self.organization_id, self.project_id)
            cells.subtract(self.own)
            return cells
        if self.search is None and len(selection.tag_ids) == 1:
            (tag_id,) = selection.tag_ids
            cells = facet_counts.cells(self.organization_id, self.project_id, tag_id=tag_id)
            cells.subtract(
                {cell: n for (label, cell), n in self.own_per_label.items() if label == tag_id}
            )
            return cells
        # A text search, or two labels or more (a service carrying both must
        # count once, which per-label rows cannot tell): count the matches.
        services = self.visible
        if self.search is not None:
            services = services.filter(self.search)
        if selection.tag_ids:
            services = services.filter(has_any_tag(selection.tag_ids))
        return _cells_of(services)

    def labels(self, selection: _Selection) -> list[tuple[str, int]]:
        """The most used labels of the scope (a stable list that does not
        jump as filters change; ticked ones always included), each with the
        number of services it would show under the other filters."""
        own_labels = {label for label, _ in self.own_per_label}
        rows = facet_counts.label_counts(
            self.organization_id,
            self.project_id,
            matching=selection.cell_filter(),
            limit=TAG_FACET_SIZE + len(own_labels),
            include=selection.tag_ids,
        )
        labels = []
        for tag_id, name, in_scope, matching in rows:
            for (label, cell), n in self.own_per_label.items():
                if label == tag_id:
                    in_scope -= n
                    matching -= n if selection.admits(cell) else 0
            if in_scope > 0 or tag_id in selection.tag_ids:
                labels.append((tag_id, name, in_scope, matching))
        labels.sort(key=lambda row: (-row[2], row[1]))
        labels = labels[: TAG_FACET_SIZE + len(selection.tag_ids)]
        if self.search is not None:
            live = self._label_matches(selection, [row[0] for row in labels])
            labels = [(tag_id, name, _, live.get(tag_id, 0)) for tag_id, name, _, _ in labels]
        return [(name, matching) for _, name, _, matching in labels]

    def _label_matches(self, selection: _Selection, tag_ids: list[int]) -> dict[int, int]:
        matches = self.visible.filter(self.search).filter(selection.cell_filter())
        rows = (
            Service.tags.through.objects.filter(tag_id__in=tag_ids, service__in=matches)
            .values("tag_id")
            .annotate(n=Count("service_id"))
            .values_list("tag_id", "n")
        )
        return dict(rows)


def facets(
    filterset: MarketplaceFilter, scope: Scope, visible: QuerySet
) -> tuple[list[Facet], int, str | None]:
    """Every facet with its counts, the number of services matching all
    filters, and the key they are cached under (None: the counts were read
    from the maintained cells, and nothing is cached)."""
    selection = _selection(filterset)
    counts = _Counts(scope, visible, filterset.search)
    key = _cache_key(filterset, scope, selection) if counts.are_live(selection) else None
    if key is not None and (cached := cache.get(key)) is not None:
        return (*cached, key)
    result, total = _count(counts, selection)
    if key is not None:
        cache.set(key, (result, total), CACHE_SECONDS)
    return result, total, key


def _cache_key(filterset: MarketplaceFilter, scope: Scope, selection: _Selection) -> str | None:
    """Counted facets are cached under the organization's catalog version,
    which every write to its services and labels changes: never stale."""
    version = catalog_version.of_scope(scope)
    if version is None:
        return None
    data = filterset.form.cleaned_data
    asked = json.dumps(
        [
            terms(data.get("q") or ""),
            (data.get("q") or "").strip(),  # labels match the text itself
            data.get("search_in") or "all",
            sorted((name, sorted(values)) for name, values in selection.values.items()),
            sorted(selection.tag_ids),
        ]
    )
    where = [
        scope.organization.pk,
        version,
        scope.project.pk if scope.project else None,
        scope.component.pk if scope.component else None,
    ]
    return "facets:" + hashlib.sha256(f"{where}:{asked}".encode()).hexdigest()


def _count(counts: _Counts, selection: _Selection) -> tuple[list[Facet], int]:
    cells = counts.cells(selection)
    result = []
    for name, position, label, choices in FACET_FIELDS:
        per_value: Counter[str] = Counter()
        for cell, n in cells.items():
            if selection.admits(cell, except_facet=name):
                per_value[cell[position]] += n
        result.append(
            Facet(
                name,
                label,
                [
                    FacetValue(value, text, per_value[value], value in selection.values[name])
                    for value, text in choices
                ],
            )
        )
    total = sum(n for cell, n in cells.items() if selection.admits(cell))
    result.append(
        Facet(
            "tag",
            "Labels",
            [
                FacetValue(name, name, n, name in selection.tag_names)
                for name, n in counts.labels(selection)
            ],
        )
    )
    return result, total
