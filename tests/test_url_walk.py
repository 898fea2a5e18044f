"""The URL walk: every URL pattern of the project, for every role.

The patterns come from the resolver itself, not from a list kept by hand, so
a new view is walked the day it is added, and fails here until someone
writes down in ``RULES`` who may see it and who may write through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve

from connections.models import Connection
from connections.services import connection_create
from console.models import Role
from delivery.services import runtime_token_create
from tests.world import LEAK_MARKERS, World

A_PERSONAS = ("admin", "developer", "viewer")
B_PERSONAS = ("outsider", "b_developer", "b_viewer")
PERSONAS = (*A_PERSONAS, "outsider", "anonymous")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
ID_KWARGS = (
    "service_id", "connection_id", "endpoint_id", "parameter_id", "token_id", "membership_id",
)  # fmt: skip
# These views take the service a component publishes, not a marketplace card.
OWN_SERVICE_VIEWS = frozenset(
    {
        "marketplace:component-endpoint-edit",
        "marketplace:component-endpoint-remove",
        "marketplace:component-endpoint-listing",
        "oauth:verify-callers",
        "oauth:introspection-create",
        "oauth:introspection-rotate",
        "oauth:introspection-reveal",
    }
)


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str
    namespace: str

    @property
    def kwargs(self) -> list[str]:
        return CONVERTER.findall(self.route)

    @property
    def scoped(self) -> bool:
        return "org" in self.kwargs

    def url(self, values: dict[str, object]) -> str:
        return "/" + CONVERTER.sub(lambda match: str(values[match.group(1)]), self.route)


def walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from walk(entry, route, inner)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield Pattern(route, name, namespace)


# The Django admin checks its own permissions; it is tested as a whole below.
PATTERNS = [p for p in walk(get_resolver()) if p.namespace.split(":")[0] != "admin"]


@dataclass(frozen=True)
class Rule:
    """Expected status per persona, for GET and for POST (``data`` posted)."""

    get: dict[str, int]
    post: dict[str, int]
    data: dict = field(default_factory=dict)

    @property
    def methods(self) -> list[str]:
        """The methods the view accepts (for its own members, at least)."""
        return [m for m in ("get", "post") if getattr(self, m)["admin"] != 405]


def _roles(admin: int, developer: int, viewer: int) -> dict[str, int]:
    return {"admin": admin, "developer": developer, "viewer": viewer}


def page(admin=200, developer=200, viewer=200) -> Rule:
    """A GET-only page of A: outsiders 404, POST 405."""
    return Rule(
        get={**_roles(admin, developer, viewer), "outsider": 404, "anonymous": 302},
        post={**_roles(405, 405, 405), "outsider": 405, "anonymous": 302},
    )


def form(get: tuple[int, int, int], post: tuple[int, int, int], data=None) -> Rule:
    """A page that shows a form on GET and writes on POST."""
    return Rule(
        get={**_roles(*get), "outsider": 404, "anonymous": 302},
        post={**_roles(*post), "outsider": 404, "anonymous": 302},
        data=data or {},
    )


def action(post: tuple[int, int, int], data=None) -> Rule:
    """A POST-only write: GET is 405."""
    return Rule(
        get={**_roles(405, 405, 405), "outsider": 405, "anonymous": 302},
        post={**_roles(*post), "outsider": 404, "anonymous": 302},
        data=data or {},
    )


def public(get: int, post: int) -> Rule:
    """The same answer to everyone, signed in or not."""
    return Rule(
        get={persona: get for persona in PERSONAS}, post={persona: post for persona in PERSONAS}
    )


WRITERS_ONLY = (200, 200, 403)  # Admins and Developers; Viewers 403
ADMINS_ONLY = (200, 403, 403)
REVEAL = {"environment": "development", "key": "webhookSigningSecret"}
ROTATE = {"environment": "development", "grace": "1h"}
CONFIRMED_UNLIST = {"listed": "0", "confirmed": "1"}

# An empty POST to a form is a form shown again with its errors (200); a
# delete deletes (302), unless connections use the thing (409).
RULES: dict[str, Rule] = {
    "console:home": Rule(
        # One organization each: straight to it.
        get={**_roles(302, 302, 302), "outsider": 302, "anonymous": 302},
        post={**_roles(405, 405, 405), "outsider": 405, "anonymous": 302},
    ),
    "console:organization-menu": Rule(
        # Lists the user's own organizations, whoever asks.
        get={**_roles(200, 200, 200), "outsider": 200, "anonymous": 302},
        post={**_roles(405, 405, 405), "outsider": 405, "anonymous": 302},
    ),
    "console:organization": page(),
    "console:project-menu": page(),
    "console:project": page(),
    "console:component-menu": page(),
    "console:component": page(),
    "connections:list": page(),
    "connections:create": page(*WRITERS_ONLY),
    "connections:create-form": form(WRITERS_ONLY, WRITERS_ONLY),
    "connections:detail": page(),
    "connections:edit": form(WRITERS_ONLY, WRITERS_ONLY),
    "connections:delete": form(WRITERS_ONLY, (302, 302, 403)),
    "connections:reveal": action(WRITERS_ONLY, REVEAL),
    # On a connection with a generated secret (_rotatable_connection).
    "connections:rotate": form(WRITERS_ONLY, (302, 302, 403), ROTATE),
    "marketplace:browse": page(),
    "marketplace:service": page(),
    "marketplace:service-definition": page(),
    "marketplace:service-definition-download": page(),
    "marketplace:browse-facets": page(),
    # Version lifecycle; an empty POST is the form again.
    "marketplace:service-deprecation": form(ADMINS_ONLY, ADMINS_ONLY),
    "marketplace:third-party-list": page(*ADMINS_ONLY),
    "marketplace:third-party-register": form(ADMINS_ONLY, ADMINS_ONLY),
    "marketplace:third-party-detail": page(*ADMINS_ONLY),
    "marketplace:third-party-edit": form(ADMINS_ONLY, ADMINS_ONLY),
    # Removing asks first (GET, or a POST without "confirmed"); its confirmation removes.
    "marketplace:third-party-listing": form(ADMINS_ONLY, (302, 403, 403), CONFIRMED_UNLIST),
    # Stripe API has connections: it can be removed from the marketplace only.
    "marketplace:third-party-delete": form(ADMINS_ONLY, (409, 403, 403)),
    "marketplace:third-party-endpoint-add": form(ADMINS_ONLY, ADMINS_ONLY),
    "marketplace:third-party-endpoint-edit": form(ADMINS_ONLY, ADMINS_ONLY),
    # Its Sandbox endpoint is mapped to by a connection: it cannot be deleted.
    "marketplace:third-party-endpoint-delete": form(ADMINS_ONLY, (409, 403, 403)),
    "marketplace:third-party-parameter-add": action(ADMINS_ONLY),
    # Stripe API's connections lose the parameter: without their number
    # typed, the page comes back asking for it.
    "marketplace:third-party-parameter-delete": form(ADMINS_ONLY, (200, 403, 403)),
    # An empty POST is the rename form again, asking for the new name.
    "marketplace:third-party-parameter-rename": form(ADMINS_ONLY, ADMINS_ONLY),
    "marketplace:component-endpoint-add": form(WRITERS_ONLY, WRITERS_ONLY),
    "marketplace:component-endpoint-edit": form(WRITERS_ONLY, WRITERS_ONLY),
    "marketplace:component-endpoint-remove": form(WRITERS_ONLY, (302, 302, 403)),
    "marketplace:component-endpoint-listing": form(WRITERS_ONLY, (302, 302, 403), CONFIRMED_UNLIST),
    # The authorization server: public documents, and form endpoints that
    # authenticate clients, not people (an empty multipart POST is a 400).
    "oauth:metadata": public(get=200, post=405),
    "oauth:jwks": public(get=200, post=405),
    "oauth:token": public(get=405, post=400),
    "oauth:introspect": public(get=405, post=400),
    "oauth:revoke": public(get=405, post=400),
    # The providers' Verify callers page of the component's own endpoint. The
    # world's project has no introspection credentials: a create makes them,
    # a rotate says there are none, a reveal finds no secret.
    "oauth:verify-callers": page(),
    "oauth:introspection-create": action((302, 302, 403)),
    "oauth:introspection-rotate": form(WRITERS_ONLY, (302, 302, 403)),
    "oauth:introspection-reveal": action((404, 404, 403)),
    # The configuration endpoint answers a runtime token, never a session.
    "delivery:config": public(get=401, post=405),
    "delivery:token-create": form(WRITERS_ONLY, (200, 200, 403)),
    "delivery:token-revoke": form(WRITERS_ONLY, (302, 302, 403)),
    # Viewers read the saved component.yaml; an empty POST is the form again.
    "delivery:component-yaml": form((200, 200, 200), WRITERS_ONLY),
    "delivery:component-yaml-remove": action((302, 302, 403)),
    # Projects are the Admins'; components the Admins' and Developers'. The
    # world's Payments holds components: it cannot be deleted. No connection
    # uses what its Checkout API publishes: it can.
    "console:project-create": form(ADMINS_ONLY, ADMINS_ONLY),
    "console:project-edit": form(ADMINS_ONLY, ADMINS_ONLY),
    "console:project-delete": form(ADMINS_ONLY, (409, 403, 403)),
    "console:component-create": form(WRITERS_ONLY, WRITERS_ONLY),
    "console:component-edit": form(WRITERS_ONLY, WRITERS_ONLY),
    "console:component-delete": form(WRITERS_ONLY, (302, 302, 403)),
    # Superusers only, unless JUNCTION_ALLOW_ORG_CREATION (off here) is on.
    "console:organization-create": Rule(
        get={**_roles(403, 403, 403), "outsider": 403, "anonymous": 302},
        post={**_roles(403, 403, 403), "outsider": 403, "anonymous": 302},
    ),
    # Settings > Environments: the Admins'. The environment a URL names is
    # Development, which a connection is mapped to: it cannot be deleted.
    "console:environments": page(*ADMINS_ONLY),
    "console:environment-add": form(ADMINS_ONLY, ADMINS_ONLY),
    "console:environment-edit": form(ADMINS_ONLY, ADMINS_ONLY),
    "console:environment-move": action((302, 403, 403), {"direction": "down"}),
    "console:environment-delete": form(ADMINS_ONLY, (409, 403, 403)),
    # Settings > Members: the Admins'. The member a URL names is the Viewer
    # (in B, B's Viewer); a role change with no role is the form again.
    "console:members": page(*ADMINS_ONLY),
    "console:member-add": form(ADMINS_ONLY, ADMINS_ONLY),
    "console:member-create-account": form(ADMINS_ONLY, ADMINS_ONLY),
    "console:member-role": form(ADMINS_ONLY, ADMINS_ONLY),
    "console:member-remove": form(ADMINS_ONLY, (302, 403, 403)),
    # Activity: the organization's is its Admins', a project's every member's.
    "console:activity": page(*ADMINS_ONLY),
    "console:activity-export": page(*ADMINS_ONLY),
    "console:project-activity": page(),
    "console:project-activity-export": page(),
    # Every signed-in user's own password; an empty POST is the form again.
    "console:password-change": Rule(
        get={**_roles(200, 200, 200), "outsider": 200, "anonymous": 302},
        post={**_roles(200, 200, 200), "outsider": 200, "anonymous": 302},
    ),
    "login": Rule(
        get={**_roles(302, 302, 302), "outsider": 302, "anonymous": 200},
        post={**_roles(302, 302, 302), "outsider": 302, "anonymous": 200},
    ),
    "logout": Rule(
        get={**_roles(405, 405, 405), "outsider": 405, "anonymous": 302},
        post={**_roles(302, 302, 302), "outsider": 302, "anonymous": 302},
    ),
}


def _rotatable_connection(tenant) -> Connection:
    """A project connection with a generated secret: the world's (a
    third-party service without security) has none to rotate."""
    if "rotatable" not in tenant.extra:
        tenant.extra["rotatable"] = connection_create(
            project=tenant.project, service=tenant.internal_service, name="Rotation Probe"
        )
    return tenant.extra["rotatable"]


def _runtime_token(tenant, at_component: bool):
    """A runtime token of the tenant's component, or of its project."""
    key = "component_token" if at_component else "project_token"
    if key not in tenant.extra:
        tenant.extra[key] = runtime_token_create(
            project=tenant.project,
            component=tenant.component if at_component else None,
            environment=tenant.organization.environments.first(),
            name="Walk probe",
            expires_at=None,
            actor=None,
        ).runtime_token
    return tenant.extra[key]


