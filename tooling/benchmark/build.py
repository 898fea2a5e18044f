"""The synthetic organization of sizes M and L (and XS, for a quick check).

Everything goes in with ``bulk_create`` in batches, inside one transaction,
from a seeded random generator: two builds at one size hold the same rows.
Only small tuples are kept in memory between steps, never the model
instances, so size L fits in a modest machine.

Secrets (consumer secrets, API keys, secret parameters) still go through
``EncryptedTextField``: one Fernet token costs about 30 µs, so the million
bindings of size L spend well under a minute on them, and the data is
exactly what the console would have stored.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, islice

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from connections.models import (
    AuthScheme,
    Connection,
    ConnectionBinding,
    api_key_digest,
)
from connections.naming import variable_stem
from console.models import (
    Action,
    ActivityEvent,
    Component,
    Membership,
    ObjectKind,
    Organization,
    Project,
    Role,
)
from console.services import default_environments_create
from marketplace.definitions import detect_format
from marketplace.documentation import documentation_fields
from marketplace.models import (
    DEFINITION_MAX_BYTES,
    OVERVIEW_MAX_LENGTH,
    DefinitionFormat,
    Deployment,
    Endpoint,
    EndpointParameterValue,
    Security,
    Service,
    ServiceKind,
    ServiceParameter,
    ServiceType,
    Tag,
    Visibility,
)
from marketplace.services import third_party_service_register

from . import vocabulary as words

BATCH = 2000
BENCH_USERNAME = "bench"
SEED = 20250101


@dataclass(frozen=True)
class Size:
    label: str
    projects: int
    components: int
    services: int
    connections: int


SIZES = {
    "XS": Size("XS", 5, 50, 500, 1_000),
    "M": Size("M", 100, 2_000, 20_000, 50_000),
    "L": Size("L", 1_000, 20_000, 200_000, 500_000),
}


def organization_handle(size: str) -> str:
    return f"bench-{size.lower()}"


def is_built(size: str) -> bool:
    # The build is one transaction: the organization exists only if it finished.
    return Organization.objects.filter(handle=organization_handle(size)).exists()


@dataclass(frozen=True)
class ServiceRow:
    """What connections need to know of a service, without the model."""

    pk: int
    name: str
    major: int
    security: str
    kind: str
    project_id: int | None
    provider_component_id: int | None
    org_wide: bool


@dataclass
class _State:
    organization: Organization
    environments: list  # Environment, in promotion order
    user_ids: list[tuple[int, str]] = field(default_factory=list)
    projects: list[tuple[int, str, str]] = field(default_factory=list)  # pk, name, handle
    # project pk -> [(component pk, name, handle, publishes)]
    components: dict[int, list[tuple[int, str, str, bool]]] = field(default_factory=dict)
    tag_ids: list[int] = field(default_factory=list)
    services: list[ServiceRow] = field(default_factory=list)
    # third-party service pk -> {environment pk: default endpoint pk}
    default_endpoints: dict[int, dict[int, int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _batched(items: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(state: _State, model, objects: Iterable, key: str | None = None) -> list:
    """bulk_create in batches; returns the created objects (with their pks)."""
    created = []
    for chunk in _batched(objects):
        created += model.objects.bulk_create(chunk, batch_size=BATCH)
    state.counts[key or model._meta.verbose_name_plural] += len(created)
    return created


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name 2``, ``name 3``... whichever is free (ignoring case)."""
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{name} {n}"
    taken.add(candidate.lower())
    return candidate


def _users(rng: random.Random, state: _State) -> None:
    user_model = get_user_model()
    bench = user_model.objects.create_user(
        username=BENCH_USERNAME,
        password=BENCH_USERNAME,
        is_staff=True,
        is_superuser=True,
        first_name="Bench",
        last_name="Admin",
    )
    # One hash for everyone: hashing 50 passwords would cost seconds for nothing.
    password = make_password(None)
    people = [
        user_model(
            username=f"{first.lower()}.{slugify(last)}",
            first_name=first,
            last_name=last,
            password=password,
        )
        for first, last in zip(words.FIRST_NAMES, words.LAST_NAMES, strict=True)
    ]
    people = _insert(state, user_model, people, "users")
    memberships = [Membership(user=bench, organization=state.organization, role=Role.ADMIN)]
    memberships += [
        Membership(
            user=person,
            organization=state.organization,
            role=rng.choice([Role.DEVELOPER, Role.DEVELOPER, Role.VIEWER]),
        )
        for person in people
    ]
    _insert(state, Membership, memberships, "memberships")
    state.user_ids = [(bench.pk, bench.username)] + [(p.pk, p.username) for p in people]


