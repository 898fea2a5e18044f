"""Marketplace search and filters, and the counts shown beside each value.

Within one filter the values are alternatives (OR); across filters they all
apply (AND). A value's count is the number of services it would show with
the other filters as they are, so ticking it never surprises.
"""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from .models import Service, ServiceKind, ServiceType, Tag, Visibility
from .search import search_condition

SEARCH_IN = [("all", "All"), ("name", "Name"), ("label", "Label"), ("content", "Content")]


class MarketplaceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_nothing", label="Search", max_length=100)
    search_in = django_filters.ChoiceFilter(
        method="filter_nothing", choices=SEARCH_IN, label="Search in", empty_label=None
    )
    type = django_filters.MultipleChoiceFilter(
        field_name="kind",
        choices=ServiceKind.choices,
        label="Type",
        widget=forms.CheckboxSelectMultiple,
    )
    visibility = django_filters.MultipleChoiceFilter(
        choices=Visibility.choices, label="Network Visibility", widget=forms.CheckboxSelectMultiple
    )
    service_type = django_filters.MultipleChoiceFilter(
        choices=ServiceType.choices, label="Service type", widget=forms.CheckboxSelectMultiple
    )
    tag = django_filters.MultipleChoiceFilter(
        method="filter_tags", label="Labels", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        # Only the labels typed in this request need to exist; the facet
        # lists the organization's labels on its own.
        requested = self.data.getlist("tag") if hasattr(self.data, "getlist") else []
        # No label holds a NUL, and PostgreSQL refuses one in a query outright.
        wanted = [t[:40] for t in requested[:20] if "\x00" not in t]
        known = Tag.objects.filter(organization=organization, name__in=wanted).values_list(
            "name", flat=True
        )
        self.filters["tag"].extra["choices"] = [(name, name) for name in known]

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # q and search_in act together, in ``qs`` below.
        return queryset

    def filter_tags(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(_has_any_tag(value))

    @property
    def search(self) -> Q | None:
        self.is_valid()
        data = self.form.cleaned_data
        return search_condition(data.get("q") or "", data.get("search_in") or "all")

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if self.search is not None:
            queryset = queryset.filter(self.search)
        return queryset


def _has_any_tag(names: list[str]) -> Exists:
    # Exists rather than a join: a service with two of the ticked labels
    # must still count, and show, once.
    return Exists(
        Service.tags.through.objects.filter(service_id=OuterRef("pk"), tag__name__in=names)
    )


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


FACET_FIELDS = (
    ("type", "kind", "Type", ServiceKind.choices),
    ("visibility", "visibility", "Network Visibility", Visibility.choices),
    ("service_type", "service_type", "Service type", ServiceType.choices),
)
TAG_FACET_SIZE = 15


def facets(filterset: MarketplaceFilter, visible: QuerySet) -> tuple[list[Facet], int]:
    """Every facet with its counts, and the number of services matching all
    filters (the sum of the Type counts of the selected types)."""
    filterset.is_valid()  # invalid values are dropped from cleaned_data, not applied
    data = filterset.form.cleaned_data
    selected = {name: list(data.get(name) or []) for name, *_ in FACET_FIELDS}
    selected["tag"] = list(data.get("tag") or [])
    search = filterset.search
    base = visible.filter(search) if search is not None else visible

    def others_than(facet_name: str) -> QuerySet:
        queryset = base
        for name, field, *_ in FACET_FIELDS:
            if name != facet_name and selected[name]:
                queryset = queryset.filter(**{f"{field}__in": selected[name]})
        if facet_name != "tag" and selected["tag"]:
            queryset = queryset.filter(_has_any_tag(selected["tag"]))
        return queryset

    result = []
    total = 0
    for name, field, label, choices in FACET_FIELDS:
        counts = dict(
            others_than(name)
            .order_by()
            .values_list(field)
            .annotate(n=Count("pk"))
            .values_list(field, "n")
        )
        values = [
            FacetValue(value, text, counts.get(value, 0), value in selected[name])
            for value, text in choices
        ]
        if name == "type":
            total = sum(v.count for v in values if v.selected or not selected["type"])
        result.append(Facet(name, label, values))

    # The labels listed are the most used in the scope (a stable list that
    # does not jump as filters change); their counts follow the filters,
    # and a label with no match under them is shown disabled.
    tag_rows = (
        Tag.objects.filter(organization=filterset.organization)
        .annotate(
            in_scope=Count("services", filter=Q(services__in=visible.values("pk"))),
            n=Count("services", filter=Q(services__in=others_than("tag").values("pk"))),
        )
        .filter(Q(in_scope__gt=0) | Q(name__in=selected["tag"]))
        .order_by("-in_scope", "name")
        .values_list("name", "n")[: TAG_FACET_SIZE + len(selected["tag"])]
    )
    result.append(
        Facet(
            "tag",
            "Labels",
            [FacetValue(tag, tag, n, tag in selected["tag"]) for tag, n in tag_rows],
        )
    )
    return result, total
