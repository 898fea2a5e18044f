"""The Activity pages (issue #15): the organization's for its Admins, each
project's for every member; filters, cursor paging, the CSV export, and a
page's cost that does not grow with its events."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.services import connection_create, connection_delete, connection_update
from console.activity import record
from console.models import Action, ActivityEvent, ObjectKind
from console.services import projects
from tests import factories


def _org_url(organization, view: str = "activity") -> str:
    return reverse(f"console:{view}", args=[organization.handle])


def _project_url(project, view: str = "project-activity") -> str:
    return reverse(f"console:{view}", args=[project.organization.handle, project.handle])


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def history(organization, project, org_admin, developer):
    """A project with a connection made, renamed and another deleted; a
    second project with a component; an environment."""
    stripe = factories.make_third_party_service(organization)
    pay = connection_create(project=project, service=stripe, name="Pay", created_by=developer)
    connection_update(connection=pay, name="Payments", description="", actor=developer)
    gone = connection_create(project=project, service=stripe, name="Gone", created_by=developer)
    connection_delete(connection=gone, actor=org_admin)
    hr = projects.project_create(organization=organization, name="HR", actor=org_admin)
    projects.component_create(project=hr, name="Directory", type="service", actor=org_admin)
    return {"stripe": stripe, "pay": pay, "gone": gone, "hr": hr}


# --- Who sees what ---


def test_an_admin_reads_the_organizations_activity(login, org_admin, history):
    page = login(org_admin).get(_org_url(history["hr"].organization)).content.decode()

    assert "Payments" in page and "Gone" in page and "Directory" in page
    assert "name: Pay → Payments" in page
    assert "in HR" in page


@pytest.mark.parametrize("persona", ["developer", "viewer"])
def test_other_members_are_refused_the_organizations_activity(
    request, login, organization, persona, history
):
    client = login(request.getfixturevalue(persona))

    assert client.get(_org_url(organization)).status_code == 403
    assert client.get(_org_url(organization, "activity-export")).status_code == 403


def test_a_viewer_reads_a_projects_activity_and_only_that_projects(login, viewer, project, history):
    page = login(viewer).get(_project_url(project)).content.decode()

    assert "Payments" in page and "Gone" in page
    assert "Directory" not in page  # HR's
    assert "Staging" not in page


def test_an_outsider_finds_no_activity(login, outsider, organization, project, history):
    client = login(outsider)

    for url in (
        _org_url(organization),
        _org_url(organization, "activity-export"),
        _project_url(project),
        _project_url(project, "project-activity-export"),
    ):
        assert client.get(url).status_code == 404, url


def test_a_deleted_connection_shows_with_its_last_state_and_no_link(login, org_admin, history):
    page = login(org_admin).get(_project_url(history["pay"].project)).content.decode()

    assert "Last state:" in page
    assert "service: Stripe API v1" in page
    pay_url = reverse(
        "connections:detail",
        kwargs={"org": "acme", "project": "payments", "connection_id": history["pay"].public_id},
    )
    assert f'href="{pay_url}"' in page
    assert str(history["gone"].public_id) not in page


# --- Filters ---


def test_it_filters_by_person_kind_action_and_name(login, org_admin, developer, history):
    client = login(org_admin)
    url = _org_url(history["hr"].organization)

    by_developer = client.get(url, {"person": developer.pk}).context["events"]
    assert {event.actor_name for event in by_developer} == {"dave"}
    components = client.get(url, {"kind": "component"}).context["events"]
    assert [event.object_name for event in components] == ["Directory"]
    deleted = client.get(url, {"action": "deleted"}).context["events"]
    assert [event.object_name for event in deleted] == ["Gone"]
    named = client.get(url, {"q": "payments", "kind": "connection"}).context["events"]
    assert [event.action for event in named] == ["renamed"]


def test_it_filters_by_day(login, org_admin, organization, history):
    old = ActivityEvent.objects.get(object_name="Directory")
    old.created_at = timezone.now() - timedelta(days=10)
    old.save(update_fields=["created_at"])
    day = timezone.localdate(old.created_at).isoformat()
    client = login(org_admin)

    only = client.get(_org_url(organization), {"since": day, "until": day}).context["events"]
    since_then = client.get(_org_url(organization), {"since": day}).context["events"]
    before = client.get(_org_url(organization), {"until": day}).context["events"]

    assert [event.object_name for event in only] == ["Directory"]
    assert len(since_then) == ActivityEvent.objects.filter(organization=organization).count()
    assert "Directory" in {event.object_name for event in before}
    assert "Payments" not in {event.object_name for event in before}


@pytest.mark.parametrize(
    ("params", "field", "kept"),
    [
        ({"person": "nobody"}, "person", None),
        ({"kind": "spaceship"}, "kind", None),
        ({"since": "2024-13-45"}, "since", 'value="2024-13-45"'),
        ({"until": "yesterday"}, "until", 'value="yesterday"'),
        ({"q": "x" * 300}, "q", None),
    ],
)
def test_bad_filters_say_why_next_to_the_field_and_keep_what_was_typed(
    login, org_admin, organization, history, params, field, kept
):
    response = login(org_admin).get(_org_url(organization), params)

    assert response.status_code == 200
    assert response.context["filter"].errors[field]
    page = response.content.decode()
    assert "invalid-feedback" in page
    if kept:
        assert kept in page


def test_the_filters_and_paging_survive_odd_input(login, org_admin, organization, history):
    client = login(org_admin)

    for params in (
        {"after": "not-a-cursor"},
        {"before": "e30"},
        {"after": "WyJ4IiwxXQ"},  # ["x",1]
        {"page": "-3", "q": "\x00"},
        {"since": "0001-01-01", "until": "9999-12-31"},
    ):
        assert client.get(_org_url(organization), params).status_code == 200, params


def test_only_writers_are_offered_as_people(login, org_admin, viewer, organization, history):
    form = login(org_admin).get(_org_url(organization)).context["filter"].form

    offered = {user.username for user in form.fields["person"].queryset}
    assert offered == {"alice", "dave"}


# --- Paging ---


def _events(organization, count: int, prefix: str = "Probe") -> None:
    start = timezone.now() - timedelta(hours=1)
    ActivityEvent.objects.bulk_create(
        ActivityEvent(
            organization=organization,
            object_kind=ObjectKind.PROJECT,
            object_id=str(n),
            object_name=f"{prefix} {n:03d}",
            action=Action.UPDATED,
            # Some share a moment: the id breaks the tie.
            created_at=start + timedelta(seconds=n // 2),
        )
        for n in range(count)
    )


def test_it_pages_by_cursor_and_stays_stable_when_events_arrive(login, org_admin, organization):
    _events(organization, 60)
    client = login(org_admin)
    url = _org_url(organization) + "?kind=project"

    first = client.get(url).context["page"]
    assert [e.object_name for e in first.rows][:2] == ["Probe 059", "Probe 058"]
    second_params = {"page": 2, "after": first.next_cursor}
    second = [e.object_name for e in client.get(url, second_params).context["page"].rows]
    record(
        organization=organization,
        actor=org_admin,
        kind=ObjectKind.PROJECT,
        object_id=999,
        object_name="Newcomer",
        action=Action.CREATED,
    )
    again = client.get(url, second_params).context["page"]

    assert [e.object_name for e in again.rows] == second
    assert second[0] == "Probe 034" and len(second) == 25
    third = client.get(url, {"page": 3, "after": again.next_cursor}).context["page"]
    assert [e.object_name for e in third.rows][-1] == "Probe 000"
    assert not third.has_next
    back = client.get(url, {"page": 2, "before": third.previous_cursor}).context["page"]
    assert [e.object_name for e in back.rows] == second
    page = client.get(url, second_params).content.decode()
    assert "Page 2" in page and "Page 2 of" not in page


def test_a_page_costs_the_same_whatever_it_shows(
    login, org_admin, organization, project, django_assert_max_num_queries
):
    client = login(org_admin)
    stripe = factories.make_third_party_service(organization)
    connection_create(project=project, service=stripe, name="Pay", created_by=org_admin)
    _events(organization, 2)
    with django_assert_max_num_queries(100) as few:
        client.get(_org_url(organization))
    for n in range(6):
        connection_create(project=project, service=stripe, name=f"Pay {n}", created_by=org_admin)
    _events(organization, 20, prefix="More")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_org_url(organization))

    assert len(response.context["events"]) == 25


def test_an_htmx_request_gets_the_results_only(login, org_admin, organization, history):
    response = login(org_admin).get(
        _org_url(organization), {"kind": "connection"}, headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="activity-results"')
    assert "<nav" not in page.split("activity-results")[0]


# --- The export ---


def test_it_exports_the_filtered_rows_as_csv(login, org_admin, organization, history):
    response = login(org_admin).get(
        _org_url(organization, "activity-export"), {"kind": "connection"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="activity-acme-')
    header, *rows = _rows(response)
    assert header == [
        "time",
        "person",
        "project",
        "kind",
        "object",
        "object id",
        "action",
        "changes",
        "details",
    ]
    assert {row[3] for row in rows} == {"Connection"}
    assert [row[4] for row in rows] == ["Gone", "Gone", "Payments", "Pay"]
    deleted = rows[0]
    assert (deleted[1], deleted[2], deleted[6]) == ("alice", "Payments", "Deleted")
    assert "service: Stripe API v1" in deleted[8]
    assert rows[2][7] == "name: Pay → Payments"


def test_a_projects_export_holds_that_project_only(login, viewer, project, history):
    response = login(viewer).get(_project_url(project, "project-activity-export"))

    _, *rows = _rows(response)
    assert rows and {row[2] for row in rows} == {"Payments"}


def test_the_export_keeps_spreadsheets_from_running_a_name(login, org_admin, organization):
    record(
        organization=organization,
        actor=org_admin,
        kind=ObjectKind.PROJECT,
        object_id=1,
        object_name='=HYPERLINK("http://evil.test")',
        action=Action.CREATED,
    )

    export = login(org_admin).get(_org_url(organization, "activity-export"), {"kind": "project"})
    _, row = _rows(export)

    assert row[4] == '\'=HYPERLINK("http://evil.test")'
