"""component.yaml read against the console (delivery/manifest.py): each
kind of problem on its line, in both schema versions Choreo reads, and what
delivery keeps of a valid file."""

from __future__ import annotations

import pytest

from delivery.manifest import MANIFEST_MAX_BYTES, MAX_DEPTH, check_manifest, manifest_connections

DIRECTORY_REF = "service:/hr/employee-service/v1/directory/ORGANIZATION"
PAYMENTS_REF = "thirdparty:Stripe API/v1"
VERSIONS = pytest.mark.parametrize("version", ["1.1", "1.2"])


@pytest.fixture
def check(delivery_world, component):
    connections = manifest_connections(component)

    def _check(text: str):
        return check_manifest(text, connections)

    return _check


def _file(version: str, references: str = "", env: str = "") -> str:
    """A component.yaml: line 1 schemaVersion, line 2 an endpoint, the
    references from line 7 and the env entries after them."""
    text = (
        f'schemaVersion: "{version}"\n'
        "endpoints:\n"
        "  - name: api\n"
        "    service: {basePath: /, port: 8080}\n"
        "    type: REST\n"
        "dependencies:\n"
        "  connectionReferences:\n"
    )
    text += references or (
        f"    - name: Directory\n      resourceRef: {DIRECTORY_REF}\n"
        f"    - name: Payments\n      resourceRef: {PAYMENTS_REF}\n"
    )
    if env:
        text += "configurations:\n  env:\n" + env
    return text


def _env(name: str, connection: str, key: str) -> str:
    return (
        f"    - name: {name}\n"
        "      valueFrom:\n"
        "        connectionRef:\n"
        f"          name: {connection}\n"
        f"          key: {key}\n"
    )


def _problems(result) -> list[tuple[int, str]]:
    return [(problem.line, problem.message) for problem in result.problems]


def _line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if fragment in line)


@VERSIONS
def test_it_keeps_what_a_valid_file_declares(check, version):
    text = _file(
        version,
        env=_env("DIRECTORY_URL", "directory", "ServiceURL")
        + _env("STRIPE_KEY", "Payments", "ChoreoAPIKey")
        + "    - name: LOG_LEVEL\n      valueFrom:\n        configForm:\n          type: string\n",
    )

    result = check(text)

    assert result.problems == []
    assert result.declared == {
        "references": [
            {"name": "Directory", "resourceRef": DIRECTORY_REF},
            {"name": "Payments", "resourceRef": PAYMENTS_REF},
        ],
        "env": [
            {"name": "DIRECTORY_URL", "connection": "directory", "key": "ServiceURL"},
            {"name": "STRIPE_KEY", "connection": "Payments", "key": "ChoreoAPIKey"},
        ],
    }


def test_it_accepts_a_file_that_declares_nothing(check):
    assert check('schemaVersion: "1.2"\n').declared == {"references": [], "env": []}


@pytest.mark.parametrize(
    ("first_line", "line_of_problem", "message"),
    [
        ('schemaVersion: "1.0"', 1, "schemaVersion “1.0” is not one Junction reads"),
        ("schemaVersion: 2", 1, "schemaVersion “2” is not one Junction reads"),
        ("kind: component", 1, "schemaVersion is missing"),
        ("schemaVersion:", 1, "schemaVersion has no version: write 1.1 or 1.2."),
    ],
)
def test_it_refuses_a_schema_version_it_does_not_read(check, first_line, line_of_problem, message):
    text = first_line + "\n" + _file("1.2").split("\n", 1)[1]

    result = check(text)

    assert len(result.problems) == 1
    assert result.problems[0].line == line_of_problem
    assert message in result.problems[0].message
    assert result.declared is None


def test_it_reads_an_unquoted_version(check):
    assert check(_file("1.2").replace('"1.2"', "1.2")).problems == []


@VERSIONS
def test_it_reports_a_reference_to_no_connection_the_component_sees(check, version):
    references = (
        f"    - name: Directory\n      resourceRef: {DIRECTORY_REF}\n"
        f"    - name: Hidden\n      resourceRef: {PAYMENTS_REF}\n"
    )
    text = _file(version, references)

    (problem,) = check(text).problems

    assert problem.line == _line_of(text, "name: Hidden")
    assert problem.message == (
        "This component sees no connection named “Hidden”. It sees: Directory, Payments."
    )


