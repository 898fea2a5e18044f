"""The Labels facet lists the most used labels, and every label on request
("Show all labels"), with a search of their names (#17, item 14)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from marketplace import facets
from marketplace.models import Service, ServiceKind, Tag

URL = reverse("marketplace:browse", kwargs={"org": "acme", "project": "payments"})
FACETS_URL = reverse("marketplace:browse-facets", kwargs={"org": "acme", "project": "payments"})


def _labelled(organization, count: int) -> None:
    """``count`` labels, label n on n + 1 services (the most used last)."""
    Service.objects.bulk_create(
        Service(
            organization=organization,
            kind=ServiceKind.THIRD_PARTY,
            name=f"Vendor {n:03d}",
            version="1.0.0",
            major=1,
        )
        for n in range(count + 1)
    )
    services = list(Service.objects.filter(organization=organization).order_by("name"))
    for n in range(count):
        tag = Tag.objects.create(organization=organization, name=f"label-{n:03d}")
        tag.services.add(*services[: n + 1])


def _labels(response) -> list[str]:
    facet = next(f for f in response.context["facets"] if f.name == "tag")
    return [value.value for value in facet.values]


@pytest.fixture
def labelled(organization, project):
    _labelled(organization, 40)


def test_it_lists_the_most_used_labels_and_offers_them_all(login, developer, labelled):
    response = login(developer).get(URL)

    assert _labels(response) == [f"label-{n:03d}" for n in range(39, 24, -1)]
    link = re.search(r'<a [^>]*id="show-all-labels"[^>]*>', response.content.decode()).group(0)
    assert 'href="/orgs/acme/projects/payments/marketplace/?labels=all"' in link


def test_show_all_lists_every_label(login, developer, labelled):
    response = login(developer).get(f"{URL}?labels=all")

    assert sorted(_labels(response)) == [f"label-{n:03d}" for n in range(40)]
    content = response.content.decode()
    assert 'id="show-all-labels"' not in content
    assert 'name="label_q"' in content and 'name="labels" value="all"' in content


def test_the_label_search_narrows_the_list_and_keeps_what_is_ticked(login, developer, labelled):
    response = login(developer).get(f"{URL}?labels=all&label_q=LABEL-00&tag=label-039")

    assert sorted(_labels(response)) == [*(f"label-00{n}" for n in range(10)), "label-039"]
    # the ticked label still filters the cards, and its box stays in the form
    assert response.context["results"].total == 40
    assert 'value="label-039" id="facet-tag-1" checked' in response.content.decode()


def test_a_search_for_no_label_says_so(login, developer, labelled):
    response = login(developer).get(f"{URL}?labels=all&label_q=nothing")
    assert _labels(response) == []
    assert "No label holds “nothing”." in response.content.decode()


def test_the_label_search_applies_only_when_all_are_shown(login, developer, labelled):
    response = login(developer).get(f"{URL}?label_q=label-00")
    assert len(_labels(response)) == facets.TAG_FACET_SIZE


def test_beyond_the_cap_it_says_to_search(login, developer, labelled, monkeypatch):
    monkeypatch.setattr(facets, "ALL_LABELS_AT_MOST", 30)
    response = login(developer).get(f"{URL}?labels=all")
    assert len(_labels(response)) == 30
    assert 'id="labels-capped"' in response.content.decode()


def test_the_facet_panel_answers_the_same_labels(login, developer, labelled):
    client = login(developer)
    page = client.get(f"{URL}?labels=all&label_q=label-01").content.decode()
    panel = client.get(
        f"{FACETS_URL}?labels=all&label_q=label-01", headers={"HX-Request": "true"}
    ).content.decode()

    def listed(html: str) -> list[str]:
        return re.findall(r'name="tag" value="([^"]+)"', html)

    assert listed(panel) == listed(page) == [f"label-01{n}" for n in range(9, -1, -1)]


def test_showing_every_label_costs_the_same_queries(
    login, developer, organization, project, django_assert_max_num_queries
):
    _labelled(organization, 20)
    client = login(developer)
    client.get(f"{URL}?labels=all&q=vendor")
    with django_assert_max_num_queries(20) as few:
        client.get(f"{URL}?labels=all&q=vendor&search_in=name")
    Tag.objects.bulk_create(Tag(organization=organization, name=f"more-{n}") for n in range(300))
    for tag in Tag.objects.filter(name__startswith="more-"):
        tag.services.add(Service.objects.filter(organization=organization).first())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"{URL}?labels=all&q=vendor&search_in=content")
    assert len(_labels(response)) == facets.ALL_LABELS_AT_MOST


@pytest.mark.parametrize("label_q", ["%00", "%", "_", "'", "x" * 300, "<b>"])
def test_odd_label_searches_never_fail(login, developer, labelled, label_q):
    response = login(developer).get(f"{URL}?labels=all&label_q={label_q}")
    assert response.status_code == 200
    assert "<b>" not in response.content.decode().split('id="facet-panel"')[1].split("</form>")[0]
