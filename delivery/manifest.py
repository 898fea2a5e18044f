"""A component's component.yaml, read as Choreo reads it (schema versions 1.1
and 1.2) and checked against the console: the connections it declares under
``dependencies.connectionReferences`` and the variables it maps their keys
to under ``configurations.env``. What delivery keeps of a valid file is
``declared`` (ComponentManifest.declared, read by delivery/config.py).

The file is an untrusted paste or upload: it is read as YAML data only
(SafeLoader), at most MANIFEST_MAX_BYTES, never deeper than MAX_DEPTH, and
an alias (``*name``) is refused when met rather than expanded, so no file
costs more than its size. The node tree is kept (not converted to Python
values) so that every problem names its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

from connections.models import Connection
from connections.naming import variable_name
from console.models import Component

MANIFEST_MAX_BYTES = 64 * 1024
SCHEMA_VERSIONS = ("1.1", "1.2")
# A component.yaml nests a few levels (configurations.env[].valueFrom.
# connectionRef.key is six); endpoint schemas may add some, not hundreds.
MAX_DEPTH = 40
# What a shell, Kubernetes and Choreo accept as a variable's name.
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Enough names to recognise a typo without listing a whole project.
NAMES_SHOWN = 10

_NULL_TAG = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass
class ManifestCheck:
    """The problems found, in line order, and, when there are none, what
    delivery keeps of the file."""

    problems: list[Problem] = field(default_factory=list)
    declared: dict | None = None

    @property
    def is_valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Mapped:
    """An env entry that maps a key of a connection to a custom name."""

    line: int
    name: str
    connection: Connection
    written_connection: str
    key: str


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader's composer, refusing aliases and deep nesting as it meets
    them (the C loader cannot be hooked this way; the file is small)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                line, "YAML aliases (*name) are not read here: write the value out in full."
            )
        if self._depth >= MAX_DEPTH:
            raise _Refused(line, f"The file nests more than {MAX_DEPTH} levels deep.")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _compose(text: str) -> yaml.Node | None:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node | None) -> str | None:
    """The text of a scalar as written (``1.2`` stays "1.2"); None for a
    missing or null value, a list or a mapping."""
    if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL_TAG:
        return None
    return node.value


def _capital(where: str) -> str:
    """``where`` at the start of a sentence; YAML keys keep their case."""
    return where[0].upper() + where[1:] if where.startswith(("a ", "an ")) else where


def _quoted(text: str) -> str:
    return f"“{text}”"


# A mapping's keys and their (key node, value node).
_Keys = dict[str, tuple[yaml.Node, yaml.Node]]


class _Reader:
    """One pass over the node tree, collecting problems and what a valid
    file declares."""

    def __init__(self, connections: Iterable[Connection]) -> None:
        self.problems: list[Problem] = []
        self.visible = {connection.name.casefold(): connection for connection in connections}
        # Declared name (folded) -> its line and the visible connection of
        # that name (None when there is none).
        self.declared: dict[str, tuple[int, Connection | None]] = {}
        self.references: list[dict[str, str]] = []
        self.mapped: list[_Mapped] = []

    def problem(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Problem(_line(node), message))

    def mapping(self, node: yaml.Node, where: str) -> _Keys:
        """The keys of a mapping node and their (key, value) nodes; a node of
        another shape is a problem (and reads as empty)."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{_capital(where)} must be a mapping of keys to values.")
            return {}
        keys: _Keys = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key is None:
                continue
            if key in keys:
                first = _line(keys[key][0])
                self.problem(key_node, f"{key} appears twice in {where} (first on line {first}).")
                continue
            keys[key] = (key_node, value_node)
        return keys

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and _scalar(node) is None:
            return []  # "env:" with nothing under it declares nothing
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{where} must be a list (each item starting with “- ”).")
            return []
        return list(node.value)

    def text(self, keys: _Keys, key: str, item: yaml.Node, where: str) -> str | None:
        """A required text value of a mapping."""
        if key not in keys:
            self.problem(item, f"{_capital(where)} needs a {key}.")
            return None
        value = _scalar(keys[key][1])
        if value is None or not value.strip():
            self.problem(keys[key][1], f"The {key} of {where} must be a text value.")
            return None
        return value

    def read(self, node: yaml.Node) -> None:
        root = self.mapping(node, "component.yaml")
        if not isinstance(node, yaml.MappingNode):
            return
        self.schema_version(root, node)
        if "dependencies" in root:
            dependencies = self.mapping(root["dependencies"][1], "dependencies")
            if "connectionReferences" in dependencies:
                where = "dependencies.connectionReferences"
                for item in self.sequence(dependencies["connectionReferences"][1], where):
                    self.reference(item)
        if "configurations" in root:
            configurations = self.mapping(root["configurations"][1], "configurations")
            if "env" in configurations:
                names: dict[str, int] = {}
                for item in self.sequence(configurations["env"][1], "configurations.env"):
                    self.env_entry(item, names)
        self.collisions()

    def schema_version(self, root: _Keys, node: yaml.Node) -> None:
        supported = " or ".join(SCHEMA_VERSIONS)
        if "schemaVersion" not in root:
            self.problem(node, f"schemaVersion is missing: write schemaVersion: {supported}.")
            return
        value_node = root["schemaVersion"][1]
        version = _scalar(value_node)
        if version is None:
            self.problem(value_node, f"schemaVersion has no version: write {supported}.")
        elif version not in SCHEMA_VERSIONS:
            self.problem(
                value_node,
                f"schemaVersion {_quoted(version)} is not one Junction reads: use {supported}.",
            )

    def reference(self, item: yaml.Node) -> None:
        where = "a connection reference"
        keys = self.mapping(item, where)
        if not keys:
            return
        name = self.text(keys, "name", item, where)
        resource_ref = self.text(keys, "resourceRef", item, where)
        if name is None:
            return
        name_node = keys["name"][1]
        folded = name.casefold()
        if folded in self.declared:
            first = self.declared[folded][0]
            self.problem(name_node, f"{_quoted(name)} is declared twice (first on line {first}).")
            return
        connection = self.visible.get(folded)
        self.declared[folded] = (_line(name_node), connection)
        if connection is None:
            self.problem(name_node, self.no_connection(name))
            return
        if resource_ref is None:
            return
        expected = connection.service.resource_reference
        if resource_ref != expected:
            self.problem(
                keys["resourceRef"][1],
                f"{_quoted(resource_ref)} is not the resourceRef of {connection.name}: "
                f"its service is {expected}.",
            )
            return
        self.references.append({"name": name, "resourceRef": resource_ref})

    def no_connection(self, name: str) -> str:
        message = f"This component sees no connection named {_quoted(name)}."
        names = sorted(connection.name for connection in self.visible.values())
        if not names:
            return message + " It has none yet: create the connection first."
        shown = ", ".join(names[:NAMES_SHOWN]) + (", …" if len(names) > NAMES_SHOWN else "")
        return f"{message} It sees: {shown}."

    def env_entry(self, item: yaml.Node, names: dict[str, int]) -> None:
        where = "an env entry"
        keys = self.mapping(item, where)
        if not keys:
            return
        name = self.env_name(keys, item, names)
        if "valueFrom" not in keys:
            self.problem(item, f"{_capital(where)} needs a valueFrom.")
            return
        source = self.mapping(keys["valueFrom"][1], "valueFrom")
        if "connectionRef" not in source:
            return  # another source (configForm): not a connection's value
        reference_node = source["connectionRef"][1]
        reference = self.mapping(reference_node, "connectionRef")
        if not reference:
            return
        written = self.text(reference, "name", reference_node, "connectionRef")
        key = self.text(reference, "key", reference_node, "connectionRef")
        if written is None:
            return
        connection = self.referenced(reference["name"][1], written)
        if connection is None or key is None:
            return
        if self.provides(reference["key"][1], connection, key) and name is not None:
            self.mapped.append(_Mapped(_line(keys["name"][1]), name, connection, written, key))

    def env_name(self, keys: _Keys, item: yaml.Node, names: dict[str, int]) -> str | None:
        """The entry's variable name, when it is valid and not yet taken."""
        name = self.text(keys, "name", item, "an env entry")
        if name is None:
            return None
        node = keys["name"][1]
        if not ENV_NAME.fullmatch(name):
            self.problem(
                node,
                f"{_quoted(name)} is not a valid environment variable name: use letters, "
                "digits and _, not starting with a digit.",
            )
            return None
        if name in names:
            self.problem(node, f"{name} is used twice (first on line {names[name]}).")
            return None
        names[name] = _line(node)
        return name

    def referenced(self, node: yaml.Node, name: str) -> Connection | None:
        """The connection an env entry's connectionRef names: one declared
        under connectionReferences, as Choreo requires, and visible."""
        folded = name.casefold()
        if folded not in self.declared:
            connection = self.visible.get(folded)
            if connection is None:
                self.problem(node, self.no_connection(name))
            else:
                self.problem(
                    node,
                    f"{connection.name} is not declared under dependencies.connectionReferences: "
                    f"add it there (resourceRef: {connection.service.resource_reference}).",
                )
            return None
        line, connection = self.declared[folded]
        if connection is None:
            self.problem(
                node, f"{_quoted(name)} (line {line}) is no connection this component sees."
            )
        return connection

    def provides(self, node: yaml.Node, connection: Connection, key: str) -> bool:
        provided = [provided_key for provided_key, _ in connection.keys()]  # noqa: SIM118
        if key in provided:
            return True
        same_letters = [candidate for candidate in provided if candidate.lower() == key.lower()]
        hint = (
            f"Did you mean {same_letters[0]}?"
            if same_letters
            else f"It provides {', '.join(provided)}."
        )
        self.problem(node, f"{connection.name} provides no key {_quoted(key)}. {hint}")
        return False

    def collisions(self) -> None:
        """A key mapped twice, or a custom name that is the CHOREO_ name
        delivery gives another key of a declared connection (docs/domain.md,
        Environment variables): either way a value would be lost."""
        mapped_on: dict[tuple[int, str], int] = {}
        for entry in self.mapped:
            mapped_key = (entry.connection.pk, entry.key)
            if mapped_key not in mapped_on:
                mapped_on[mapped_key] = entry.line
                continue
            self.problems.append(
                Problem(
                    entry.line,
                    f"{entry.key} of {entry.connection.name} is already mapped on line "
                    f"{mapped_on[mapped_key]}: delivery gives each key one name.",
                )
            )
        delivered = [connection for _, connection in self.declared.values() if connection]
        default_names = {
            variable_name(connection.name, key): (connection, key)
            for connection in delivered
            for key, _ in connection.keys()  # noqa: SIM118 (a list, not a dict)
            if (connection.pk, key) not in mapped_on
        }
        for entry in self.mapped:
            if entry.name in default_names:
                connection, key = default_names[entry.name]
                self.problems.append(
                    Problem(
                        entry.line,
                        f"{entry.name} is the variable delivery gives {key} of "
                        f"{connection.name}: choose another name, or map that key too.",
                    )
                )

    def declarations(self) -> dict:
        """ComponentManifest.declared: names as the file writes them
        (delivery/config.py matches them to connections case-insensitively)."""
        return {
            "references": self.references,
            "env": [
                {"name": entry.name, "connection": entry.written_connection, "key": entry.key}
                for entry in self.mapped
            ],
        }