def _projects(rng: random.Random, size: Size, state: _State) -> None:
    taken: set[str] = set()
    projects = []
    for _ in range(size.projects):
        name = _unique(f"{rng.choice(words.DOMAINS)} {rng.choice(words.QUALIFIERS)}", taken)
        projects.append(
            Project(
                organization=state.organization,
                name=name,
                handle=slugify(name),
                description=f"Everything the {name} team builds and runs.",
            )
        )
    projects = _insert(state, Project, projects, "projects")
    state.projects = [(p.pk, p.name, p.handle) for p in projects]


def _components(rng: random.Random, size: Size, state: _State) -> None:
    types = list(words.COMPONENT_ROLES)
    weights = [weight for _, weight in words.COMPONENT_ROLES.values()]
    per_project = size.components // size.projects

    def generate() -> Iterator[Component]:
        for project_pk, project_name, _ in state.projects:
            taken: set[str] = set()
            for _ in range(per_project):
                kind = rng.choices(types, weights)[0]
                roles = words.COMPONENT_ROLES[kind][0]
                name = _unique(f"{rng.choice(words.NOUNS)} {rng.choice(roles)}", taken)
                yield Component(
                    project_id=project_pk,
                    name=name,
                    handle=slugify(name),
                    type=kind,
                    description=f"{name} of {project_name}.",
                )

    for component in _insert(state, Component, generate(), "components"):
        state.components.setdefault(component.project_id, []).append(
            (
                component.pk,
                component.name,
                component.handle,
                component.type in words.PUBLISHING_TYPES,
            )
        )


def _tags(state: _State) -> None:
    tags = _insert(
        state, Tag, (Tag(organization=state.organization, name=name) for name in words.TAGS)
    )
    state.tag_ids = [tag.pk for tag in tags]


def _texts(rng: random.Random, name: str, resource: str, domain: str) -> dict[str, str]:
    verb = rng.choice(words.VERBS)
    summary = f"{name} {verb} {resource} for the {domain} teams."
    overview = (
        f"## {name}\n\n{summary}\n\n"
        f"- Owner: the {domain} team\n- Support: #{slugify(domain)}-oncall\n"
        f"- SLO: {rng.choice(['99.9', '99.95', '99.5'])}% monthly\n\n"
        f"### Getting started\n\nCall `GET /{resource}` with your connection's "
        "credentials; every response is JSON. Pagination follows `next` links."
    )
    return {"summary": summary, "overview": overview}


def _openapi(name: str, resource: str) -> str:
    return json.dumps(
        {
            "openapi": "3.0.3",
            "info": {"title": name, "version": "1.0.0"},
            "paths": {
                f"/{resource}": {"get": {"summary": f"List {resource}"}},
                f"/{resource}/{{id}}": {"get": {"summary": f"Get one of {resource}"}},
            },
        }
    )


_SECURITIES = ([Security.NONE, Security.OAUTH2, Security.API_KEY], [40, 35, 25])
_SERVICE_TYPES = (
    list(ServiceType.values),
    [60, 10, 10, 4, 6, 5, 5],
)
_VISIBILITIES = ([Visibility.PUBLIC, Visibility.ORGANIZATION, Visibility.PROJECT], [20, 50, 30])


def _common(rng: random.Random, name: str, resource: str, domain: str, major: int) -> dict:
    service_type = rng.choices(*_SERVICE_TYPES)[0]
    with_definition = service_type == ServiceType.REST and rng.random() < 0.3
    return {
        "name": name,
        "version": f"{major}.{rng.randrange(10)}.{rng.randrange(20)}",
        "major": major,
        "service_type": service_type,
        "security": rng.choices(*_SECURITIES)[0],
        "listed": rng.random() < 0.97,
        **_documentation(rng, name, resource, domain, with_definition),
    }


def _documentation(
    rng: random.Random, name: str, resource: str, domain: str, with_definition: bool
) -> dict:
    texts = _texts(rng, name, resource, domain)
    # bulk_create bypasses the service functions: derive what the page shows
    # the same way they do.
    return {
        "summary": texts["summary"],
        **documentation_fields(
            overview=texts["overview"],
            api_definition=_openapi(name, resource) if with_definition else "",
            definition_format=DefinitionFormat.OPENAPI if with_definition else "",
        ),
    }


