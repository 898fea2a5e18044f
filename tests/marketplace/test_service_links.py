"""Getting around from a service's page (#17, item 14): "Published by" links
to the publishing component and project, and the API definition downloads
as a file."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.models import Visibility
from tests import factories

OPENAPI_JSON = '{"openapi": "3.0.0", "info": {"title": "Pay"}, "paths": {}}\n'
OPENAPI_YAML = "openapi: 3.0.0\ninfo:\n  title: Pay\npaths: {}\n"
GRAPHQL = "type Query {\n  hello: String\n}\n"
PROTO = 'syntax = "proto3";\nservice Pay { rpc Charge (A) returns (B); }\n'
WSDL = '<?xml version="1.0"?>\n<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>\n'


def download_url(service, project: str = "payments") -> str:
    return reverse(
        "marketplace:service-definition-download",
        kwargs={"org": "acme", "project": project, "service_id": service.pk},
    )


@pytest.mark.parametrize(
    ("text", "content_type", "extension"),
    [
        (OPENAPI_JSON, "application/json", "json"),
        (OPENAPI_YAML, "application/yaml; charset=utf-8", "yaml"),
        (GRAPHQL, "text/plain; charset=utf-8", "graphql"),
        (PROTO, "text/plain; charset=utf-8", "proto"),
        (WSDL, "application/wsdl+xml; charset=utf-8", "wsdl"),
        ("just some notes\n", "text/plain; charset=utf-8", "txt"),
    ],
)
def test_it_downloads_the_definition_as_a_file_of_its_format(
    login, viewer, organization, project, text, content_type, extension
):
    service = factories.make_third_party_service(
        organization, "Stripe Payments API", version="2.1.0", api_definition=text
    )

    response = login(viewer).get(download_url(service))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="stripe-payments-api-v2.{extension}"'
    )
    assert response.content.decode() == text
    assert "no-store" in response["Cache-Control"]


def test_a_name_without_ascii_letters_still_gives_a_file_name(login, viewer, organization, project):
    service = factories.make_third_party_service(organization, "名前", api_definition=GRAPHQL)
    response = login(viewer).get(download_url(service))
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert ".graphql" in response["Content-Disposition"]


def test_the_tab_offers_the_download(login, viewer, organization, project):
    service = factories.make_third_party_service(organization, api_definition=OPENAPI_YAML)
    page_url = reverse(
        "marketplace:service",
        kwargs={"org": "acme", "project": "payments", "service_id": service.pk},
    )
    page = login(viewer).get(f"{page_url}?tab=definition").content.decode()
    assert f'href="{download_url(service)}" download' in page


def test_there_is_nothing_to_download_without_a_definition(login, viewer, organization, project):
    service = factories.make_third_party_service(organization)
    assert login(viewer).get(download_url(service)).status_code == 404


def test_a_service_out_of_sight_is_a_404(login, developer, outsider, organization, project):
    hr = factories.make_project(organization, "HR", "hr")
    hr_only = factories.make_third_party_service(
        organization, "Workday", project=hr, api_definition=GRAPHQL
    )
    assert login(developer).get(download_url(hr_only)).status_code == 404
    assert login(developer).get(download_url(hr_only, project="hr")).status_code == 200
    assert login(outsider).get(download_url(hr_only, project="hr")).status_code == 404


def test_published_by_links_the_component_and_its_project(login, viewer, organization, project):
    hr = factories.make_project(organization, "HR", "hr")
    employees = factories.make_component(hr, "Employee Service", "employee-service")
    service = factories.make_internal_service(employees, "directory", Visibility.ORGANIZATION)
    page_url = reverse(
        "marketplace:service",
        kwargs={"org": "acme", "project": "payments", "service_id": service.pk},
    )

    page = login(viewer).get(page_url).content.decode()

    component_url = reverse(
        "console:component",
        kwargs={"org": "acme", "project": "hr", "component": "employee-service"},
    )
    project_url = reverse("console:project", kwargs={"org": "acme", "project": "hr"})
    assert f'Published by <a href="{component_url}">Employee Service</a>' in page
    assert f'(<a href="{project_url}">HR</a>)' in page