def _values(world: World, pattern: Pattern, tenant: str = "a") -> dict[str, object]:
    chosen = getattr(world, tenant)
    values = chosen.url_kwargs()
    if pattern.name in OWN_SERVICE_VIEWS:
        values["service_id"] = chosen.own_service.pk
    if pattern.name == "connections:rotate":
        values["connection_id"] = _rotatable_connection(chosen).public_id
    if "membership_id" in pattern.kwargs:
        viewers = chosen.organization.memberships.filter(role=Role.VIEWER)
        values["membership_id"] = viewers.order_by("pk").first().pk
    if "environment" in pattern.kwargs:
        values["environment"] = "development"
    if "token_id" in pattern.kwargs:
        at_component = "component" in pattern.kwargs
        values["token_id"] = _runtime_token(chosen, at_component).public_id
    return values


def _client(world: World, persona: str) -> Client:
    client = Client()
    if world.personas[persona] is not None:
        client.force_login(world.personas[persona])
    return client


def _request(client: Client, method: str, url: str, data: dict | None = None, **headers):
    # Each request runs in a savepoint that is rolled back, so a delete by
    # one persona does not change what the next one finds.
    with transaction.atomic():
        response = getattr(client, method)(url, data or {}, **headers)
        transaction.set_rollback(True)
    return response