def too_large_message() -> str:
    return f"A component.yaml may be at most {MANIFEST_MAX_BYTES // 1024} KB."


def check_manifest(text: str, connections: Iterable[Connection]) -> ManifestCheck:
    """Read ``text`` as a component.yaml and check it against the
    ``connections`` the component sees (``manifest_connections``)."""
    if len(text.encode()) > MANIFEST_MAX_BYTES:
        return ManifestCheck([Problem(1, too_large_message())])
    if not text.strip():
        return ManifestCheck([Problem(1, "The file is empty.")])
    try:
        node = _compose(text)
    except _Refused as refused:
        return ManifestCheck([Problem(refused.line, refused.message)])
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = error.problem or "it cannot be read"
        return ManifestCheck([Problem(line, f"This is not valid YAML: {reason}.")])
    except yaml.YAMLError as error:
        return ManifestCheck([Problem(1, f"This is not valid YAML: {error}.")])
    if node is None:
        return ManifestCheck([Problem(1, "The file holds only comments.")])
    reader = _Reader(connections)
    reader.read(node)
    if reader.problems:
        return ManifestCheck(sorted(reader.problems, key=lambda problem: problem.line))
    return ManifestCheck(declared=reader.declarations())


def manifest_connections(component: Component) -> list[Connection]:
    """The connections a component.yaml of ``component`` may declare, with
    what the check reads of them (resource references and keys)."""
    return list(
        Connection.objects.visible_to(component.project, component)
        .select_related("service__provider_component__project")
        .prefetch_related("service__parameters")
    )
