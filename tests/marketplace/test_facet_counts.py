"""The maintained facet counts stay exact, whatever writes services.

A Hypothesis state machine publishes, registers, edits, unlists, relabels,
moves and deletes services through the console's service functions, the
ORM (as the Django admin does), ``QuerySet.update`` and bulk inserts; after
every step the maintained rows must equal a count made from scratch, and
on PostgreSQL each service's array of label ids (search.py) its labels.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from console.models import Organization
from marketplace import catalog_version, facet_count_triggers
from marketplace.models import FacetCount, Service, ServiceKind, ServiceType, Tag, Visibility
from marketplace.services import (
    internal_service_publish,
    service_delete,
    service_set_listed,
    third_party_service_register,
)
from tests import factories

LABELS = ["billing", "core", "people", "risk"]


def expected_cells() -> Counter:
    """Every cell counted in Python from the services themselves."""
    cells = Counter()
    for service in Service.objects.filter(listed=True).prefetch_related("tags"):
        org_wide = (service.kind == ServiceKind.THIRD_PARTY and service.project_id is None) or (
            service.kind == ServiceKind.INTERNAL and service.visibility != Visibility.PROJECT
        )
        audience = 0 if org_wide else service.project_id
        cell = (service.kind, service.visibility, service.service_type)
        for tag_id in [0, *(tag.pk for tag in service.tags.all())]:
            cells[(service.organization_id, audience, tag_id, *cell)] += 1
    return cells


def maintained_cells() -> Counter:
    rows = FacetCount.objects.exclude(n=0).values_list(
        "organization_id",
        "audience_project_id",
        "tag_id",
        "kind",
        "visibility",
        "service_type",
        "n",
    )
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


class CatalogWrites(RuleBasedStateMachine):
    @initialize()
    def scene(self) -> None:
        FacetCount.objects.all().delete()
        Service.objects.all().delete()
        Organization.objects.all().delete()
        self.organizations = [
            factories.make_organization("Acme Corp", "acme"),
            factories.make_organization("Globex", "globex"),
        ]
        self.projects = [
            factories.make_project(org, f"P{n}", f"p{n}")
            for org in self.organizations
            for n in range(2)
        ]
        self.components = [
            factories.make_component(project, f"C{n}", f"c{n}")
            for project in self.projects
            for n in range(2)
        ]
        self.counter = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _service(self, index: int) -> Service | None:
        services = list(Service.objects.order_by("pk"))
        return services[index % len(services)] if services else None

    @rule(
        component=st.integers(0, 7),
        visibility=st.sampled_from(Visibility.values),
        service_type=st.sampled_from(ServiceType.values),
        labels=st.lists(st.sampled_from(LABELS), max_size=3),
    )
    def publish(self, component, visibility, service_type, labels) -> None:
        internal_service_publish(
            component=self.components[component],
            endpoint_handle=f"e{self._next()}",
            endpoint_name="Endpoint",
            version="1.0.0",
            visibility=visibility,
            service_type=service_type,
            tags=labels,
        )

    @rule(
        organization=st.integers(0, 1),
        project=st.sampled_from([None, 0, 1]),
        labels=st.lists(st.sampled_from(LABELS), max_size=3),
    )
    def register(self, organization, project, labels) -> None:
        org = self.organizations[organization]
        third_party_service_register(
            organization=org,
            project=None if project is None else self.projects[organization * 2 + project],
            name=f"Vendor {self._next()}",
            version="1.0.0",
            tags=labels,
        )

    @rule(index=st.integers(0, 50), listed=st.booleans())
    def set_listed(self, index, listed) -> None:
        if service := self._service(index):
            service_set_listed(service=service, listed=listed)

    @rule(
        index=st.integers(0, 50),
        visibility=st.sampled_from(Visibility.values),
        service_type=st.sampled_from(ServiceType.values),
    )
    def edit_in_the_admin(self, index, visibility, service_type) -> None:
        # The admin saves every column of the row, changed or not.
        service = self._service(index)
        if service is None:
            return
        service.service_type = service_type
        if service.kind == ServiceKind.INTERNAL:
            service.visibility = visibility
        service.save()

    @rule(index=st.integers(0, 50), to_project=st.sampled_from([None, 0, 1]))
    def move_third_party(self, index, to_project) -> None:
        service = self._service(index)
        if service is None or service.kind != ServiceKind.THIRD_PARTY:
            return
        base = self.organizations.index(service.organization) * 2
        project = None if to_project is None else self.projects[base + to_project].pk
        Service.objects.filter(pk=service.pk).update(project_id=project)

    @rule(index=st.integers(0, 50), labels=st.lists(st.sampled_from(LABELS), max_size=4))
    def relabel(self, index, labels) -> None:
        service = self._service(index)
        if service is None:
            return
        tags = [
            Tag.objects.get_or_create(organization=service.organization, name=name)[0]
            for name in labels
        ]
        service.tags.set(tags)

    @rule(index=st.integers(0, 50))
    def delete(self, index) -> None:
        service = self._service(index)
        if service is not None:
            service_delete(service=service)

    @rule(label=st.sampled_from(LABELS))
    def delete_label(self, label) -> None:
        tag = Tag.objects.filter(name=label).first()
        if tag is not None:
            tag.delete()

    @rule(count=st.integers(1, 5))
    def bulk_insert_unlisted_everywhere(self, count) -> None:
        Service.objects.update(listed=False)
        Service.objects.bulk_create(
            Service(
                organization=self.organizations[0],
                kind=ServiceKind.THIRD_PARTY,
                name=f"Bulk {self._next()}",
                version="1.0.0",
                major=1,
            )
            for _ in range(count)
        )

    @rule()
    def delete_an_organization(self) -> None:
        # Its services, labels and counts go with it; the other's stay exact.
        self.organizations[1].delete()
        self.organizations[1] = factories.make_organization("Globex", "globex")
        self.projects[2:] = [
            factories.make_project(self.organizations[1], f"P{n}", f"p{n}") for n in range(2)
        ]
        self.components[4:] = [
            factories.make_component(project, f"C{n}", f"c{n}")
            for project in self.projects[2:]
            for n in range(2)
        ]

    @invariant()
    def counts_are_exact(self) -> None:
        assert maintained_cells() == expected_cells()

    @invariant()
    def labels_are_on_their_rows(self) -> None:
        """PostgreSQL: each service's array of label ids (search.py), which
        the search reads, is its labels, whatever wrote them."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, label_ids FROM marketplace_service")
            kept = {service_id: sorted(ids) for service_id, ids in cursor.fetchall()}
        labels = {
            service.pk: sorted(tag.pk for tag in service.tags.all())
            for service in Service.objects.prefetch_related("tags")
        }
        assert kept == labels


@pytest.mark.django_db
def test_it_keeps_the_counts_exact_through_every_kind_of_write() -> None:
    machine = CatalogWrites.TestCase
    machine.settings = settings(
        max_examples=25,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine().runTest()


@pytest.mark.django_db
def test_recount_rebuilds_what_the_triggers_keep(organization, project) -> None:
    factories.make_third_party_service(organization, "Stripe API")
    before = maintained_cells()
    FacetCount.objects.update(n=99)

    facet_count_triggers.recount()

    assert maintained_cells() == before == expected_cells()


@pytest.mark.django_db
def test_the_triggers_are_installed() -> None:
    # A migration that rebuilds marketplace_service on SQLite drops them.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        installed = {row[0] for row in cursor.fetchall()}
    assert set(facet_count_triggers.trigger_names(connection.vendor)) <= installed
    assert set(catalog_version.trigger_names(connection.vendor)) <= installed