def _id(pattern: Pattern) -> str:
    return pattern.name or pattern.route


def test_it_has_a_rule_for_every_url_name():
    names = {p.name for p in PATTERNS}
    missing = sorted(p.route for p in PATTERNS if not p.name)
    assert not missing, f"URL patterns without a name cannot have a rule: {missing}"
    without_rule = sorted(names - RULES.keys())
    assert not without_rule, f"Add these URL names to RULES in {__file__}: {without_rule}"
    stale = sorted(RULES.keys() - names)
    assert not stale, f"RULES names URLs that no longer exist: {stale}"


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.route or "/" for p in PATTERNS])
def test_it_answers_every_url_as_its_rule_says(world, pattern):
    rule = RULES.get(pattern.name)
    assert rule is not None, f"No rule for the URL name {pattern.name!r}: add one to RULES"
    url = pattern.url(_values(world, pattern))
    assert resolve(url).route == pattern.route  # the URL built is this pattern's

    wrong = []
    for persona in PERSONAS:
        client = _client(world, persona)
        for method in ("get", "post"):
            expected = getattr(rule, method)[persona]
            data = rule.data if method == "post" else None
            response = _request(client, method, url, data)
            if response.status_code != expected:
                wrong.append(
                    f"{persona} {method.upper()} {response.status_code}, expected {expected}"
                )
            if persona != "anonymous" and not _kept_by_no_cache(response):
                wrong.append(
                    f"{persona} {method.upper()} Cache-Control {response.get('Cache-Control')!r}"
                )
    assert not wrong, f"{pattern.name} {url}: " + "; ".join(wrong)


