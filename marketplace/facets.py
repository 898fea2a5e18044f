"""The counts beside each marketplace filter value.

A value's count is the number of services it would show with the other
filters as they are, so ticking it never surprises. Without a text search
the counts come from the maintained cells of facet_counts.py (a few dozen
rows, whatever the size of the catalog); a text search counts its matches,
which the full-text index finds without a scan, but which costs in
proportion to their number: a page of results may ask for the facets
without those counts (``later``) and fetch them in a request of their own.

The Labels facet lists the most used labels of the scope, or on request
all of them (``LabelListing``), narrowed by a search of their names.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from console.access import Scope

from . import catalog_version, facet_counts
from . import search as search_module
from .facet_counts import CellKey
from .filters import MarketplaceFilter, has_any_tag
from .models import Service, ServiceKind, ServiceType, Tag, Visibility
from .search import terms


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int | None  # None: not counted yet (see ``facets``)
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str  # the query parameter
    label: str
    values: list[FacetValue]
    # The scope has more values than are listed (the Labels facet).
    more: bool = False


@dataclass(frozen=True)
class Faceted:
    facets: list[Facet]
    # The services matching every filter; None while the counts are pending.
    total: int | None
    # Where a search's counts and pages are cached (None: not cached).
    cache_key: str | None

    @property
    def pending(self) -> bool:
        return self.total is None


# (query parameter, position in a cell, label, choices)
FACET_FIELDS = (
    ("type", 0, "Type", ServiceKind.choices),
    ("visibility", 1, "Network Visibility", Visibility.choices),
    ("service_type", 2, "Service type", ServiceType.choices),
)
CELL_FIELDS = ("kind", "visibility", "service_type")
TAG_FACET_SIZE = 15
# "Show all" lists the scope's labels up to this many, most used first; the
# label search finds any other. What one page holds stays bounded.
ALL_LABELS_AT_MOST = 200
CACHE_SECONDS = 600


@dataclass(frozen=True)
class LabelListing:
    """Which labels the Labels facet lists: the most used, or all of them
    (``?labels=all``) whose name holds ``search`` (``label_q``)."""

    show_all: bool = False
    search: str = ""

    @classmethod
    def from_query(cls, params) -> LabelListing:
        if params.get("labels") != "all":
            return cls()
        typed = (params.get("label_q") or "")[: Tag._meta.get_field("name").max_length]
        # No label holds a NUL, and PostgreSQL refuses one in a query outright.
        return cls(show_all=True, search="".join(ch for ch in typed if ch.isprintable()).strip())

    @property
    def limit(self) -> int:
        return ALL_LABELS_AT_MOST if self.show_all else TAG_FACET_SIZE

    @property
    def cache_suffix(self) -> str:
        if not self.show_all:
            return ""
        return ":labels:" + hashlib.sha256(self.search.encode()).hexdigest()


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

    def __init__(
        self, scope: Scope, visible: QuerySet, search: Q | None, text: str = "", field: str = "all"
    ) -> None:
        self.organization_id = scope.organization.pk
        self.project_id = scope.project.pk if scope.project else None
        self.component_id = scope.component.pk if scope.component else None
        self.visible = visible
        self.search = search
        self.text, self.field = text, field

    @cached_property
    def dense(self) -> bool:
        """Whether the search is a one- or two-letter prefix that matches
        half the scope or more: its counts then read every service of the
        scope once, each tested on its own row, rather than gathering the
        matches first (search.scan_condition)."""
        if self.search is None or not search_module.is_short(self.text):
            return False
        in_scope = facet_counts.cells(self.organization_id, self.project_id)
        in_scope.subtract(self.own)
        half = sum(n for n in in_scope.values() if n > 0) // 2
        return search_module.many_matches(self.text, self.field, self.organization_id, half)

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
            services = services.filter(
                search_module.scan_condition(self.text, self.field) if self.dense else self.search
            )
        if selection.tag_ids:
            services = services.filter(has_any_tag(selection.tag_ids))
        return _cells_of(services)

    @property
    def one_pass(self) -> bool:
        """Whether the cells and the label counts of a text search are read
        in one pass over its matches (PostgreSQL: ``cells_and_labels``)."""
        return self.search is not None and connection.vendor == "postgresql"

    def cells_and_labels(
        self, selection: _Selection, tag_ids: list[int]
    ) -> tuple[Counter[CellKey], Counter[tuple[int, CellKey]]]:
        """PostgreSQL, a text search: the cells of its matches (with the
        ticked labels), and per listed label and cell the matches carrying
        it, in one query. Its words and labels are tested on each row's own
        columns, which the planner reads off their GIN indexes as one bitmap
        of rows: each match is read once, however many it matches. Gathering
        the matches' ids first, then looking each up for its cell, once for
        the cells and once for the labels, cost 3 × as much at size L."""
        services = self.visible.filter(search_module.scan_condition(self.text, self.field))
        ticked = search_module.carries_any_label(selection.tag_ids) if selection.tag_ids else None
        per_label = {
            f"label_{tag_id}": Count("pk", filter=search_module.carries_any_label([tag_id]))
            for tag_id in tag_ids
        }
        rows = (
            services.order_by()
            .values(*CELL_FIELDS)
            .annotate(n=Count("pk", filter=ticked), **per_label)
        )
        cells: Counter[CellKey] = Counter()
        labelled: Counter[tuple[int, CellKey]] = Counter()
        for row in rows:
            cell = (row["kind"], row["visibility"], row["service_type"])
            cells[cell] += row["n"]
            for tag_id in tag_ids:
                labelled[(tag_id, cell)] += row[f"label_{tag_id}"]
        return cells, labelled

    def listed_labels(
        self, selection: _Selection, listing: LabelListing
    ) -> tuple[list[tuple[int, str, int]], bool]:
        """The most used labels of the scope, or all those ``listing`` asks
        for (a stable list that does not jump as filters change; ticked ones
        always included), as (id, name, the services it would show under
        the other filters without the text search, from the maintained
        cells); and whether the scope has more labels than listed."""
        own_labels = {label for label, _ in self.own_per_label}
        rows = facet_counts.label_counts(
            self.organization_id,
            self.project_id,
            matching=selection.cell_filter(),
            # One more than shown: whether there are more to show.
            limit=listing.limit + len(own_labels) + 1,
            include=selection.tag_ids,
            name_contains=listing.search,
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
        shown = listing.limit + len(selection.tag_ids)
        return [(tag_id, name, matching) for tag_id, name, _, matching in labels[:shown]], (
            len(labels) > shown
        )

    def label_matches(
        self, selection: _Selection, labels: list[tuple[int, str, int]]
    ) -> dict[int, int]:
        """How many services each listed label (by id) would show under the
        other filters: with no text search, the maintained count."""
        maintained = {tag_id: matching for tag_id, _, matching in labels}
        if self.search is None:
            return maintained
        return self._label_matches(selection, maintained)

    def _label_matches(self, selection: _Selection, maintained: dict[int, int]) -> dict[int, int]:
        """How many services matching the search each label (by id) would
        show, from ``maintained``: each label's count under the other
        filters, kept by the triggers."""
        tag_ids = list(maintained)
        if not self.dense:
            matches = self.visible.filter(self.search).filter(selection.cell_filter())
            rows = (
                Service.tags.through.objects.filter(tag_id__in=tag_ids, service__in=matches)
                .values("tag_id")
                .annotate(n=Count("service_id"))
                .values_list("tag_id", "n")
            )
            return dict(rows)
        # A dense prefix: every service of a label the text names matches
        # (its maintained count holds); the others' services are tested one
        # by one against the text's matches, read once.
        named = set()
        if self.field in ("all", "label"):
            named = set(
                Tag.objects.filter(
                    pk__in=tag_ids, name__icontains=search_module.label_text(self.text)
                ).values_list("pk", flat=True)
            )
        counted = {tag_id: maintained[tag_id] for tag_id in named}
        others = [tag_id for tag_id in tag_ids if tag_id not in named]
        if others:
            matching = self.visible.filter(selection.cell_filter()).filter(
                search_module.scan_condition(self.text, self.field)
            )
            counted.update(_count_by_label(matching, others))
        return counted


def _count_by_label(services: QuerySet, tag_ids: list[int]) -> dict[int, int]:
    """How many of ``services`` carry each label, read from the labels' rows,
    each service looked up by its id. On SQLite the lookup is made to read
    the narrow service_facet_cell index: by its id SQLite would read the
    service's row, whose overview and definition come before its cell's
    columns (ten times the time at size L, make bench)."""
    labelled = Service.tags.through.objects.filter(tag_id__in=tag_ids)
    if connection.vendor == "sqlite":
        sql, params = services.order_by().values("pk").query.sql_with_params()
        table = ' FROM "marketplace_service" WHERE '
        if sql.count(table) == 1:  # one table, then its conditions (not a join)
            where = sql.split(table, 1)[1]
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT labelled.tag_id, COUNT(*) FROM marketplace_service_tags labelled"
                    ' JOIN "marketplace_service" INDEXED BY service_facet_cell'
                    ' ON "marketplace_service"."id" = labelled.service_id'
                    f" WHERE labelled.tag_id IN ({', '.join(['%s'] * len(tag_ids))})"
                    f" AND ({where}) GROUP BY labelled.tag_id",
                    [*tag_ids, *params],
                )
                return dict(cursor.fetchall())
    rows = (
        labelled.filter(Exists(services.filter(pk=OuterRef("service_id"))))
        .values("tag_id")
        .annotate(n=Count("service_id"))
        .values_list("tag_id", "n")
    )
    return dict(rows)


def facets(
    filterset: MarketplaceFilter,
    scope: Scope,
    visible: QuerySet,
    *,
    labels: LabelListing = LabelListing(),
    later: bool = False,
) -> Faceted:
    """Every facet with its counts, the number of services matching all
    filters, and the key a search's counts and pages are cached under
    (None: the counts were read from the maintained cells, and nothing is
    cached).

    With ``later``, counts that would be counted from the matches (a text
    search, or two labels ticked) and are not cached yet are not counted:
    the facets come with their values only, for a page of results that
    fetches its counts in a request of its own.
    """
    selection = _selection(filterset)
    data = filterset.form.cleaned_data
    counts = _Counts(
        scope, visible, filterset.search, data.get("q") or "", data.get("search_in") or "all"
    )
    key = _cache_key(filterset, scope, selection) if counts.are_live(selection) else None
    if key is not None and (cached := cache.get(key + labels.cache_suffix)) is not None:
        return Faceted(*cached, key)
    if later and counts.are_live(selection):
        return Faceted(_uncounted(counts, selection, labels), None, key)
    result, total = _count(counts, selection, labels)
    if key is not None:
        cache.set(key + labels.cache_suffix, (result, total), CACHE_SECONDS)
    return Faceted(result, total, key)


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


def _uncounted(counts: _Counts, selection: _Selection, listing: LabelListing) -> list[Facet]:
    """The facets' values as ``_count`` lists them, without their counts:
    the labels come from the maintained cells, as their list always does."""
    result = [
        Facet(
            name,
            label,
            [
                FacetValue(value, text, None, value in selection.values[name])
                for value, text in choices
            ],
        )
        for name, _, label, choices in FACET_FIELDS
    ]
    labels, more = counts.listed_labels(selection, listing)
    result.append(_label_facet([(name, None) for _, name, _ in labels], selection, more))
    return result


def _label_facet(labels: list[tuple[str, int | None]], selection: _Selection, more: bool) -> Facet:
    return Facet(
        "tag",
        "Labels",
        [FacetValue(name, name, n, name in selection.tag_names) for name, n in labels],
        more=more,
    )


def _count(
    counts: _Counts, selection: _Selection, listing: LabelListing
) -> tuple[list[Facet], int]:
    labels, more = counts.listed_labels(selection, listing)
    if counts.one_pass:
        cells, labelled = counts.cells_and_labels(selection, [tag_id for tag_id, *_ in labels])
        # A label's count is under the other filters: the cells they admit.
        label_counts = Counter()
        for (tag_id, cell), n in labelled.items():
            if selection.admits(cell):
                label_counts[tag_id] += n
    else:
        cells = counts.cells(selection)
        label_counts = counts.label_matches(selection, labels)
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
    counted = [(name, label_counts.get(tag_id, 0)) for tag_id, name, _ in labels]
    result.append(_label_facet(counted, selection, more))
    return result, total
