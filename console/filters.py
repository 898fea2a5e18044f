"""The activity log's filters: who, what kind of object, which action, and
from and to which day (both included, in the installation's time zone)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from .access import Scope
from .models import WRITER_ROLES, Action, ObjectKind

# Kinds of object that belong to the organization, never to a project:
# a project's log offers no filter for them.
ORGANIZATION_KINDS = frozenset({ObjectKind.ORGANIZATION, ObjectKind.MEMBER, ObjectKind.ENVIRONMENT})


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", max_length=100, strip=True)
    person = django_filters.ModelChoiceFilter(
        field_name="actor",
        queryset=get_user_model().objects.none(),
        label="Person",
        empty_label="Anyone",
    )
    kind = django_filters.ChoiceFilter(
        field_name="object_kind", choices=ObjectKind.choices, label="Kind", empty_label="Any kind"
    )
    action = django_filters.ChoiceFilter(
        choices=Action.choices, label="Action", empty_label="Any action"
    )
    since = django_filters.DateFilter(
        method="filter_since", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        method="filter_until", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, scope: Scope, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Scoped at request time: the organization's members who can write
        # (a Viewer never appears in the log), by name.
        self.filters["person"].queryset = (
            get_user_model()
            .objects.filter(
                memberships__organization_id=scope.organization.pk,
                memberships__role__in=WRITER_ROLES,
            )
            .order_by(Lower("username"), "pk")
        )
        if scope.project is not None:
            self.filters["kind"].extra["choices"] = [
                choice for choice in ObjectKind.choices if choice[0] not in ORGANIZATION_KINDS
            ]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Control characters mean nothing here, and PostgreSQL refuses NUL.
        value = "".join(ch for ch in value if ch.isprintable())
        return queryset.filter(object_name__icontains=value) if value else queryset

    def filter_since(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        # A range on created_at, not created_at__date, so the index serves it.
        if value <= date.min + timedelta(days=1):
            return queryset
        return queryset.filter(created_at__gte=_start_of(value))

    def filter_until(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        if value >= date.max - timedelta(days=1):
            return queryset
        return queryset.filter(created_at__lt=_start_of(value + timedelta(days=1)))
