"""Edit and Delete on the connection page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from connections.history import history_of
from connections.models import Connection
from connections.services import connection_create
from console.models import Action, ActivityEvent
from marketplace.models import Visibility
from tests import factories


@pytest.fixture
def scene(organization, project, component, developer):
    storefront = factories.make_component(project, "Storefront", "storefront")
    hr = factories.make_project(organization, "HR", "hr")
    employees = factories.make_internal_service(
        factories.make_component(hr, "Employee Service", "employee-service"),
        "employees",
        Visibility.ORGANIZATION,
    )
    datadog = factories.make_third_party_service(organization, "Datadog")
    factories.add_endpoint(datadog, "EU1", "https://eu.datadog.test", ["development", "production"])
    factories.add_endpoint(datadog, "US1", "https://us.datadog.test", ["development", "production"])
    factories.add_endpoint(datadog, "Staging", "https://staging.datadog.test", ["development"])

    def create(name, service, component=None):
        return connection_create(
            project=project, component=component, service=service, name=name, created_by=developer
        )

    return {
        "storefront": storefront,
        "datadog": datadog,
        "staff": create("Staff", employees, storefront),
        "metrics": create("Metrics", datadog),
        "other": create("Pay-roll", employees),
    }


def _url(name, connection, component=None):
    kwargs = {"org": "acme", "project": "payments", "connection_id": connection.public_id}
    if component:
        kwargs["component"] = component
    return reverse(f"connections:{name}", kwargs=kwargs)


def _endpoint(service, name):
    return service.endpoints.get(name=name)


def _field_block(page: str, field: str) -> str:
    """The markup crispy renders for one field: its label, input and errors."""
    start = page.index(f'id="div_id_{field}"')
    following = page.find('id="div_id_', start + 1)
    return page[start : following if following != -1 else len(page)]


def _metrics_form(scene, **changes):
    data = {
        "name": "Metrics",
        "description": "",
        "endpoint_development": _endpoint(scene["datadog"], "EU1").pk,
        "endpoint_production": _endpoint(scene["datadog"], "EU1").pk,
    }
    return data | changes


def test_it_shows_the_edit_form_with_the_current_values(login, developer, scene):
    response = login(developer).get(_url("edit", scene["staff"], "storefront"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="name"' in page
    assert 'value="Staff"' in page
    assert "Environment to Endpoint Mapping" not in page  # internal: nothing to map


def test_it_offers_only_the_endpoints_that_serve_each_environment(login, developer, scene):
    page = login(developer).get(_url("edit", scene["metrics"])).content.decode()

    assert "Environment to Endpoint Mapping" in page
    development = _field_block(page, "endpoint_development")
    production = _field_block(page, "endpoint_production")
    assert re.findall(r">(\w+) \(", development) == ["EU1", "Staging", "US1"]
    assert re.findall(r">(\w+) \(", production) == ["EU1", "US1"]
    assert "No endpoint" in production
    selected = re.search(r'<option value="(\d+)" selected', production).group(1)
    assert int(selected) == _endpoint(scene["datadog"], "EU1").pk


def test_it_saves_a_rename_and_a_new_description(login, developer, scene):
    response = login(developer).post(
        _url("edit", scene["staff"], "storefront"),
        {"name": " Staff directory ", "description": "Who works where"},
    )

    assert response.status_code == 302
    assert response["Location"] == _url("detail", scene["staff"], "storefront")
    staff = Connection.objects.get(pk=scene["staff"].pk)
    assert (staff.name, staff.description, staff.variable_stem) == (
        "Staff directory",
        "Who works where",
        "STAFF_DIRECTORY",
    )
    actions = set(history_of(staff).values_list("action", flat=True))
    assert {Action.RENAMED, Action.DESCRIPTION_CHANGED} <= actions


def test_it_saves_a_new_mapping(login, developer, scene):
    datadog = scene["datadog"]

    response = login(developer).post(
        _url("edit", scene["metrics"]),
        _metrics_form(
            scene,
            endpoint_development=_endpoint(datadog, "Staging").pk,
            endpoint_production="",
            # Sent by the warning the page showed beside "No endpoint".
            no_endpoint_in=["production"],
        ),
    )

    assert response.status_code == 302
    mapping = {b.environment.handle: b.endpoint for b in scene["metrics"].bindings.all()}
    assert mapping == {"development": _endpoint(datadog, "Staging"), "production": None}
    event = ActivityEvent.objects.get(action=Action.MAPPING_CHANGED)
    assert event.changes["Production"] == ["EU1", None]
    detail = login(developer).get(response["Location"]).content.decode()
    assert "No endpoint is mapped to Production." in detail


def test_it_warns_before_it_leaves_an_environment_without_an_endpoint(login, developer, scene):
    client = login(developer)
    form = _metrics_form(scene, endpoint_production="")

    refused = client.post(_url("edit", scene["metrics"]), form)

    assert refused.status_code == 200
    assert refused.context["form"].errors["endpoint_production"] == [
        "No endpoint in Production: the connection would be Pending there. Choose an "
        "endpoint, or click Save again to save it without one."
    ]
    page = refused.content.decode()
    # The warning is on the page now, with the input that confirms it.
    assert 'id="no-endpoint-production"' in page
    assert 'name="no_endpoint_in" value="production"' in page
    assert scene["metrics"].bindings.get(environment__handle="production").endpoint is not None

    saved = client.post(_url("edit", scene["metrics"]), form | {"no_endpoint_in": "production"})

    assert saved.status_code == 302
    assert scene["metrics"].bindings.get(environment__handle="production").endpoint is None


def test_it_does_not_ask_again_for_an_environment_that_had_no_endpoint(login, developer, scene):
    client = login(developer)
    client.post(
        _url("edit", scene["metrics"]),
        _metrics_form(scene, endpoint_production="", no_endpoint_in="production"),
    )

    response = client.post(
        _url("edit", scene["metrics"]),
        _metrics_form(scene, endpoint_production="", description="Still none in Production"),
    )

    assert response.status_code == 302


def test_it_says_when_nothing_changed(login, developer, scene):
    client = login(developer)

    response = client.post(_url("edit", scene["metrics"]), _metrics_form(scene), follow=True)

    assert "Nothing was changed." in response.content.decode()
    assert not history_of(scene["metrics"]).exclude(action=Action.CREATED).exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ab", "at least 3 characters"),
        ("PAY-ROLL", "“Pay-roll” already exists in this project"),
        ("Pay roll", "CHOREO_PAY_ROLL_SERVICEURL"),
        ("a" * 5000, "at most 50 characters"),
        ("Ünïcødé ✓", "may only use ASCII letters"),
        ("<script>x</script>", "“&lt;” is not one of them"),
        ("Nul\x00led", "Null characters are not allowed"),
    ],
)
def test_it_shows_the_error_next_to_the_name_and_keeps_what_was_typed(
    login, developer, scene, name, message
):
    response = login(developer).post(
        _url("edit", scene["staff"], "storefront"),
        {"name": name, "description": "Kept <b>as typed</b>"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert message in _field_block(page, "name")
    assert "Kept &lt;b&gt;as typed&lt;/b&gt;" in page
    if "\x00" not in name:
        assert name[:50].replace("<", "&lt;").replace(">", "&gt;") in page
    assert Connection.objects.get(pk=scene["staff"].pk).name == "Staff"


def test_it_refuses_an_endpoint_that_does_not_serve_the_environment(login, developer, scene):
    staging = _endpoint(scene["datadog"], "Staging")

    response = login(developer).post(
        _url("edit", scene["metrics"]), _metrics_form(scene, endpoint_production=staging.pk)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in _field_block(response.content.decode(), "endpoint_production")
    assert scene["metrics"].bindings.get(environment__handle="production").endpoint.name == "EU1"


@pytest.mark.parametrize("junk", ["x", "-1", "99999999999999999999999", "1\x00"])
def test_it_refuses_junk_endpoint_ids(login, developer, scene, junk):
    response = login(developer).post(
        _url("edit", scene["metrics"]), _metrics_form(scene, endpoint_development=junk)
    )

    assert response.status_code == 200
    block = _field_block(response.content.decode(), "endpoint_development")
    assert "Select a valid choice" in block or "Null characters are not allowed" in block


def test_it_refuses_a_description_that_is_too_long(login, developer, scene):
    response = login(developer).post(
        _url("edit", scene["staff"], "storefront"), {"name": "Staff", "description": "d" * 1001}
    )

    assert response.status_code == 200
    assert "at most 1000 characters" in _field_block(response.content.decode(), "description")


def test_it_edits_a_project_connection_from_a_component_url(login, developer, scene):
    response = login(developer).post(
        _url("edit", scene["metrics"], "storefront"), _metrics_form(scene, name="Observability")
    )

    assert response.status_code == 302
    assert response["Location"] == _url("detail", scene["metrics"], "storefront")
    assert Connection.objects.get(pk=scene["metrics"].pk).name == "Observability"


def test_it_refuses_edit_and_delete_to_a_viewer(login, viewer, scene):
    client = login(viewer)
    staff = scene["staff"]

    assert client.get(_url("edit", staff, "storefront")).status_code == 403
    assert client.post(_url("edit", staff, "storefront"), {"name": "Hacked"}).status_code == 403
    assert client.get(_url("delete", staff, "storefront")).status_code == 403
    assert client.post(_url("delete", staff, "storefront")).status_code == 403
    staff.refresh_from_db()
    assert staff.name == "Staff"


def test_it_asks_before_deleting(login, developer, scene):
    response = login(developer).get(_url("delete", scene["staff"], "storefront"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Delete the connection “Staff”?" in page
    assert "CHOREO_STAFF_SERVICEURL" in page
    assert "Its history stays in the project's activity log." in page
    assert Connection.objects.filter(pk=scene["staff"].pk).exists()


def test_it_deletes_and_returns_to_the_list(login, developer, scene):
    staff = scene["staff"]
    client = login(developer)

    response = client.post(_url("delete", staff, "storefront"))

    list_url = reverse(
        "connections:list", kwargs={"org": "acme", "project": "payments", "component": "storefront"}
    )
    assert response.status_code == 302
    assert response["Location"] == list_url
    assert not Connection.objects.filter(pk=staff.pk).exists()
    assert history_of(staff).filter(action=Action.DELETED).exists()
    page = client.get(list_url).content.decode()
    assert "The connection “Staff” was deleted." in page
    assert client.get(_url("detail", staff, "storefront")).status_code == 404


@pytest.mark.parametrize("view", ["edit", "delete"])
def test_it_refuses_a_write_without_a_csrf_token(developer, scene, view):
    client = Client(enforce_csrf_checks=True)
    client.force_login(developer)

    response = client.post(_url(view, scene["staff"], "storefront"), {"name": "Other"})

    assert response.status_code == 403
    assert Connection.objects.get(pk=scene["staff"].pk).name == "Staff"
