"""Reading an agent definition: typed, read-only views of what `Agents.get` answers, which nodes
feed which, an order that respects that, and the definition as readable text (what
`promptlayer-agents get` prints).

The views hold no `Unset`: optional lists are lists (empty when absent), optional scalars are
`None` when absent. Each keeps the generated model it reads (`.model`) for anything else.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, TypeVar

from promptlayer_agents_api.models import AgentEdge, AgentNode, AgentVersion, EdgeConditional

from ._json import JSON


def _present(value: object) -> JSON:
    """A generated field's value as JSON: None when absent, a model as its dict."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        data: dict[str, JSON] = to_dict()
        return data
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return None  # Unset


@dataclass(frozen=True)
class EdgeCondition:
    """One comparison on an edge. Every field is None when the API left it out; `left` and
    `right` are the operands as the API sent them (usually `{"source": name}` or
    `{"static_value": value}`)."""

    position: int | None
    operator: str | None
    left: JSON
    right: JSON
    model: EdgeConditional = field(repr=False, compare=False)

    @classmethod
    def from_model(cls, model: EdgeConditional) -> EdgeCondition:
        """A view of the generated model, read defensively (the API is lenient here)."""
        position = getattr(model, "position", None)
        operator = getattr(model, "operator", None)
        return cls(
            position=position if isinstance(position, int) else None,
            operator=operator if isinstance(operator, str) else None,
            left=_present(getattr(model, "left_config", None)),
            right=_present(getattr(model, "right_config", None)),
            model=model,
        )

    def __str__(self) -> str:
        """The comparison as text, e.g. `tier = "premium"`."""
        left, operator = _operand(self.left), self.operator or "?"
        if operator in ("is_null", "is_not_null"):
            return f"{left} {operator.replace('_', ' ')}"
        return f"{left} {operator} {_operand(self.right)}"


def _operand(operand: JSON) -> str:
    if isinstance(operand, dict) and "static_value" in operand:
        return json.dumps(operand["static_value"], ensure_ascii=False)
    if isinstance(operand, dict) and operand.get("source") is not None:
        return str(operand["source"])
    return "?" if operand is None else json.dumps(operand, ensure_ascii=False)


@dataclass(frozen=True)
class NodeDefinition:
    """One node of an agent version. `configuration`'s keys depend on `node_type`."""

    id: str
    name: str
    node_type: str
    is_output_node: bool
    configuration: Mapping[str, JSON]
    dependencies: list[str]
    workflow_version_id: int | None
    model: AgentNode = field(repr=False, compare=False)

    @classmethod
    def from_model(cls, model: AgentNode) -> NodeDefinition:
        """A view of the generated model."""
        version_id = model.workflow_version_id
        return cls(
            id=model.id,
            name=model.name,
            node_type=model.node_type,
            is_output_node=model.is_output_node,
            configuration=MappingProxyType(dict(model.configuration.additional_properties)),
            dependencies=list(model.dependencies),
            workflow_version_id=version_id if isinstance(version_id, int) else None,
            model=model,
        )


@dataclass(frozen=True)
class EdgeDefinition:
    """A connection from one node to another, taken when its conditions hold (all of them when
    `is_and`, else any one; always when there are none)."""

    id: str
    source_node_name: str
    target_node_name: str
    is_and: bool
    conditionals: list[EdgeCondition]
    model: AgentEdge = field(repr=False, compare=False)

    @classmethod
    def from_model(cls, model: AgentEdge) -> EdgeDefinition:
        """A view of the generated model."""
        conditionals = model.conditionals if isinstance(model.conditionals, list) else []
        return cls(
            id=model.id,
            source_node_name=model.source_node_name,
            target_node_name=model.target_node_name,
            is_and=model.is_and,
            conditionals=[EdgeCondition.from_model(c) for c in conditionals],
            model=model,
        )


