"""Reading an agent definition: which nodes feed which, and an order that respects that."""

from __future__ import annotations

from promptlayer_agents_api.models import AgentNode, AgentVersion


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