@VERSIONS
def test_it_matches_connection_names_whatever_their_case(check, version):
    references = f"    - name: PAYMENTS\n      resourceRef: {PAYMENTS_REF}\n"

    result = check(_file(version, references, _env("KEY", "payments", "ChoreoAPIKey")))

    assert result.problems == []
    assert result.declared["references"] == [{"name": "PAYMENTS", "resourceRef": PAYMENTS_REF}]


@VERSIONS
def test_it_reports_a_resource_ref_that_is_not_the_connections(check, version):
    references = (
        f"    - name: Directory\n      resourceRef: {PAYMENTS_REF}\n"
        f"    - name: Payments\n      resourceRef: {PAYMENTS_REF}\n"
    )
    text = _file(version, references)

    (problem,) = check(text).problems

    assert problem.line == 9  # Directory's resourceRef
    assert problem.message == (
        f"“{PAYMENTS_REF}” is not the resourceRef of Directory: its service is {DIRECTORY_REF}."
    )


@VERSIONS
def test_it_reports_an_env_entry_naming_an_undeclared_connection(check, version):
    references = f"    - name: Directory\n      resourceRef: {DIRECTORY_REF}\n"
    text = _file(
        version,
        references,
        _env("STRIPE_KEY", "Payments", "ChoreoAPIKey") + _env("OTHER", "Nowhere", "ServiceURL"),
    )

    problems = _problems(check(text))

    assert problems == [
        (
            _line_of(text, "name: Payments"),
            "Payments is not declared under dependencies.connectionReferences: add it there "
            f"(resourceRef: {PAYMENTS_REF}).",
        ),
        (
            _line_of(text, "name: Nowhere"),
            "This component sees no connection named “Nowhere”. It sees: Directory, Payments.",
        ),
    ]


@VERSIONS
def test_it_reports_a_key_the_connection_does_not_provide(check, version):
    text = _file(
        version,
        env=_env("SECRET", "Directory", "ChoreoAPIKey") + _env("URL", "Payments", "serviceurl"),
    )

    problems = _problems(check(text))

    assert problems == [
        (
            _line_of(text, "key: ChoreoAPIKey"),
            "Directory provides no key “ChoreoAPIKey”. It provides ServiceURL, ConsumerKey, "
            "ConsumerSecret, TokenURL.",
        ),
        (
            _line_of(text, "key: serviceurl"),
            "Payments provides no key “serviceurl”. Did you mean ServiceURL?",
        ),
    ]


@VERSIONS
def test_it_takes_a_third_party_services_parameters_as_keys(check, version):
    result = check(_file(version, env=_env("WEBHOOK_SECRET", "Payments", "webhookSecret")))

    assert result.problems == []


@VERSIONS
@pytest.mark.parametrize("name", ["1ST_URL", "MY-URL", "MY URL", "ÜRL"])
def test_it_reports_a_name_that_is_no_environment_variable(check, version, name):
    text = _file(version, env=_env(f'"{name}"', "Directory", "ServiceURL"))

    (problem,) = check(text).problems

    assert problem.line == _line_of(text, name)
    assert problem.message.startswith(f"“{name}” is not a valid environment variable name")


@VERSIONS
def test_it_reports_a_name_used_twice(check, version):
    text = _file(
        version,
        env=_env("SERVICE_URL", "Directory", "ServiceURL")
        + _env("SERVICE_URL", "Payments", "ServiceURL"),
    )

    (problem,) = check(text).problems

    assert (problem.line, problem.message) == (19, "SERVICE_URL is used twice (first on line 14).")


@VERSIONS
def test_it_reports_a_name_that_another_keys_choreo_name_already_has(check, version):
    # Payments' ServiceURL keeps its CHOREO_ name: Directory's cannot take it.
    text = _file(version, env=_env("CHOREO_PAYMENTS_SERVICEURL", "Directory", "ServiceURL"))

    (problem,) = check(text).problems

    assert problem.line == 14
    assert problem.message == (
        "CHOREO_PAYMENTS_SERVICEURL is the variable delivery gives ServiceURL of Payments: "
        "choose another name, or map that key too."
    )


@VERSIONS
def test_it_lets_a_key_keep_its_own_choreo_name(check, version):
    text = _file(version, env=_env("CHOREO_DIRECTORY_SERVICEURL", "Directory", "ServiceURL"))

    assert check(text).problems == []


