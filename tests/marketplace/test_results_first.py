"""Results first (#17, item 15): a search swapped in as one types gets its
page of cards without the facet counts, which its facet panel fetches from
their own URL; a whole page still counts them inline."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace import facets, paging
from marketplace.models import Service, ServiceKind, Tag

KWARGS = {"org": "acme", "project": "payments"}
URL = reverse("marketplace:browse", kwargs=KWARGS)
FACETS_URL = reverse("marketplace:browse-facets", kwargs=KWARGS)
HTMX = {"HX-Request": "true"}


def _bulk(organization, names: list[str], summary: str = "") -> None:
    Service.objects.bulk_create(
        Service(
            organization=organization,
            kind=ServiceKind.THIRD_PARTY,
            name=name,
            version="1.0.0",
            major=1,
            summary=summary,
        )
        for name in names
    )


@pytest.fixture
def vendors(organization, project):
    """Forty services named "Alpha …" and "Beta …" by turns, and a rare one."""
    names = [f"{'Alpha' if n % 2 else 'Beta'} vendor {n:02d}" for n in range(40)]
    _bulk(organization, [*names, "Zulu rarity"])
    billing = Tag.objects.create(organization=organization, name="billing")
    billing.services.add(*Service.objects.filter(name__startswith="Beta"))
    return names


def _names(response) -> list[str]:
    return [service.name for service in response.context["results"].services]


def test_an_htmx_search_answers_its_cards_before_any_count(login, developer, vendors):
    response = login(developer).get(f"{URL}?q=a", headers=HTMX)

    assert response.context["counts_pending"] is True
    assert response.context["results"].total is None
    content = response.content.decode()
    assert "Counting services…" in content
    panel = re.search(r'<div id="facet-panel"[^>]*>', content).group(0)
    assert f'hx-get="{FACETS_URL}?q=a"' in panel
    assert 'hx-trigger="load"' in panel
    # Its values are there to tick; their counts come with the panel's request.
    assert 'name="type" value="internal"' in content
    assert "facet-count-pending" in content
    assert "disabled" not in re.search(r'<input[^>]*value="internal"[^>]*>', content).group(0)


def test_the_panel_s_own_request_brings_the_counts_and_the_total(login, developer, vendors):
    response = login(developer).get(f"{FACETS_URL}?q=alpha", headers=HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="facet-panel"')
    assert "hx-trigger" not in re.search(r'<div id="facet-panel"[^>]*>', content).group(0)
    count = re.search(r'<p [^>]*id="browse-count"[^>]*>([^<]*)</p>', content)
    assert 'hx-swap-oob="true"' in count.group(0)
    assert count.group(1) == "20 services"


def test_a_whole_page_counts_inline_as_without_javascript(login, developer, vendors):
    response = login(developer).get(f"{URL}?q=a")

    assert response.context["counts_pending"] is False
    assert response.context["results"].total == 20
    assert "20 services" in response.content.decode()
    assert 'hx-trigger="load"' not in response.content.decode()


def test_counts_once_made_come_with_the_next_htmx_search(login, developer, vendors):
    client = login(developer)
    client.get(f"{FACETS_URL}?q=alpha", headers=HTMX)

    response = client.get(f"{URL}?q=alpha", headers=HTMX)

    assert response.context["counts_pending"] is False
    assert response.context["results"].total == 20


def test_the_first_search_reads_no_count_of_its_matches(login, developer, vendors, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("The page of results counted the matches.")

    monkeypatch.setattr(facets, "_cells_of", refuse)
    monkeypatch.setattr(facets._Counts, "_label_matches", refuse)
    for query in ("b", "be", "vendor", "zulu"):
        response = login(developer).get(f"{URL}?q={query}", headers=HTMX)
        assert response.status_code == 200
        assert response.context["counts_pending"] is True


@pytest.mark.parametrize("query", ["a", "al", "b", "alpha", "vendor", "zulu", "billing", "qx"])
def test_a_page_without_its_total_shows_the_cards_a_whole_page_shows(
    login, developer, vendors, query
):
    """One- and two-letter searches are walked card by card; longer ones read
    their matches: either way the cards and their order are the page's."""
    client = login(developer)
    expected, url = [], f"{URL}?q={query}"
    while url:
        page = client.get(url).context["results"]
        expected += [service.name for service in page.services]
        url = f"{URL}?q={query}&page={page.next_page_number}&after={page.next_cursor}"
        url = url if page.has_next else None

    walked, url, pages = [], f"{URL}?q={query}", []
    while url:
        page = client.get(url, headers=HTMX).context["results"]
        pages.append(page)
        walked += [service.name for service in page.services]
        url = f"{URL}?q={query}&page={page.next_page_number}&after={page.next_cursor}"
        url = url if page.has_next else None

    assert walked == expected
    # Previous from the last page walks back to the one before.
    if len(pages) > 1:
        last = pages[-1]
        back = client.get(
            f"{URL}?q={query}&page={last.previous_page_number}&before={last.previous_cursor}",
            headers=HTMX,
        ).context["results"]
        assert [s.name for s in back.services] == [s.name for s in pages[-2].services]