def _internal_services(rng: random.Random, count: int, state: _State) -> Iterator[Service]:
    publishers = [
        (project_pk, project_name, component)
        for project_pk, project_name, _ in state.projects
        for component in state.components.get(project_pk, [])
        if component[3]
    ]
    endpoints_taken: set[tuple[int, str, int]] = set()
    for _ in range(count):
        project_pk, project_name, (component_pk, component_name, _, _) = rng.choice(publishers)
        resource = rng.choice(words.RESOURCES)
        handle, major, n = resource, 1, 1
        if (component_pk, handle, 1) in endpoints_taken and rng.random() < 0.3:
            major = 2  # a second major version of the same endpoint
        while (component_pk, handle, major) in endpoints_taken:
            n += 1
            handle = f"{resource}-{n}"
        endpoints_taken.add((component_pk, handle, major))
        name = f"{component_name.split()[0]} {handle.replace('-', ' ').title()}"
        yield Service(
            organization=state.organization,
            project_id=project_pk,
            kind=ServiceKind.INTERNAL,
            provider_component_id=component_pk,
            endpoint_handle=handle,
            visibility=rng.choices(*_VISIBILITIES)[0],
            **_common(rng, name, resource, project_name.split()[0], major),
        )


def _third_party_services(rng: random.Random, count: int, state: _State) -> Iterator[Service]:
    taken: set[str] = set()
    for index in range(count):
        # A quarter are registered for the whole organization.
        project = None if index % 4 == 0 else rng.choice(state.projects)
        base = f"{rng.choice(words.VENDORS)} {rng.choice(words.PRODUCTS)}"
        name = _unique(base if project is None else f"{base} {project[1]}", taken)
        yield Service(
            organization=state.organization,
            project_id=project[0] if project else None,
            kind=ServiceKind.THIRD_PARTY,
            **_common(rng, name, "v1", rng.choice(words.DOMAINS), 1),
        )


def _services(rng: random.Random, size: Size, state: _State) -> None:
    third_party = size.services // 10
    generated = list(_internal_services(rng, size.services - third_party, state))
    generated += list(_third_party_services(rng, third_party, state))
    services = _insert(state, Service, generated, "services")
    del generated
    state.services = [
        ServiceRow(
            pk=s.pk,
            name=s.name,
            major=s.major,
            security=s.security,
            kind=s.kind,
            project_id=s.project_id,
            provider_component_id=s.provider_component_id,
            org_wide=(s.kind == ServiceKind.THIRD_PARTY and s.project_id is None)
            or (s.kind == ServiceKind.INTERNAL and s.visibility != Visibility.PROJECT),
        )
        for s in services
        if s.listed
    ]
    through = Service.tags.through
    _insert(
        state,
        through,
        (
            through(service_id=s.pk, tag_id=tag_pk)
            for s in services
            for tag_pk in rng.sample(state.tag_ids, rng.randint(1, 3))
        ),
        "service tags",
    )
    _deployments(rng, [s for s in services if s.kind == ServiceKind.INTERNAL], state)
    _endpoints(rng, [s for s in services if s.kind == ServiceKind.THIRD_PARTY], state)


def _deployments(rng: random.Random, services: list[Service], state: _State) -> None:
    development, production = state.environments[0], state.environments[-1]

    def generate() -> Iterator[Deployment]:
        for s in services:
            path = f"{s.endpoint_handle}/v{s.major}"
            yield Deployment(
                service_id=s.pk,
                environment=development,
                url=f"http://{s.endpoint_handle}.svc-{s.provider_component_id}.dev.cluster.local:8080/{path}",
            )
            # Some services have not reached production yet ("Not deployed").
            if rng.random() < 0.8:
                yield Deployment(
                    service_id=s.pk,
                    environment=production,
                    url=f"https://api.initech.example/{s.provider_component_id}/{path}",
                )

    _insert(state, Deployment, generate(), "deployments")


