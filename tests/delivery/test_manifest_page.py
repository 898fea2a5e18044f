"""The component.yaml page and section: who may save, what a bad file
looks like on screen, uploads, removal, and what delivery then gives."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from delivery.manifest import MANIFEST_MAX_BYTES
from delivery.models import ComponentManifest

from .conftest import CONFIG_URL, bearer

KWARGS = {"org": "acme", "project": "payments", "component": "checkout-api"}
PAGE_URL = reverse("delivery:component-yaml", kwargs=KWARGS)
REMOVE_URL = reverse("delivery:component-yaml-remove", kwargs=KWARGS)
COMPONENT_URL = reverse("console:component", kwargs=KWARGS)
PAYMENTS_REF = "thirdparty:Stripe API/v1"

VALID = f"""schemaVersion: "1.2"
dependencies:
  connectionReferences:
    - name: Payments
      resourceRef: {PAYMENTS_REF}
configurations:
  env:
    - name: STRIPE_KEY
      valueFrom:
        connectionRef:
          name: Payments
          key: ChoreoAPIKey
"""
# Line 4 names a connection Checkout API does not see.
UNKNOWN_CONNECTION = VALID.replace("name: Payments", "name: Hidden")


def _lines_between(content: str, line: int) -> str:
    """What the page shows from line ``line`` of the file to the next."""
    start = content.index(f'id="line-{line}"')
    end = content.find(f'id="line-{line + 1}"', start)
    return content[start : end if end > 0 else content.index("</tbody>", start)]


@pytest.mark.parametrize("persona", ["org_admin", "developer"])
def test_admins_and_developers_save_a_valid_file(
    request, login, delivery_world, component, persona
):
    user = request.getfixturevalue(persona)

    response = login(user).post(PAGE_URL, {"text": VALID})

    assert response.status_code == 302
    assert response["Location"] == PAGE_URL
    manifest = ComponentManifest.objects.get(component=component)
    assert manifest.text == VALID
    assert manifest.saved_by_name == user.get_username()
    assert manifest.declared == {
        "references": [{"name": "Payments", "resourceRef": PAYMENTS_REF}],
        "env": [{"name": "STRIPE_KEY", "connection": "Payments", "key": "ChoreoAPIKey"}],
    }
    page = login(user).get(PAGE_URL).content.decode()
    assert f"Saved by {user.get_username()}" in page
    assert "Saved component.yaml. Delivery now gives Checkout API the 1 connection" in page


def test_saving_again_replaces_the_file(login, developer, delivery_world, component):
    client = login(developer)
    client.post(PAGE_URL, {"text": VALID})

    client.post(PAGE_URL, {"text": 'schemaVersion: "1.1"\n'})

    manifest = ComponentManifest.objects.get(component=component)
    assert manifest.text == 'schemaVersion: "1.1"\n'
    assert manifest.declared == {"references": [], "env": []}


def test_a_viewer_sees_the_file_but_no_form_and_cannot_save(
    login, developer, viewer, delivery_world, component
):
    login(developer).post(PAGE_URL, {"text": VALID})

    client = login(viewer)
    page = client.get(PAGE_URL)
    refused = client.post(PAGE_URL, {"text": 'schemaVersion: "1.1"\n'})
    refused_remove = client.post(REMOVE_URL)

    assert page.status_code == 200
    content = page.content.decode()
    assert "STRIPE_KEY" in content
    assert 'name="text"' not in content
    assert "Remove component.yaml" not in content
    assert refused.status_code == 403
    assert refused_remove.status_code == 403
    assert ComponentManifest.objects.get(component=component).text == VALID


def test_a_member_of_another_organization_gets_404(login, outsider, delivery_world, component):
    client = login(outsider)

    assert client.get(PAGE_URL).status_code == 404
    assert client.post(PAGE_URL, {"text": VALID}).status_code == 404
    assert client.post(REMOVE_URL).status_code == 404
    assert not ComponentManifest.objects.exists()


def test_a_component_of_another_organization_is_404(login, developer, outsider, other_organization):
    from tests import factories

    secret_plans = factories.make_project(other_organization, "Secret Plans", "secret-plans")
    factories.make_component(secret_plans, "Doomsday Device", "doomsday-device")
    foreign = {"org": "globex", "project": "secret-plans", "component": "doomsday-device"}

    client = login(developer)

    assert client.get(reverse("delivery:component-yaml", kwargs=foreign)).status_code == 404
    assert (
        client.post(reverse("delivery:component-yaml", kwargs=foreign), {"text": VALID})
    ).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, component):
    response = client.get(PAGE_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_bad_file_is_kept_and_each_problem_shown_under_its_line(
    login, developer, delivery_world, component
):
    response = login(developer).post(PAGE_URL, {"text": UNKNOWN_CONNECTION})

    assert response.status_code == 200
    assert not ComponentManifest.objects.exists()
    content = html.unescape(response.content.decode())
    message = "This component sees no connection named “Hidden”. It sees: Directory, Payments."
    # The summary at the top, linking to the line.
    assert "2 problems: nothing was saved." in content
    assert f'<a href="#line-4">Line 4</a>: {message}' in content
    # Under line 4 of the numbered text, and not under another line.
    assert message in _lines_between(content, 4)
    assert message not in _lines_between(content, 3)
    # The env entry's connectionRef (line 11) names the same unseen connection.
    assert "“Hidden” (line 4) is no connection this component sees." in _lines_between(content, 11)
    # The text is kept in the text box, to be corrected there.
    assert f">\n{UNKNOWN_CONNECTION}</textarea>" in content


def test_text_that_is_not_yaml_is_shown_with_its_line(login, developer, delivery_world):
    text = 'schemaVersion: "1.2"\ndependencies:\n  connectionReferences: [Payments\n'

    content = html.unescape(login(developer).post(PAGE_URL, {"text": text}).content.decode())

    assert "1 problem: nothing was saved." in content
    assert "This is not valid YAML" in _lines_between(content, 3)


def test_an_uploaded_file_is_saved(login, developer, delivery_world, component):
    upload = SimpleUploadedFile("component.yaml", VALID.encode(), content_type="application/yaml")

    response = login(developer).post(PAGE_URL, {"text": "", "upload": upload})

    assert response.status_code == 302
    assert ComponentManifest.objects.get(component=component).text == VALID


def test_an_upload_replaces_the_text_and_its_problems_go_into_the_text_box(
    login, developer, delivery_world
):
    upload = SimpleUploadedFile("component.yaml", UNKNOWN_CONNECTION.encode("utf-8-sig"))

    response = login(developer).post(PAGE_URL, {"text": VALID, "upload": upload})

    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert not ComponentManifest.objects.exists()
    assert "sees no connection named “Hidden”" in _lines_between(content, 4)
    assert f">\n{UNKNOWN_CONNECTION}</textarea>" in content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"schemaVersion: \xff\xfe\n", "This file is not UTF-8 text."),
        (b"# x\n" * (MANIFEST_MAX_BYTES // 4 + 1), "A component.yaml may be at most 64 KB."),
    ],
)
def test_an_upload_that_cannot_be_read_is_refused_beside_the_field(
    login, developer, delivery_world, data, message
):
    upload = SimpleUploadedFile("component.yaml", data)

    response = login(developer).post(PAGE_URL, {"text": "", "upload": upload})

    assert response.status_code == 200
    assert not ComponentManifest.objects.exists()
    content = html.unescape(response.content.decode())
    field = content.index('id="id_upload"')
    assert message in content[field : field + 1000]


def test_pasted_text_over_the_limit_is_refused_beside_the_field(login, developer, delivery_world):
    text = 'schemaVersion: "1.2"\n' + "#" * MANIFEST_MAX_BYTES

    response = login(developer).post(PAGE_URL, {"text": text})

    content = response.content.decode()
    assert not ComponentManifest.objects.exists()
    field = content.index('id="id_text"')
    assert (
        "A component.yaml may be at most 64 KB." in content[field : field + MANIFEST_MAX_BYTES * 2]
    )


def test_nothing_sent_is_refused(login, developer, delivery_world):
    response = login(developer).post(PAGE_URL, {"text": "  "})

    assert response.status_code == 200
    assert "Paste the component.yaml or upload it." in response.content.decode()
    assert not ComponentManifest.objects.exists()


def test_remove_goes_back_to_delivering_every_connection(
    login, developer, delivery_world, component
):
    client = login(developer)
    client.post(PAGE_URL, {"text": VALID})

    response = client.post(REMOVE_URL)

    assert response.status_code == 302
    assert not ComponentManifest.objects.filter(component=component).exists()
    assert "every connection it sees again" in client.get(PAGE_URL).content.decode()


def test_remove_answers_only_post(login, developer, component):
    assert login(developer).get(REMOVE_URL).status_code == 405


def test_the_saved_file_is_checked_again_against_the_console(
    login, developer, delivery_world, component
):
    client = login(developer)
    client.post(PAGE_URL, {"text": VALID})
    delivery_world["shared"].delete()

    content = html.unescape(client.get(PAGE_URL).content.decode())

    assert "The saved file no longer matches the console (2 problems)" in content
    assert "This component sees no connection named “Payments”" in _lines_between(content, 4)


def test_the_component_page_shows_an_empty_state_then_the_saved_file(
    login, developer, viewer, delivery_world, component
):
    client = login(developer)
    empty = client.get(COMPONENT_URL).content.decode()
    client.post(PAGE_URL, {"text": VALID})
    saved = html.unescape(client.get(COMPONENT_URL).content.decode())
    for_viewer = login(viewer).get(COMPONENT_URL).content.decode()

    assert "No component.yaml saved: delivery gives this component every connection" in empty
    assert "+ Add component.yaml" in empty
    assert f"Saved by {developer.get_username()}" in saved
    assert PAYMENTS_REF in saved
    assert "<code>STRIPE_KEY</code> ← ChoreoAPIKey of Payments" in saved
    assert "View file" in for_viewer
    assert "Edit component.yaml" not in for_viewer


def test_delivery_then_gives_only_the_declared_connections_under_their_names(
    client, login, developer, delivery_world, issue_token
):
    login(developer).post(PAGE_URL, {"text": VALID})
    issued = issue_token()

    body = client.get(CONFIG_URL, {"format": "json"}, **bearer(issued.token)).json()

    assert [connection["name"] for connection in body["connections"]] == ["Payments"]
    assert "STRIPE_KEY" in body["variables"]
    assert "CHOREO_PAYMENTS_CHOREOAPIKEY" not in body["variables"]
    assert "CHOREO_PAYMENTS_SERVICEURL" in body["variables"]
    assert not any(name.startswith("CHOREO_DIRECTORY_") for name in body["variables"])
