"""Hostile input: no input, however long, odd or hostile, produces a
server error, shows itself unescaped, or changes data it should not.

Property-based: Hypothesis sends unicode, control characters (NUL among
them), very long values, markup and SQL fragments to every query parameter
of every list and to the main forms. The test client re-raises a view's
exception, so a would-be 500 fails the property with its traceback.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connections.naming import validate_connection_name
from marketplace.models import Service
from tests.hostile_documents import (
    PATHOLOGICAL_OVERVIEWS,
    alias_bomb,
    aliased_string_everywhere,
    calls,
)
from tests.world import World, database_state

# Modest: the whole module runs in well under a minute. No example database:
# a failure prints its example, and the tests leave no files behind.
HOSTILE = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Markup whose appearance, unescaped, in a page means the input was echoed raw.
PROBES = ('<script>alert("hostile")</script>', '"><img src=x onerror=alert(1)>')
RAW_ECHOES = ('<script>alert("hostile")', "<img src=x onerror")

NASTY = [
    "\x00",
    "a\x00b",
    "\x1b[31m\x07\x08",
    "\r\n\t",
    "\u202eevil\u202c",
    "\ufeff",
    "🚀" * 60,
    "é" * 3000,
    "A" * 12_000,
    "' OR 1=1 --",
    "'; DROP TABLE connections_connection; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "%00",
    "NULL",
    "{{ 7|add:7 }}",
    "{% debug %}",
    "../../etc/passwd",
    "-1",
    "0",
    "9" * 5000,
    "1e308",
    "NaN",
    '"search"* OR name:*',
    "AND OR NOT ( ) * ^ ~",
    *PROBES,
]

hostile_text = st.one_of(
    st.sampled_from(NASTY),
    # Any unicode text, control characters included (surrogates cannot be
    # encoded in a URL or a form body at all).
    st.text(max_size=300),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=40)),
)
hostile_value = st.one_of(hostile_text, st.lists(hostile_text, min_size=1, max_size=3))

MARKETPLACE_PARAMS = (
    "q",
    "search_in",
    "type",
    "visibility",
    "service_type",
    "tag",
    "page",
    "after",
    "before",
)
A_PROJECT = "/orgs/acme/projects/payments/"
A_COMPONENT = A_PROJECT + "components/checkout-api/"
# Every list and menu of the console, with the query parameters it reads.
LISTS: dict[str, tuple[str, ...]] = {
    A_PROJECT + "connections/": ("q", "type", "scope", "sort", "page"),
    A_COMPONENT + "connections/": ("q", "type", "scope", "sort", "page"),
    "/orgs/acme/marketplace/": MARKETPLACE_PARAMS,
    A_PROJECT + "marketplace/": MARKETPLACE_PARAMS,
    A_COMPONENT + "marketplace/": MARKETPLACE_PARAMS,
    A_PROJECT + "connections/create/": MARKETPLACE_PARAMS,
    A_COMPONENT + "connections/create/": MARKETPLACE_PARAMS,
    "/orgs/acme/third-party-services/": ("q", "service_type", "status", "registered", "page"),
    A_PROJECT + "third-party-services/": ("q", "service_type", "status", "registered", "page"),
    "/menus/organizations/": ("q", "section", "current"),
    "/orgs/acme/menus/projects/": ("q", "section", "current"),
    A_PROJECT + "menus/components/": ("q", "section", "current"),
    "/orgs/acme/": ("page",),
    A_PROJECT: ("page",),
}


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.personas["admin"])
    return client


def _isolated(client: Client, method: str, url: str, data=None, **extra):
    # Each example in a savepoint rolled back: one example's write cannot
    # change what the next one meets.
    with transaction.atomic():
        # A GET that asked for a page at other than its canonical address
        # (a value at its default, a parameter the page does not read) is
        # redirected once to it (console/url_state.py).
        follow = method == "get"
        response = getattr(client, method)(url, data or {}, follow=follow, **extra)
        assert len(getattr(response, "redirect_chain", ())) <= 1
        transaction.set_rollback(True)
    return response


def _assert_no_raw_echo(response) -> None:
    html = response.content.decode(errors="replace")
    for echo in RAW_ECHOES:
        assert echo not in html


@HOSTILE
@given(data=st.data(), as_fragment=st.booleans())
def test_it_answers_any_query_on_any_list_without_error(world, data, as_fragment):
    url = data.draw(st.sampled_from(sorted(LISTS)), label="url")
    params = data.draw(
        st.dictionaries(st.sampled_from(LISTS[url]), hostile_value, max_size=4), label="params"
    )
    headers = {"HTTP_HX_REQUEST": "true"} if as_fragment else {}

    response = _isolated(_admin(world), "get", url, params, **headers)

    # 400 only where Django itself refuses the request (too many fields).
    assert response.status_code in (200, 400)
    _assert_no_raw_echo(response)


# The nastiest values, sent to every parameter of every list without
# sampling: a NUL in one rarely read parameter is exactly what random
# examples miss (a NUL label once broke the marketplace on PostgreSQL).
SWEEP = ("\x00", "a\x00b", "A" * 12_000, "' OR 1=1 --", PROBES[0])


@pytest.mark.parametrize("url", sorted(LISTS))
def test_it_answers_the_nastiest_values_in_every_parameter_without_error(world, url):
    client = _admin(world)
    for param in LISTS[url]:
        for value in (*SWEEP, list(SWEEP)):
            response = client.get(url, {param: value}, follow=True)
            assert response.status_code == 200, (url, param, value[:20])
            assert len(response.redirect_chain) <= 1
            _assert_no_raw_echo(response)


@HOSTILE
@given(tab=hostile_value)
def test_it_answers_any_tab_of_a_service_page_without_error(world, tab):
    url = f"{A_PROJECT}marketplace/services/{world.a.third_party.pk}/"
    response = _isolated(_admin(world), "get", url, {"tab": tab})
    assert response.status_code == 200
    _assert_no_raw_echo(response)


def _refused_or_valid(response, before: dict, valid: bool) -> None:
    """A form answers 200 with its errors and changes nothing, or takes
    valid data and redirects."""
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert database_state() == before
        _assert_no_raw_echo(response)
    else:
        assert valid


def _is_valid_connection_name(name: str) -> bool:
    try:
        validate_connection_name(name.strip())
    except Exception:
        return False
    return True


@HOSTILE
@given(name=hostile_text, description=hostile_text)
def test_it_creates_a_connection_only_from_valid_input(world, name, description):
    url = reverse(
        "connections:create-form",
        kwargs={"org": "acme", "project": "payments", "service_id": world.a.internal_service.pk},
    )
    form = {
        "name": name,
        "description": description,
        "request_token": str(uuid.uuid4()),
        "action": "create",
    }
    with transaction.atomic():
        before = database_state()
        response = _admin(world).post(url, form)
        _refused_or_valid(response, before, _is_valid_connection_name(name))
        transaction.set_rollback(True)


def _register_form(**overrides) -> dict:
    form = {
        "name": "Mapbox",
        "version": "2.1.0",
        "service_type": "rest",
        "security": "none",
        "summary": "",
        "overview": "",
        "labels": "",
        "registered_for": "",
        "parameters-TOTAL_FORMS": "1",
        "parameters-INITIAL_FORMS": "0",
        "parameters-0-name": "",
    }
    form.update(overrides)
    return form


@HOSTILE
@given(
    name=hostile_text,
    version=st.one_of(hostile_text, st.sampled_from(["1.0.0", "v1", "1.2", "01.0.0"])),
    summary=hostile_text,
    parameter=hostile_text,
)
def test_it_registers_a_third_party_service_only_from_valid_input(
    world, name, version, summary, parameter
):
    url = reverse("marketplace:third-party-register", kwargs={"org": "acme"})
    form = _register_form(
        name=name, version=version, summary=summary, **{"parameters-0-name": parameter}
    )
    with transaction.atomic():
        before = database_state()
        response = _admin(world).post(url, form)
        # Which names and versions are valid is the form's business (its own
        # tests say so); here: no error page, and nothing half-made.
        _refused_or_valid(response, before, valid=True)
        transaction.set_rollback(True)


@HOSTILE
@given(
    url=st.one_of(
        hostile_text,
        st.builds(lambda s, rest: s + rest, st.sampled_from(["http://", "https://"]), hostile_text),
        st.sampled_from(
            [
                "javascript:alert(1)",
                "file:///etc/passwd",
                "http://[::1",
                "http://999.999.999.999:99999/",
                "https://exa\x00mple.com",
                "http://" + "a" * 3000 + ".com",
                "http://user:pass@host:notaport/",
            ]
        ),
    )
)
def test_it_takes_only_web_addresses_for_endpoints(world, url):
    a = world.a
    development = a.organization.environments.get(handle="development")
    third_party = reverse(
        "marketplace:third-party-endpoint-add",
        kwargs={"org": "acme", "service_id": a.third_party.pk},
    )
    publish = reverse(
        "marketplace:component-endpoint-add",
        kwargs={"org": "acme", "project": "payments", "component": "checkout-api"},
    )
    endpoint_form = {"name": "Staging", "url": url, "environments": [development.pk]}
    publish_form = {
        "endpoint_name": "Refunds",
        "handle": "refunds",
        "service_type": "rest",
        "visibility": "organization",
        "version": "1.0.0",
        "security": "none",
        "url_development": url,
        "url_production": "",
    }
    web_address = url.strip().startswith(("http://", "https://"))
    # A published endpoint may be deployed nowhere yet: no URL is valid there.
    for target, form, valid in (
        (third_party, endpoint_form, web_address),
        (publish, publish_form, web_address or not url.strip()),
    ):
        with transaction.atomic():
            before = database_state()
            response = _admin(world).post(target, form)
            _refused_or_valid(response, before, valid)
            transaction.set_rollback(True)


@HOSTILE
@given(username=hostile_text, password=hostile_text)
def test_it_answers_any_login_attempt_with_the_form(world, username, password):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    # 429: the same username failed five times from here (django-axes).
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    _assert_no_raw_echo(response)


TEN_MEGABYTES = 10 * 1024 * 1024


def test_it_refuses_a_10_mb_form_body_without_error(world):
    url = reverse(
        "connections:create-form",
        kwargs={"org": "acme", "project": "payments", "service_id": world.a.internal_service.pk},
    )
    before = database_state()
    response = _admin(world).post(
        url, {"name": "Big One", "description": "x" * TEN_MEGABYTES, "action": "create"}
    )
    assert response.status_code == 400  # DATA_UPLOAD_MAX_MEMORY_SIZE
    assert database_state() == before


def test_it_refuses_a_10_mb_upload_with_a_form_error(world):
    url = reverse("marketplace:third-party-register", kwargs={"org": "acme"})
    upload = SimpleUploadedFile("huge.yaml", b"openapi: 3.0.0\n" + b"#" * TEN_MEGABYTES)
    before = database_state()
    response = _admin(world).post(url, {**_register_form(), "definition": upload})
    assert response.status_code == 200
    assert "definition" in response.context["form"].errors
    assert database_state() == before


def test_it_refuses_a_10_mb_raw_body_without_error(world):
    url = reverse("marketplace:third-party-register", kwargs={"org": "acme"})
    before = database_state()
    response = _admin(world).post(
        url, b"\x00" * TEN_MEGABYTES, content_type="application/octet-stream"
    )
    assert response.status_code in (200, 400)
    assert database_state() == before


# Ids no database column holds (beyond 64 bits, or below any id), and ids
# that could exist but do not. SQLite refuses the first kind outright.
HUGE_IDS = (2**63, 2**64, 10**30, -(2**63) - 1, -1, 0)
any_id = st.one_of(st.sampled_from(HUGE_IDS), st.integers())


def _id_fields(world: World) -> list[tuple[str, dict, str]]:
    """Every form field that takes an id: (URL, the rest of a valid form,
    the field)."""
    a = world.a
    endpoint = {"name": "Staging", "url": "https://staging.example.com"}
    return [
        (
            reverse(
                "marketplace:third-party-endpoint-add",
                kwargs={"org": "acme", "service_id": a.third_party.pk},
            ),
            endpoint,
            "environments",
        ),
        (
            reverse(
                "marketplace:third-party-endpoint-edit",
                kwargs={
                    "org": "acme",
                    "service_id": a.third_party.pk,
                    "endpoint_id": a.endpoint.pk,
                },
            ),
            endpoint,
            "environments",
        ),
        (
            reverse("marketplace:third-party-register", kwargs={"org": "acme"}),
            _register_form(),
            "registered_for",
        ),
        (
            reverse(
                "connections:create-form",
                kwargs={"org": "acme", "project": "payments", "service_id": a.third_party.pk},
            ),
            {"name": "Cards Two", "request_token": str(uuid.uuid4()), "action": "create"},
            "endpoint_development",
        ),
        (
            reverse(
                "connections:edit",
                kwargs={
                    "org": "acme",
                    "project": "payments",
                    "connection_id": a.project_connection.public_id,
                },
            ),
            {"name": "Cards Two"},
            "endpoint_development",
        ),
    ]


def _assert_refused_beside(response, field: str, kept: dict) -> None:
    assert response.status_code == 200
    form = response.context["form"]
    assert "Select a valid choice" in " ".join(form.errors.get(field, [])), form.errors
    for name, value in kept.items():
        if isinstance(value, str) and name in form.fields and name != "request_token":
            assert form[name].value() == value  # everything else typed is kept


@pytest.mark.parametrize("huge", HUGE_IDS, ids=str)
def test_it_refuses_an_id_of_any_size_in_every_id_field_beside_the_field(world, huge):
    client = _admin(world)
    for url, form, field in _id_fields(world):
        before = database_state()
        response = client.post(url, {**form, field: [str(huge)]})
        _assert_refused_beside(response, field, {k: v for k, v in form.items() if k != field})
        assert database_state() == before


@HOSTILE
@given(data=st.data(), ids=st.lists(any_id, min_size=1, max_size=3))
def test_it_answers_any_ids_in_an_id_field_without_error(world, data, ids):
    url, form, field = data.draw(st.sampled_from(_id_fields(world)), label="field")
    with transaction.atomic():
        before = database_state()
        response = _admin(world).post(url, {**form, field: [str(i) for i in ids]})
        _refused_or_valid(response, before, valid=True)
        transaction.set_rollback(True)


ID_KWARGS = ("service_id", "endpoint_id", "parameter_id")


@pytest.mark.parametrize("huge", HUGE_IDS, ids=str)
def test_it_answers_404_for_an_id_of_any_size_in_every_url(world, huge):
    from tests.test_url_walk import PATTERNS, RULES, _values

    client = _admin(world)
    walked = 0
    for pattern in PATTERNS:
        rule = RULES[pattern.name]
        for kwarg in set(pattern.kwargs) & set(ID_KWARGS):
            url = pattern.url({**_values(world, pattern), kwarg: huge})
            for method in rule.methods:
                data = rule.data if method == "post" else None
                response = _isolated(client, method, url, data)
                assert response.status_code == 404, (method, url, response.status_code)
                walked += 1
    assert walked > 15


def _staff(world: World) -> Client:
    staff = world.personas["admin"]
    staff.is_staff = staff.is_superuser = True
    staff.save()
    return _admin(world)


@pytest.mark.parametrize("huge", (2**63, 10**30, -(2**63) - 1), ids=str)
def test_it_answers_an_admin_list_filtered_by_an_id_of_any_size(world, huge):
    client = _staff(world)
    lists = {
        "/admin/console/project/": ("id__in", "organization", "organization__in"),
        "/admin/marketplace/endpoint/": ("pk__in", "environments", "service__organization__in"),
        "/admin/connections/connection/": ("id__in", "organization", "service__in"),
    }
    for url, lookups in lists.items():
        for lookup in lookups:
            response = client.get(url, {lookup: f"1,{huge}" if lookup.endswith("__in") else huge})
            assert response.status_code in (200, 302), (url, lookup)


def test_it_refuses_an_id_of_any_size_in_an_admin_form_beside_the_field(world):
    client = _staff(world)
    endpoint = world.a.endpoint
    url = reverse("admin:marketplace_endpoint_change", args=[endpoint.pk])
    before = database_state()
    response = client.post(
        url, {"name": "Sandbox", "url": endpoint.url, "environments": [str(10**30)]}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Select a valid choice" in " ".join(errors["environments"])
    assert database_state() == before


@pytest.mark.parametrize("markup", ["<b>Stage</b>", PROBES[1]])
def test_it_shows_an_environment_name_escaped_in_every_form(world, markup):
    a = world.a
    a.organization.environments.filter(handle="development").update(name=markup)
    forms = [
        reverse(
            "marketplace:component-endpoint-add",
            kwargs={"org": "acme", "project": "payments", "component": "checkout-api"},
        ),
        reverse(
            "marketplace:component-endpoint-edit",
            kwargs={
                "org": "acme",
                "project": "payments",
                "component": "checkout-api",
                "service_id": a.own_service.pk,
            },
        ),
        reverse(
            "marketplace:third-party-endpoint-add",
            kwargs={"org": "acme", "service_id": a.third_party.pk},
        ),
        reverse(
            "connections:create-form",
            kwargs={"org": "acme", "project": "payments", "service_id": a.third_party.pk},
        ),
        reverse(
            "connections:edit",
            kwargs={
                "org": "acme",
                "project": "payments",
                "connection_id": a.project_connection.public_id,
            },
        ),
    ]
    client = _admin(world)
    escaped = markup.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    for url in forms:
        html = client.get(url).content.decode()
        assert markup not in html, url
        assert escaped in html, url


# --- Service documentation (issue #11, items 1, 2 and 4) ----------------------


def _register_documented(world: World, name: str, **fields) -> Service:
    """Register a third-party service through the console's form."""
    url = reverse("marketplace:third-party-register", kwargs={"org": "acme"})
    response = _admin(world).post(url, _register_form(name=name, **fields))
    assert response.status_code == 302, response.content[:2000]
    return Service.objects.get(organization__handle="acme", name=name)