def _kept_by_no_cache(response) -> bool:
    """Whether the answer to a signed-in user forbids every cache to keep it."""
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


SCOPED = [p for p in PATTERNS if p.scoped]


@pytest.mark.parametrize("pattern", SCOPED, ids=[p.route for p in SCOPED])
def test_it_hides_every_url_of_a_from_every_member_of_b(world, pattern):
    rule = RULES[pattern.name]
    url = pattern.url(_values(world, pattern))
    for persona in B_PERSONAS:
        client = _client(world, persona)
        for method in rule.methods:
            data = rule.data if method == "post" else None
            status = _request(client, method, url, data).status_code
            # Not 403: that would tell B that A's object exists.
            assert status == 404, (persona, method, url, status)


FOREIGN_ID = [p for p in PATTERNS if set(p.kwargs) & set(ID_KWARGS)]


@pytest.mark.parametrize("pattern", FOREIGN_ID, ids=[p.route for p in FOREIGN_ID])
def test_it_answers_404_when_a_url_of_a_names_an_object_of_b(world, pattern):
    rule = RULES[pattern.name]
    values = _values(world, pattern)
    foreign = _values(world, pattern, "b")
    for kwarg in set(pattern.kwargs) & set(ID_KWARGS):
        url = pattern.url({**values, kwarg: foreign[kwarg]})
        for persona in A_PERSONAS:
            client = _client(world, persona)
            for method in rule.methods:
                if getattr(rule, method)[persona] == 403:
                    continue  # refused by role before any object is looked up
                data = rule.data if method == "post" else None
                status = _request(client, method, url, data).status_code
                assert status == 404, (persona, method, url, status)


