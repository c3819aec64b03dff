"""Reading an agent definition: which nodes feed which, an order that respects that, and the
definition as readable text (what `promptlayer-agents get` prints)."""

from __future__ import annotations

import json

from promptlayer_agents_api.models import (
    AgentNode,
    AgentVersion,
    EdgeConditional,
    RequiredInputVariables,
)


def upstream(version: AgentVersion) -> dict[str, list[str]]:
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


def dependency_order(version: AgentVersion) -> list[AgentNode]:
    """The nodes, each after its upstream nodes, otherwise in definition order. Raises
    ValueError naming the nodes caught in a cycle."""
    ups = upstream(version)
    placed: set[str] = set()
    order: list[AgentNode] = []
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


def describe(agent: AgentVersion) -> list[str]:
    """A readable account of an agent version, nodes in dependency order, one line each."""
    labels = ", ".join(agent.release_labels or []) or "none"
    lines = [
        f"{agent.workflow_name} (id {agent.workflow_id}) version {agent.version}, labels: {labels}"
    ]
    if isinstance(agent.commit_message, str):
        lines.append(f"commit: {agent.commit_message}")
    if agent.created_at:
        lines.append(f"created: {agent.created_at}")
    required = agent.required_input_variables
    if isinstance(required, RequiredInputVariables) and required.additional_properties:
        names = ", ".join(f"{k} ({v})" for k, v in required.additional_properties.items())
        lines.append(f"required inputs: {names}")
    lines.append("nodes, in dependency order:")
    ordered = dependency_order(agent)
    width = max((len(node.name) for node in ordered), default=0)
    for number, node in enumerate(ordered, start=1):
        after = f"after {', '.join(node.dependencies)}" if node.dependencies else "first"
        mark = "  [output]" if node.is_output_node else ""
        lines.append(f"  {number}. {node.name:<{width}}  {node.node_type:<16} {after}{mark}")
    for edge in agent.edges:
        joiner = " and " if edge.is_and else " or "
        rules = joiner.join(_condition(c) for c in edge.conditionals or []) or "always"
        lines.append(f"edge: {edge.source_node_name} -> {edge.target_node_name} when {rules}")
    return lines


def _operand(operand: object) -> str:
    """One side of a comparison as text: its constant as JSON, its source's name, else "?"."""
    if isinstance(operand, dict):
        if "static_value" in operand:
            return json.dumps(operand["static_value"], ensure_ascii=False, default=str)
        if isinstance(operand.get("source"), str):
            return str(operand["source"])
    return "?"


def _condition(conditional: EdgeConditional) -> str:
    """One comparison of an edge, as text; what is missing or odd shows as "?"."""
    operator = conditional.operator if isinstance(conditional.operator, str) else "?"
    left = _operand(conditional.left_config)
    if operator in ("is_null", "is_not_null"):
        return f"{left} {operator.replace('_', ' ')}"
    return f"{left} {operator} {_operand(conditional.right_config)}"
