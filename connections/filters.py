"""Search, filters and sorting of the Connections list."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from marketplace.models import ServiceKind

SORTS = {
    "name": ((Lower("name"), "pk"), "Name, A to Z"),
    "-name": ((Lower("name").desc(), "-pk"), "Name, Z to A"),
    "-created": (("-created_at", "-pk"), "Newest first"),
    "created": (("created_at", "pk"), "Oldest first"),
}
DEFAULT_SORT = "name"


class ConnectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    type = django_filters.ChoiceFilter(
        field_name="service__kind",
        choices=ServiceKind.choices,
        label="Type",
        empty_label="All types",
    )
    scope = django_filters.ChoiceFilter(
        method="filter_scope",
        choices=[("project", "Project"), ("component", "Component")],
        label="Scope",
        empty_label="All scopes",
    )
    components = django_filters.BooleanFilter(
        method="include_components",
        label="Include components' connections",
        widget=forms.CheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[(key, label) for key, (_, label) in SORTS.items()],
        label="Sort",
        empty_label=None,
    )

    def __init__(self, *args, at_component: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if at_component:
            # A component sees its own connections and its project's, never
            # another component's.
            del self.filters["components"]
        else:
            # At project level the list holds the project's connections, and
            # its components' when asked (the Scope filter would then repeat
            # the toggle).
            del self.filters["scope"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(description__icontains=value)
            | Q(service__name__icontains=value)
        )

    def include_components(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        # Unticked is False, not empty: the method runs and narrows the list.
        return queryset if value else queryset.filter(component__isnull=True)

    def filter_scope(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(component__isnull=(value == "project"))

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS.get(value, SORTS[DEFAULT_SORT])[0])

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        # An absent (or invalid, hence dropped) sort still gives a stable order.
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS[DEFAULT_SORT][0])
        return queryset