@VERSIONS
def test_it_reports_a_key_mapped_twice(check, version):
    text = _file(
        version,
        env=_env("URL_ONE", "Directory", "ServiceURL") + _env("URL_TWO", "Directory", "ServiceURL"),
    )

    (problem,) = check(text).problems

    assert (problem.line, problem.message) == (
        19,
        "ServiceURL of Directory is already mapped on line 14: delivery gives each key one name.",
    )


@VERSIONS
def test_it_reports_a_connection_declared_twice(check, version):
    references = (
        f"    - name: Payments\n      resourceRef: {PAYMENTS_REF}\n"
        f"    - name: payments\n      resourceRef: {PAYMENTS_REF}\n"
    )

    assert _problems(check(_file(version, references))) == [
        (10, "“payments” is declared twice (first on line 8).")
    ]


@VERSIONS
@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("dependencies: [a, b]\n", 2, "dependencies must be a mapping of keys to values."),
        (
            "dependencies:\n  connectionReferences: Payments\n",
            3,
            "dependencies.connectionReferences must be a list",
        ),
        (
            "dependencies:\n  connectionReferences:\n    - Payments\n",
            4,
            "A connection reference must be a mapping",
        ),
        (
            "dependencies:\n  connectionReferences:\n    - name: Payments\n",
            4,
            "A connection reference needs a resourceRef.",
        ),
        (
            "dependencies:\n  connectionReferences:\n    - resourceRef: x\n",
            4,
            "A connection reference needs a name.",
        ),
        (
            "dependencies:\n  connectionReferences:\n"
            "    - name: [Payments]\n      resourceRef: x\n",
            4,
            "The name of a connection reference must be a text value.",
        ),
        ("configurations:\n  env:\n    - name: A\n", 4, "An env entry needs a valueFrom."),
        (
            "configurations:\n  env:\n    - name: A\n      valueFrom:\n        connectionRef:\n"
            "          key: ServiceURL\n",
            7,
            "connectionRef needs a name.",
        ),
        ("configurations:\n  env: {name: A}\n", 3, "configurations.env must be a list"),
        (
            "dependencies: {}\ndependencies: {}\n",
            3,
            "dependencies appears twice in component.yaml (first on line 2).",
        ),
    ],
)
def test_it_reports_a_wrong_shape_on_its_line(check, version, body, line, message):
    text = f'schemaVersion: "{version}"\n' + body

    problems = check(text).problems

    assert [(p.line, p.message[: len(message)]) for p in problems] == [(line, message)]


def test_it_reports_text_that_is_not_yaml_with_its_line(check):
    text = 'schemaVersion: "1.2"\ndependencies:\n  connectionReferences:\n    - name: "Pay\n'

    (problem,) = check(text).problems

    assert problem.line == 5
    assert problem.message.startswith("This is not valid YAML: ")


def test_it_reports_a_file_that_is_not_a_mapping(check):
    assert _problems(check("- a\n- b\n")) == [
        (1, "component.yaml must be a mapping of keys to values.")
    ]


@pytest.mark.parametrize("text", ["", "  \n", "# only a comment\n"])
def test_it_reports_an_empty_file(check, text):
    (problem,) = check(text).problems

    assert problem.line == 1


def test_it_refuses_aliases_without_expanding_them(check):
    # A billion laughs: each line references the one before nine times.
    lines = ['schemaVersion: "1.2"', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")

    (problem,) = check("\n".join(lines)).problems

    assert problem.line == 3
    assert problem.message.startswith("YAML aliases (*name) are not read here")


def test_it_refuses_a_file_over_the_size_limit(check):
    text = 'schemaVersion: "1.2"\n' + "# padding\n" * (MANIFEST_MAX_BYTES // 10)

    (problem,) = check(text).problems

    assert problem.message == "A component.yaml may be at most 64 KB."


def test_it_refuses_nesting_deeper_than_it_reads(check):
    text = 'schemaVersion: "1.2"\nx: ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"

    (problem,) = check(text).problems

    assert problem.line == 2
    assert problem.message == f"The file nests more than {MAX_DEPTH} levels deep."


def test_it_runs_nothing_a_python_tag_asks_for(check, tmp_path):
    marker = tmp_path / "ran"
    text = f'schemaVersion: "1.2"\nx: !!python/object/apply:os.system ["touch {marker}"]\n'

    assert check(text).problems == []  # an unknown key, read as data and ignored
    assert not marker.exists()