def test_a_sparse_short_search_falls_back_to_its_matches(
    login, developer, organization, project, monkeypatch
):
    """Past the walk's window without a page of matches, the page is read
    off the matches instead: it still finds them."""
    monkeypatch.setattr(paging, "WALK_WINDOW", 10)
    _bulk(organization, [f"Common {n:02d}" for n in range(30)] + ["Qx rare one"])
    response = login(developer).get(f"{URL}?q=qx", headers=HTMX)
    assert _names(response) == ["Qx rare one"]


def test_two_labels_ticked_also_count_later(login, developer, vendors, organization):
    Tag.objects.create(organization=organization, name="core")
    response = login(developer).get(f"{URL}?tag=billing&tag=core", headers=HTMX)
    assert response.context["counts_pending"] is True
    assert len(_names(response)) == paging.PAGE_SIZE


def test_a_page_by_number_alone_is_counted_first(login, developer, vendors):
    response = login(developer).get(f"{URL}?q=vendor&page=3", headers=HTMX)
    assert response.context["counts_pending"] is False
    assert response.context["results"].number == 3


def test_the_facets_url_is_the_scope_s_own(login, developer, outsider, component, vendors):
    assert login(outsider).get(FACETS_URL).status_code == 404
    at_component = reverse(
        "marketplace:browse-facets", kwargs={**KWARGS, "component": component.handle}
    )
    assert login(developer).get(at_component).status_code == 200


@pytest.mark.parametrize("query", ["q=%00", "q=" + "a" * 500, "labels=all&label_q=%00", "page=x"])
def test_odd_input_to_the_facets_never_fails(login, developer, vendors, query):
    assert login(developer).get(f"{FACETS_URL}?{query}", headers=HTMX).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "q=a",
        "q=b&search_in=label",
        "q=a&search_in=name&type=third-party",
        "q=v&search_in=content",
        "q=i&tag=billing",
        "q=a&tag=billing&tag=ledger",
        "q=l&service_type=rest",
    ],
)
def test_a_short_prefix_is_counted_as_any_search_is(
    login, developer, vendors, organization, query, monkeypatch
):
    """A one- or two-letter prefix that most services match is counted
    reading every service once (search.scan_condition, labels by their
    rows): the same counts as the matches gathered first."""
    ledger = Tag.objects.create(organization=organization, name="ledger")
    ledger.services.add(*Service.objects.filter(name__endswith="3"))
    Service.objects.filter(name__startswith="Alpha vendor 1").update(summary="Invoices")
    client = login(developer)
    monkeypatch.setattr(facets.search_module, "many_matches", lambda *args: True)

    def counted() -> dict:
        response = client.get(f"{FACETS_URL}?{query}", headers=HTMX).content.decode()
        found = re.findall(
            r'value="([^"]+)" id="facet-[^"]+"[^>]*>.*?facet-count">(\d+)<', response, re.S
        )
        total = re.search(r'id="browse-count"[^>]*>([^<]*)<', response).group(1)
        return {"values": found, "total": total}

    short = counted()
    cache.clear()
    monkeypatch.setattr(facets.search_module, "is_short", lambda text: False)
    assert counted() == short
    assert short["values"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's one pass only")
@pytest.mark.parametrize(
    "query",
    [
        "q=a",
        "q=al",
        "q=vendor",
        "q=bill",
        "q=led&search_in=label",
        "q=inv&search_in=content",
        "q=a&tag=billing",
        "q=a&tag=billing&tag=ledger",
        "q=v&type=third-party&service_type=rest",
        "q=v&labels=all",
    ],
)
def test_postgresql_counts_a_search_in_one_pass_as_from_its_matches(
    login, developer, vendors, organization, query, monkeypatch
):
    """On PostgreSQL a text search's cells and label counts are read in one
    query off the rows' own columns (facets._Counts.cells_and_labels, the
    labels' array of search.py): the same counts as gathering the matches'
    ids first, and one query over the services instead of three."""
    ledger = Tag.objects.create(organization=organization, name="ledger")
    ledger.services.add(*Service.objects.filter(name__endswith="3"))
    Service.objects.filter(name__startswith="Alpha vendor 1").update(summary="Invoices")
    client = login(developer)

    def counted() -> tuple[dict, list[str]]:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{FACETS_URL}?{query}", headers=HTMX).content.decode()
        found = re.findall(
            r'value="([^"]+)" id="facet-[^"]+"[^>]*>.*?facet-count">(\d+)<', response, re.S
        )
        total = re.search(r'id="browse-count"[^>]*>([^<]*)<', response).group(1)
        services = [q["sql"] for q in queries if 'FROM "marketplace_service"' in q["sql"]]
        return {"values": found, "total": total}, services

    one_pass, read_once = counted()
    monkeypatch.setattr(facets._Counts, "one_pass", property(lambda counts: False))
    gathered, _ = counted()

    assert one_pass == gathered
    assert one_pass["values"]
    assert len(read_once) == 1 and "label_ids" in read_once[0]
