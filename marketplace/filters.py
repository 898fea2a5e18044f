"""Marketplace search and filters (their counts are in facets.py), and the
filters of Dependencies > Third-Party Services.

Within one filter the values are alternatives (OR); across filters they all
apply (AND).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

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
        distinct=False,
        label="Type",
        widget=forms.CheckboxSelectMultiple,
    )
    visibility = django_filters.MultipleChoiceFilter(
        choices=Visibility.choices,
        label="Network Visibility",
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    service_type = django_filters.MultipleChoiceFilter(
        choices=ServiceType.choices,
        label="Service type",
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    tag = django_filters.MultipleChoiceFilter(
        method="filter_tags", label="Labels", widget=forms.CheckboxSelectMultiple, distinct=False
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        # Only the labels typed in this request need to exist; the facet
        # lists the organization's labels on its own.
        requested = self.data.getlist("tag") if hasattr(self.data, "getlist") else []
        # No label holds a NUL, and PostgreSQL refuses one in a query outright.
        wanted = [t[:40] for t in requested[:20] if "\x00" not in t]
        # Label name -> id, for the labels typed in this request that exist.
        self.tag_ids: dict[str, int] = dict(
            Tag.objects.filter(organization=organization, name__in=wanted).values_list("name", "pk")
        )
        self.filters["tag"].extra["choices"] = [(name, name) for name in self.tag_ids]

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # q and search_in act together, in ``search_condition`` below.
        return queryset

    def filter_tags(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(has_any_tag([self.tag_ids[name] for name in value]))

    @property
    def search(self) -> Q | None:
        """The text search (q in search_in), which ``qs`` leaves out: the
        facet counts and the page of cards each apply it their own way."""
        return self.search_condition()

    def search_condition(self, *, many: bool = False) -> Q | None:
        self.is_valid()
        data = self.form.cleaned_data
        return search_condition(data.get("q") or "", data.get("search_in") or "all", many=many)


def has_any_tag(tag_ids: list[int]) -> Q:
    # IN rather than a join: a service with two of the ticked labels must
    # still count, and show, once; and a rare label drives the query.
    return Q(pk__in=Service.tags.through.objects.filter(tag_id__in=tag_ids).values("service_id"))


class ThirdPartyServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    service_type = django_filters.ChoiceFilter(
        choices=ServiceType.choices, label="Service type", empty_label="All service types"
    )
    status = django_filters.ChoiceFilter(
        method="filter_status",
        choices=[("listed", "In the marketplace"), ("removed", "Removed from the marketplace")],
        label="Status",
        empty_label="Any status",
    )
    registered = django_filters.ChoiceFilter(
        method="filter_registered",
        choices=[("organization", "Whole organization"), ("project", "One project")],
        label="Registered for",
        empty_label="All",
    )

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A subquery, not a join: a join on tags would repeat services.
        tagged = Service.tags.through.objects.filter(tag__name__icontains=value)
        return queryset.filter(
            Q(name__icontains=value)
            | Q(summary__icontains=value)
            | Q(pk__in=tagged.values("service_id"))
        )

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(listed=(value == "listed"))

    def filter_registered(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(project__isnull=(value == "organization"))