def _service_page(world: World, service: Service, tab: str = "overview"):
    url = f"{A_PROJECT}marketplace/services/{service.pk}/"
    url += "" if tab == "overview" else f"?tab={tab}"  # the default tab is the bare address
    response = _admin(world).get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    "definition",
    [alias_bomb(), aliased_string_everywhere()],
    ids=["nested-aliases", "aliased-string"],
)
def test_it_keeps_an_expanding_definition_as_small_as_its_text(world, definition):
    upload = SimpleUploadedFile("bomb.yaml", definition.encode(), "application/yaml")
    service = _register_documented(world, "Expanding", definition=upload)

    response = _service_page(world, service, "definition")

    # The page is the text, escaped, and the page around it: not 161 MB.
    assert len(response.content) < 2 * len(definition) + 64_000
    assert "aliases" in response.content.decode()
    assert service.definition_format == "openapi"
    assert len(json.dumps(service.definition_summary)) < 1000


@pytest.mark.parametrize(
    "overview", list(PATHOLOGICAL_OVERVIEWS.values()), ids=list(PATHOLOGICAL_OVERVIEWS)
)
def test_it_saves_and_shows_a_pathological_overview(world, overview):
    service = _register_documented(world, "Pathological", overview=overview)
    empty = _register_documented(world, "Empty")

    response = _service_page(world, service)

    assert service.overview == overview.strip()
    # The overview's HTML grows linearly with its text, beside the same page
    # without one (the console's shell is not the overview's to pay for). The
    # worst case is the link chain: each 6-character "[a](b)" becomes a
    # 54-byte link carrying rel="noopener noreferrer nofollow".
    assert len(response.content) < 10 * len(overview) + len(_service_page(world, empty).content)
    # Showing it costs what showing no overview costs: it was rendered once,
    # when saved (python-Markdown made millions of calls here on every view).
    assert calls(_service_page, world, service) < 1.2 * calls(_service_page, world, empty)


def test_it_refuses_an_overview_over_the_limit_beside_the_field(world):
    url = reverse("marketplace:third-party-register", kwargs={"org": "acme"})
    before = database_state()

    response = _admin(world).post(url, _register_form(overview="[" * 20_001))

    assert response.status_code == 200
    assert response.context["form"].errors["overview"]
    assert database_state() == before


def test_it_keeps_no_class_an_overview_could_cover_the_page_with(world):
    cover = (
        '<code class="position-fixed top-0 start-0 w-100 h-100 bg-white z-3 fs-1 p-5 d-block">'
        'Session expired. <a href="https://elsewhere.example/login">Log in again</a></code>'
    )
    service = _register_documented(world, "Covering", overview=cover + "\n\n```js\nx\n```\n")

    html = _service_page(world, service).content.decode()

    assert "<code>Session expired." in html
    assert "position-fixed" not in html and "z-3" not in html
    assert '<code class="language-js">' in html