@dataclass(frozen=True)
class AgentDefinition:
    """One version of an agent, as `Agents.get` answers it. `to_dict()` gives the API's JSON."""

    workflow_id: int
    workflow_name: str
    version: int
    workflow_version_id: int
    nodes: list[NodeDefinition]
    edges: list[EdgeDefinition]
    commit_message: str | None
    required_input_variables: Mapping[str, str]
    release_labels: list[str]
    created_at: datetime.datetime | None
    model: AgentVersion = field(repr=False, compare=False)

    @classmethod
    def from_model(cls, model: AgentVersion) -> AgentDefinition:
        """A view of the generated model (which it keeps as `model`)."""
        required = getattr(model.required_input_variables, "additional_properties", None)
        created = model.created_at
        return cls(
            workflow_id=model.workflow_id,
            workflow_name=model.workflow_name,
            version=model.version,
            workflow_version_id=model.workflow_version_id,
            nodes=[NodeDefinition.from_model(node) for node in model.nodes],
            edges=[EdgeDefinition.from_model(edge) for edge in model.edges],
            commit_message=model.commit_message if isinstance(model.commit_message, str) else None,
            required_input_variables=MappingProxyType(dict(required or {})),
            release_labels=list(model.release_labels) if model.release_labels else [],
            created_at=_timestamp(created),
            model=model,
        )

    def to_dict(self) -> dict[str, JSON]:
        """The definition as the API's JSON (what `promptlayer-agents get --json` prints)."""
        data: dict[str, JSON] = self.model.to_dict()
        return data


def _timestamp(value: object) -> datetime.datetime | None:
    """An ISO 8601 timestamp as the API wrote it, read; None when absent or not one (the API
    types it as a plain string, so an odd one never makes the definition unreadable)."""
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


class _Node(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def dependencies(self) -> Sequence[str]: ...


class _Edge(Protocol):
    @property
    def source_node_name(self) -> str: ...
    @property
    def target_node_name(self) -> str: ...


N = TypeVar("N", bound=_Node)
N_co = TypeVar("N_co", bound=_Node, covariant=True)


class _Graph(Protocol[N_co]):
    """An agent version's nodes and edges: a view or the generated model."""

    @property
    def nodes(self) -> Sequence[N_co]: ...
    @property
    def edges(self) -> Sequence[_Edge]: ...


def upstream(version: _Graph[_Node]) -> dict[str, list[str]]:
    """Each node's upstream nodes: the nodes among its dependencies (the rest are input
    variables) and the sources of edges into it."""
    names = {node.name for node in version.nodes}
    result = {node.name: [d for d in node.dependencies if d in names] for node in version.nodes}
    for edge in version.edges:
        if (
            edge.target_node_name in result
            and edge.source_node_name not in result[edge.target_node_name]
        ):
            result[edge.target_node_name].append(edge.source_node_name)
    return result


def dependency_order(version: _Graph[N]) -> list[N]:
    """The nodes, each after its upstream nodes, otherwise in definition order. Raises
    ValueError naming the nodes caught in a cycle."""
    ups = upstream(version)
    placed: set[str] = set()
    order: list[N] = []
    remaining = list(version.nodes)
    while remaining:
        ready = [node for node in remaining if set(ups[node.name]) <= placed]
        if not ready:
            raise ValueError(
                f"nodes depend on each other in a cycle: {[n.name for n in remaining]}"
            )
        order += ready
        placed.update(node.name for node in ready)
        remaining = [node for node in remaining if node.name not in placed]
    return order


def describe(agent: AgentDefinition | AgentVersion) -> list[str]:
    """A readable account of an agent version, nodes in dependency order, one line each."""
    if isinstance(agent, AgentVersion):
        agent = AgentDefinition.from_model(agent)
    labels = ", ".join(agent.release_labels) or "none"
    lines = [
        f"{agent.workflow_name} (id {agent.workflow_id}) version {agent.version}, labels: {labels}"
    ]
    if agent.commit_message is not None:
        lines.append(f"commit: {agent.commit_message}")
    if agent.created_at:
        lines.append(f"created: {agent.created_at}")
    if agent.required_input_variables:
        names = ", ".join(f"{k} ({v})" for k, v in agent.required_input_variables.items())
        lines.append(f"required inputs: {names}")
    try:
        ordered = dependency_order(agent)
        lines.append("nodes, in dependency order:")
    except ValueError as cycle:  # the API answered a graph that cannot run: show it as it is
        ordered = list(agent.nodes)
        lines.append(f"nodes, in definition order ({cycle}):")
    width = max((len(node.name) for node in ordered), default=0)
    for number, node in enumerate(ordered, start=1):
        after = f"after {', '.join(node.dependencies)}" if node.dependencies else "first"
        mark = "  [output]" if node.is_output_node else ""
        lines.append(f"  {number}. {node.name:<{width}}  {node.node_type:<16} {after}{mark}")
    for edge in agent.edges:
        joiner = " and " if edge.is_and else " or "
        rules = joiner.join(str(c) for c in edge.conditionals) or "always"
        lines.append(f"edge: {edge.source_node_name} -> {edge.target_node_name} when {rules}")
    return lines