def _endpoints(rng: random.Random, services: list[Service], state: _State) -> None:
    development, production = state.environments[0], state.environments[-1]
    plans: list[tuple[int, str, str, int]] = []  # service, name, url, environment
    for s in services:
        host = slugify(s.name)[:40]
        plans.append((s.pk, "Sandbox", f"https://sandbox.{host}.example.com/v1", development.pk))
        plans.append((s.pk, "Live", f"https://api.{host}.example.com/v1", production.pk))
        if rng.random() < 0.2:
            plans.append((s.pk, "Live EU", f"https://eu.api.{host}.example.com/v1", production.pk))
    endpoints = _insert(
        state, Endpoint, (Endpoint(service_id=p[0], name=p[1], url=p[2]) for p in plans)
    )
    through = Endpoint.environments.through
    _insert(
        state,
        through,
        (
            through(endpoint_id=e.pk, environment_id=plan[3])
            for e, plan in zip(endpoints, plans, strict=True)
        ),
        "endpoint environments",
    )
    for e, plan in zip(endpoints, plans, strict=True):
        state.default_endpoints.setdefault(e.service_id, {}).setdefault(plan[3], e.pk)
    _parameters(rng, services, endpoints, state)


def _parameters(
    rng: random.Random, services: list[Service], endpoints: list[Endpoint], state: _State
) -> None:
    wanted = [s for s in services if rng.random() < 0.3]
    parameters = _insert(
        state,
        ServiceParameter,
        (
            ServiceParameter(service_id=s.pk, name=name, is_secret=secret)
            for s in wanted
            for name, secret in (("Region", False), ("WebhookSecret", True))
        ),
    )
    by_service = defaultdict(list)
    for parameter in parameters:
        by_service[parameter.service_id].append(parameter)
    _insert(
        state,
        EndpointParameterValue,
        (
            EndpointParameterValue(
                endpoint_id=e.pk,
                parameter_id=p.pk,
                value="eu-west-1" if not p.is_secret else f"whsec_{rng.getrandbits(96):024x}",
            )
            for e in endpoints
            for p in by_service.get(e.service_id, [])
        ),
    )