def _pages_of_a(world: World) -> list[str]:
    """Every GET page of A that its Admin can open, and the tabs of the
    service pages (each shows other rows: deployments, connections)."""
    urls = []
    for pattern in PATTERNS:
        if pattern.scoped and RULES[pattern.name].get["admin"] == 200:
            urls.append(pattern.url(_values(world, pattern)))
    a = world.a
    for service in (a.third_party, a.internal_service, a.own_service):
        for tab in ("overview", "definition", "how-to-use", "used-by"):
            base = f"/orgs/acme/projects/payments/marketplace/services/{service.pk}/"
            urls.append(base if tab == "overview" else f"{base}?tab={tab}")
    urls += [
        "/menus/organizations/",
        "/orgs/acme/menus/projects/?q=e",
        "/orgs/acme/projects/payments/menus/components/?q=e",
        "/orgs/acme/marketplace/?q=secret&search_in=name",
        "/orgs/acme/projects/payments/connections/?q=a",
    ]
    return urls


def test_it_shows_nothing_of_b_on_any_page_of_a(world):
    client = _client(world, "admin")
    seen = 0
    for url in _pages_of_a(world):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            assert response.status_code == 200, url
            assert _kept_by_no_cache(response), (url, headers)
            # The activity log's export streams.
            body = b"".join(response.streaming_content) if response.streaming else response.content
            html = body.decode().lower()
            leaked = [marker for marker in LEAK_MARKERS if marker.lower() in html]
            assert not leaked, f"{url} shows organization B's {leaked}"
            seen += 1
    assert seen > 50  # the walk found the pages, it did not skip them


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_sends_everyone_but_staff_from_the_django_admin_to_its_login(world, persona):
    response = _client(world, persona).get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_opens_the_django_admin_to_staff(world):
    world.personas["admin"].is_staff = True
    world.personas["admin"].is_superuser = True
    world.personas["admin"].save()
    assert _client(world, "admin").get("/admin/").status_code == 200


def test_it_keeps_every_django_admin_page_out_of_caches(world):
    staff = world.personas["admin"]
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = _client(world, "admin")
    urls = ["/admin/", "/admin/marketplace/endpoint/0/change/"]
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls += [base, base + "add/"]
        if first := model._default_manager.first():
            urls.append(f"{base}{first.pk}/change/")
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        assert _kept_by_no_cache(response), url


def test_it_lets_static_files_be_cached_for_anyone(world):
    client = _client(world, "admin")
    response = client.get("/static/junction/junction.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "private" not in response.get("Cache-Control", "")
