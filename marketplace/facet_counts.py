"""Maintained marketplace counts: how many listed services fall in each cell.

A cell is (organization, audience, label, type, network visibility, service
type). The *audience* says who sees the service: 0 for the whole
organization (Public and Organization internal services, organization-level
third-party services), otherwise the id of the one project that sees it
(Project-visible internal services, project-level third-party services).
The label is 0 for the row that counts every service, otherwise a tag id.

What a project sees is then the sum of its audience's rows and audience 0's:
at most a few dozen rows per label, whatever the number of services, which is
how the marketplace shows exact facet counts at 200,000 services without
scanning them. The rows are kept by the database triggers of
facet_count_triggers.py; this module only reads them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import OuterRef, Q, Subquery, Sum

from .models import FacetCount, Service, Tag

CellKey = tuple[str, str, str]  # kind, visibility, service_type


def _audiences(organization_id: int, project_id: int | None) -> Q:
    audiences = [0] if project_id is None else [0, project_id]
    return Q(organization_id=organization_id, audience_project_id__in=audiences)


def cells(organization_id: int, project_id: int | None, *, tag_id: int = 0) -> Counter[CellKey]:
    """Listed services visible at the organization (``project_id`` None) or
    project level, per (kind, visibility, service_type); with ``tag_id``,
    only those carrying that label."""
    rows = (
        FacetCount.objects.filter(_audiences(organization_id, project_id), tag_id=tag_id)
        .values_list("kind", "visibility", "service_type")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return Counter({(kind, vis, stype): n for kind, vis, stype, n in rows if n})


def label_counts(
    organization_id: int,
    project_id: int | None,
    *,
    matching: Q,
    limit: int,
    include: Iterable[int] = (),
    name_contains: str = "",
) -> list[tuple[int, str, int, int]]:
    """The labels of the scope, most used first: (tag id, name, services in
    the scope, those of them that also match ``matching``, a filter on kind,
    visibility and service_type); with ``name_contains``, those whose name
    holds it (any case). Labels in ``include`` are listed even when no
    service in the scope carries them, or their name does not match."""
    include = list(include)
    rows = FacetCount.objects.filter(_audiences(organization_id, project_id), tag_id__gt=0)
    if name_contains:
        named = Tag.objects.filter(
            organization_id=organization_id, name__icontains=name_contains
        ).values("pk")
        rows = rows.filter(Q(tag_id__in=named) | Q(tag_id__in=include))
    rows = (
        rows.values("tag_id")
        .annotate(
            in_scope=Sum("n"),
            matching=Sum("n", filter=matching) if matching else Sum("n"),
            name=Subquery(Tag.objects.filter(pk=OuterRef("tag_id")).values("name")),
        )
        .filter(Q(in_scope__gt=0) | Q(tag_id__in=include))
        .order_by("-in_scope", "name")
        .values_list("tag_id", "name", "in_scope", "matching")[: limit + len(include)]
    )
    found = [(tag_id, name, in_scope, matching or 0) for tag_id, name, in_scope, matching in rows]
    # A ticked label no service in the scope carries has no row at all.
    missing = set(include) - {row[0] for row in found}
    if missing:
        found += [
            (tag.pk, tag.name, 0, 0)
            for tag in Tag.objects.filter(pk__in=missing, organization_id=organization_id)
        ]
    return found


def own_services(component_id: int) -> tuple[Counter[CellKey], Counter[tuple[int, CellKey]]]:
    """A component's own listed services, which its marketplace leaves out:
    their cells, and their cells per label. A handful of rows."""
    whole, per_label = Counter(), Counter()
    rows = Service.objects.filter(provider_component_id=component_id, listed=True).values_list(
        "pk", "kind", "visibility", "service_type", "tags"
    )
    seen = set()
    for pk, kind, visibility, service_type, tag_id in rows:
        cell = (kind, visibility, service_type)
        if pk not in seen:
            seen.add(pk)
            whole[cell] += 1
        if tag_id is not None:
            per_label[(tag_id, cell)] += 1
    return whole, per_label
