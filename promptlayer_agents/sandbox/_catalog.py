"""The sandbox's agents: loaded from YAML or JSON, checked, and looked up as the API does.

Two forms are accepted. A catalog holds `agents:`, a list of entries, each with a `workflow_name`
and its `versions`; a version has the shape Get Agent answers (nodes with `node_type`,
`configuration`, `dependencies`, `is_output_node`; edges with conditionals; `release_labels`;
`required_input_variables`), and ids and the other fields Get Agent adds are filled in. Or Get
Agent answers themselves (what `promptlayer-agents get NAME --json` prints): one definition or a
list, each served under its `workflow_name` with its version and labels.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from promptlayer_agents_api.models import AgentVersion, RequiredInputVariables

from ..definitions import dependency_order
from ._nodes import check_node

DEFAULT_AGENTS = "default_agents.yaml"
# The bundled agents are read with libyaml's loader when PyYAML was built with it: 2 ms rather than
# 25, which every sandbox started without agents of its own pays (a test checks both loaders read
# that file alike). A user's file keeps PyYAML's own loader: libyaml refuses some YAML it reads
# (`{a: 1, b:}`), and its errors do not quote the line.
BUNDLED_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(ValueError):
    """An agents file that the sandbox cannot serve; the message says where and why."""


@dataclass(frozen=True)
class Agent:
    """One agent and its versions, newest last."""

    id: int
    name: str
    versions: tuple[AgentVersion, ...]

    def version(self, *, number: int | None, label: str | None) -> AgentVersion | None:
        """The version with this number or label, else the latest; None when there is none."""
        if number is not None:
            return next((v for v in self.versions if v.version == number), None)
        if label is not None:
            return next((v for v in self.versions if label in _labels(v)), None)
        return self.versions[-1]


class Catalog:
    """Every agent the sandbox serves, by name and by id."""

    def __init__(self, agents: Iterable[Agent]) -> None:
        self._by_name = {agent.name: agent for agent in agents}
        self._by_id = {agent.id: agent for agent in self._by_name.values()}

    def add(self, definition: Mapping[str, Any]) -> AgentVersion:
        """Serve one more version, given as Get Agent answers it: a new agent, or a new version
        of the agent with its `workflow_name`. Raises CatalogError, changing nothing, when the
        definition is not one the sandbox can serve or clashes with what it serves."""
        name = definition.get("workflow_name") if isinstance(definition, Mapping) else None
        if not isinstance(name, str):
            raise CatalogError("a definition needs a workflow_name (as Get Agent answers it)")
        known = self._by_name.get(name)
        agent_id = definition.get("workflow_id", known.id if known else self._next_id())
        if known is None and agent_id in self._by_id:
            raise CatalogError(f"workflow_id {agent_id} is already the id of another agent")
        versions = known.versions if known else ()
        number = definition.get("version", max((v.version for v in versions), default=0) + 1)
        version = _version(name, agent_id, 100 + self._count(), number, definition, name)
        if known is not None and agent_id != known.id:
            raise CatalogError(f"agent {name!r} has workflow_id {known.id}, not {agent_id}")
        ordered = tuple(sorted((*versions, version), key=lambda v: v.version))
        _check_labels(name, ordered)
        self._by_name[name] = self._by_id[agent_id] = Agent(agent_id, name, ordered)
        return version

    def _next_id(self) -> int:
        return max(self._by_id, default=0) + 1

    def _count(self) -> int:
        return sum(len(agent.versions) for agent in self._by_name.values())

    def find(self, name_or_id: str) -> Agent | None:
        """The agent with this name, or with this numeric id (ASCII digits only: "¹" or "٣" is
        a name, never an id)."""
        agent = self._by_name.get(name_or_id)
        if agent is None and name_or_id.isascii() and name_or_id.isdigit():  # not "0³": int() fails
            agent = self._by_id.get(int(name_or_id))
        return agent

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)


def _labels(version: AgentVersion) -> list[str]:
    labels = version.release_labels
    return labels if isinstance(labels, list) else []


def load_catalog(source: str | Path | Mapping[str, Any] | list[Any] | None = None) -> Catalog:
    """The agents in a YAML/JSON file, or in already-loaded data (a catalog, one Get Agent
    definition or a list of them); the bundled demo agents when `source` is None."""
    if source is None:
        text = resources.files(__package__).joinpath(DEFAULT_AGENTS).read_text(encoding="utf-8")
        data: Any = yaml.load(text, Loader=BUNDLED_LOADER)
    elif isinstance(source, Mapping | list):
        data = source
    else:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError) as error:
            raise CatalogError(f"cannot read agents file {path}: {error}") from error
    if _is_definition(data) or (isinstance(data, list) and all(map(_is_definition, data))):
        catalog = Catalog([])
        for index, definition in enumerate(data if isinstance(data, list) else [data]):
            try:
                catalog.add(definition)
            except CatalogError as error:
                raise CatalogError(f"definition [{index}]: {error}") from error
        return catalog
    if not isinstance(data, Mapping) or not isinstance(data.get("agents"), list):
        raise CatalogError(
            "an agents file holds a mapping with a list under 'agents', or Get Agent "
            "definitions (one, or a list), each with workflow_name and nodes"
        )
    return Catalog(_agents(data["agents"]))


def _is_definition(data: Any) -> bool:
    """Whether data looks like one Get Agent answer (not a catalog)."""
    return isinstance(data, Mapping) and "workflow_name" in data and "nodes" in data


def _agents(entries: list[Any]) -> list[Agent]:
    agents: list[Agent] = []
    version_ids = iter(range(100, 1_000_000))
    for index, entry in enumerate(entries):
        where = f"agents[{index}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("workflow_name"), str):
            raise CatalogError(f"{where}: each agent needs a workflow_name")
        name = entry["workflow_name"]
        agent_id = entry.get("workflow_id", index + 1)
        versions = entry.get("versions")
        if not isinstance(versions, list) or not versions:
            raise CatalogError(f"{where} ({name}): needs a non-empty list of versions")
        built = tuple(
            _version(name, agent_id, next(version_ids), i + 1, raw, f"{where}.versions[{i}]")
            for i, raw in enumerate(versions)
        )
        _check_labels(name, built)
        agents.append(Agent(id=agent_id, name=name, versions=built))
    _check_unique(agents)
    return agents


def _version(
    name: str, agent_id: int, version_id: int, number: int, raw: Any, where: str
) -> AgentVersion:
    """A version as Get Agent answers it, with ids filled in, checked."""
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: a version is a mapping")
    number = raw.get("version", number)
    data = {
        "success": True,
        "workflow_id": agent_id,
        "workflow_name": name,
        "version": number,
        "workflow_version_id": version_id,
        "commit_message": None,
        "required_input_variables": {},
        "release_labels": [],
        "created_at": "2026-01-01T00:00:00+00:00",
        **raw,
        "nodes": [_node(name, number, version_id, node) for node in raw.get("nodes", [])],
        "edges": [_edge(name, number, edge) for edge in raw.get("edges", [])],
    }
    problem = json_problem(data)
    if problem:
        raise CatalogError(f"{where}: Get Agent could not answer it: {problem}")
    try:
        version = AgentVersion.from_dict(data)
    except (KeyError, TypeError, ValueError) as error:
        raise CatalogError(f"{where}: not a Get Agent version: {error!r}") from error
    _check_graph(version, f"{where} ({name} v{number})")
    return version


def json_problem(value: Any) -> str | None:
    """Why `value` cannot be sent as JSON (NaN or infinity, a lone surrogate, a set, nesting too
    deep), or None: what the sandbox serves must be answerable, or every later answer is a 500."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (ValueError, TypeError, RecursionError) as error:  # UnicodeEncodeError is a ValueError
        return f"a value JSON cannot carry ({type(error).__name__}: {error})"
    return None