def _connection_name(service_name: str, taken_names: set[str], taken_stems: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", service_name.lower()).strip("-")[:40] or "svc"
    name, n = base, 1
    while name in taken_names or variable_stem(name) in taken_stems:
        n += 1
        name = f"{base}-{n}"
    taken_names.add(name)
    taken_stems.add(variable_stem(name))
    return name


def _zipf_weights(count: int) -> list[float]:
    # A few services are used everywhere, most by a handful: realistic
    # "Used by" pages and uneven service names in the connections lists.
    return list(accumulate(1 / (rank + 1) ** 0.9 for rank in range(count)))


def _connection_plans(rng: random.Random, size: Size, state: _State) -> Iterator[tuple]:
    org_pool = [s for s in state.services if s.org_wide]
    rng.shuffle(org_pool)
    org_weights = _zipf_weights(len(org_pool))
    own: dict[int, list[ServiceRow]] = defaultdict(list)
    for s in state.services:
        if not s.org_wide and s.project_id is not None:
            own[s.project_id].append(s)
    per_project, extra = divmod(size.connections, size.projects)
    for index, (project_pk, _, _) in enumerate(state.projects):
        components = state.components.get(project_pk, [])
        taken_names: set[str] = set()
        taken_stems: set[str] = set()
        for _ in range(per_project + (1 if index < extra else 0)):
            component = rng.choice(components) if rng.random() < 0.7 else None
            pool = own[project_pk]
            while True:
                if pool and rng.random() < 0.2:
                    service = rng.choice(pool)
                else:
                    service = rng.choices(org_pool, cum_weights=org_weights)[0]
                # A component never connects to its own endpoint.
                if component is None or service.provider_component_id != component[0]:
                    break
            name = _connection_name(service.name, taken_names, taken_stems)
            yield project_pk, component, service, name


def _credentials(rng: random.Random, scheme: str) -> dict[str, str]:
    if scheme == AuthScheme.OAUTH2:
        return {
            "consumer_key": f"{rng.getrandbits(120):030x}",
            "consumer_secret": f"{rng.getrandbits(192):048x}",
        }
    if scheme == AuthScheme.API_KEY:
        api_key = f"jct_{rng.getrandbits(192):048x}"
        return {"api_key": api_key, "api_key_digest": api_key_digest(api_key)}
    return {}


def _connections(rng: random.Random, size: Size, state: _State) -> None:
    environment_pks = [environment.pk for environment in state.environments]
    for plans in _batched(_connection_plans(rng, size, state), 5000):
        connections = []
        for project_pk, component, service, name in plans:
            user_pk, _ = rng.choice(state.user_ids)
            connections.append(
                Connection(
                    public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    organization=state.organization,
                    project_id=project_pk,
                    component_id=component[0] if component else None,
                    service_id=service.pk,
                    name=name,
                    variable_stem=variable_stem(name),
                    description=f"Uses {service.name}." if rng.random() < 0.5 else "",
                    auth_scheme=service.security,
                    created_by_id=user_pk,
                )
            )
        connections = _insert(state, Connection, connections, "connections")
        services = {plan[2].pk: plan[2] for plan in plans}
        _insert(
            state,
            ConnectionBinding,
            (
                ConnectionBinding(
                    connection_id=c.pk,
                    environment_id=environment_pk,
                    endpoint_id=state.default_endpoints.get(c.service_id, {}).get(environment_pk),
                    **_credentials(rng, c.auth_scheme),
                )
                for c in connections
                for environment_pk in environment_pks
            ),
            "connection bindings",
        )
        users = dict(state.user_ids)
        project_names = {pk: name for pk, name, _ in state.projects}
        _insert(
            state,
            ActivityEvent,
            (
                ActivityEvent(
                    organization=state.organization,
                    project_id=c.project_id,
                    project_name=project_names[c.project_id],
                    object_kind=ObjectKind.CONNECTION,
                    object_id=str(c.public_id),
                    object_name=c.name,
                    actor_id=c.created_by_id,
                    actor_name=users[c.created_by_id],
                    action=Action.CREATED,
                    detail={
                        "service": f"{services[c.service_id].name} v{services[c.service_id].major}",
                        "scope": c.scope_label,
                    },
                )
                for c in connections
            ),
            "connection events",
        )


def build(size_label: str, log: Callable[[str], None] = print) -> dict[str, int]:
    """Create the organization of ``size_label``; returns the row counts."""
    size = SIZES[size_label]
    rng = random.Random(SEED)
    steps = (
        ("users", lambda state: _users(rng, state)),
        ("projects", lambda state: _projects(rng, size, state)),
        ("components", lambda state: _components(rng, size, state)),
        ("tags", _tags),
        ("services", lambda state: _services(rng, size, state)),
        ("connections", lambda state: _connections(rng, size, state)),
    )
    with transaction.atomic():
        organization = Organization.objects.create(
            name=f"Initech ({size.label})", handle=organization_handle(size.label)
        )
        state = _State(
            organization=organization,
            environments=default_environments_create(organization=organization),
        )
        for label, step in steps:
            started = time.perf_counter()
            step(state)
            log(f"  {label}: {time.perf_counter() - started:.1f} s")
    return dict(state.counts)


# Two organization-wide services whose pages are timed side by side: the
# largest overview and definition the forms accept, and none at all.
LARGEST_DOCUMENTED = "Bench Largest Documentation"
UNDOCUMENTED = "Bench No Documentation"
# The overview that took 47 s per view with python-Markdown (issue #11).
WORST_OVERVIEW = "[" * OVERVIEW_MAX_LENGTH


def largest_definition() -> str:
    """An OpenAPI document of as many operations as fit in the upload limit."""
    document = {"openapi": "3.0.3", "info": {"title": LARGEST_DOCUMENTED, "version": "1.0.0"}}

    def text(count: int) -> str:
        paths = {
            f"/resources/{index}/items": {
                method: {
                    "summary": f"{method.title()} item {index}",
                    "operationId": f"{method}{index}",
                }
                for method in ("get", "put", "delete")
            }
            for index in range(count)
        }
        return json.dumps({**document, "paths": paths}, indent=2)

    # Size grows with the count: estimate from a sample, then step down.
    count = DEFINITION_MAX_BYTES * 100 // len(text(100).encode())
    while len((definition := text(count)).encode()) > DEFINITION_MAX_BYTES:
        count -= 10
    return definition


def documentation_extremes_create(organization_handle: str) -> None:
    """Register the two services (once) through the form's own service function."""
    organization = Organization.objects.get(handle=organization_handle)
    taken = set(
        Service.objects.filter(
            organization=organization, name__in=[LARGEST_DOCUMENTED, UNDOCUMENTED]
        ).values_list("name", flat=True)
    )
    if LARGEST_DOCUMENTED not in taken:
        definition = largest_definition()
        third_party_service_register(
            organization=organization,
            name=LARGEST_DOCUMENTED,
            version="1.0.0",
            summary="The largest overview and API definition the forms accept.",
            overview=WORST_OVERVIEW,
            api_definition=definition,
            definition_format=detect_format(definition),
        )
    if UNDOCUMENTED not in taken:
        third_party_service_register(organization=organization, name=UNDOCUMENTED, version="1.0.0")
