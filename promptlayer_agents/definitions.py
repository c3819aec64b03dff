"""Reading an agent definition: the public names of the generated models that `Agents.get`
answers, which nodes feed which, an order that respects that, and the definition as readable
text (what `promptlayer-agents get` prints).

`AgentDefinition`, `NodeDefinition`, `EdgeDefinition` and `EdgeCondition` are the generated
models `AgentVersion`, `AgentNode`, `AgentEdge` and `EdgeConditional` under the names this
package has always used: frozen, each optional field `T | None`, `to_dict()` the API's JSON as
it came. A field added to `openapi.yaml` reaches them with `make generate` alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from promptlayer_agents_api.models import AgentEdge, AgentNode, AgentVersion, EdgeConditional

from .rules import condition_text

AgentDefinition = AgentVersion
"""One version of an agent, as `Agents.get` answers it (the generated `AgentVersion`)."""

NodeDefinition = AgentNode
"""One node of an agent version (the generated `AgentNode`); `configuration` is a read-only
mapping whose keys depend on `node_type`."""

EdgeDefinition = AgentEdge
"""A connection from one node to another (the generated `AgentEdge`), taken when its
`conditionals` hold (all of them when `is_and`, else any one; always when there are none)."""

EdgeCondition = EdgeConditional
"""One comparison on an edge (the generated `EdgeConditional`); `rules.condition_text` gives it
as text. Read leniently: PromptLayer types conditionals as free-form objects."""


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
    """An agent version's nodes and edges."""

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


def describe(agent: AgentDefinition) -> list[str]:
    """A readable account of an agent version, nodes in dependency order, one line each."""
    labels = ", ".join(agent.release_labels or ()) or "none"
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
        rules = joiner.join(condition_text(c) for c in edge.conditionals or ()) or "always"
        lines.append(f"edge: {edge.source_node_name} -> {edge.target_node_name} when {rules}")
    return lines