def _node(agent: str, number: int, version_id: int, node: Any) -> Any:
    if not isinstance(node, Mapping):
        return node
    node_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{agent}:{number}:{node.get('name')}"))
    defaults = {"id": node_id, "dependencies": [], "configuration": {}, "is_output_node": False}
    return {**defaults, "workflow_version_id": version_id, **node}


def _edge(agent: str, number: int, edge: Any) -> Any:
    if not isinstance(edge, Mapping):
        return edge
    key = f"sandbox:{agent}:{number}:{edge.get('source_node_name')}->{edge.get('target_node_name')}"
    return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, key)), "is_and": True, **edge}


def _check_graph(version: AgentVersion, where: str) -> None:
    """Node names unique, node types runnable, dependencies and edges known, no cycles.
    Conditionals are not checked: like PromptLayer's Get Agent answer, any is readable, and the
    engine skips one it cannot evaluate."""
    names = [node.name for node in version.nodes]
    if len(set(names)) != len(names):
        raise CatalogError(f"{where}: node names must be unique")
    inputs = input_names(version)
    for node in version.nodes:
        problem = check_node(node.node_type, node.configuration.to_dict())
        if problem:
            raise CatalogError(f"{where}: node {node.name!r}: {problem}")
        unknown = [d for d in node.dependencies if d not in names and d not in inputs]
        if unknown:
            raise CatalogError(f"{where}: node {node.name!r} depends on unknown {unknown}")
    for edge in version.edges:
        for end in (edge.source_node_name, edge.target_node_name):
            if end not in names:
                raise CatalogError(f"{where}: edge names unknown node {end!r}")
    _check_acyclic(version, where)


def input_names(version: AgentVersion) -> set[str]:
    """The version's declared input variables."""
    declared = version.required_input_variables
    return (
        set(declared.additional_properties)
        if isinstance(declared, RequiredInputVariables)
        else set()
    )


def _check_acyclic(version: AgentVersion, where: str) -> None:
    try:
        dependency_order(version)
    except ValueError as error:
        raise CatalogError(f"{where}: {error}") from error


def _check_labels(name: str, versions: tuple[AgentVersion, ...]) -> None:
    numbers = [v.version for v in versions]
    if len(set(numbers)) != len(numbers) or any(n <= 0 for n in numbers):
        raise CatalogError(f"agent {name!r}: version numbers must be unique and > 0")
    labels = [label for v in versions for label in _labels(v)]
    if len(set(labels)) != len(labels):
        raise CatalogError(f"agent {name!r}: a release label may be on one version only")


def _check_unique(agents: list[Agent]) -> None:
    if len({a.name for a in agents}) != len(agents) or len({a.id for a in agents}) != len(agents):
        raise CatalogError("agent names and ids must be unique")
