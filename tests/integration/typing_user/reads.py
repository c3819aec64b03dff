"""Typical user code, type-checked by test_user_typing.py (never run)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from promptlayer_agents import JSON, Agents, AsyncAgents, ExecutionResult, NodeState, RunStarted
from promptlayer_agents.rules import condition_text, is_final


def read_definition(agents: Agents) -> None:
    agent = agents.get("support-bot", label="prod")
    labels: list[str] | None = agent.release_labels
    required: Mapping[str, str] | None = agent.required_input_variables
    created: str | None = agent.created_at
    message: str | None = agent.commit_message
    numbers: tuple[int, int, int] = (agent.workflow_id, agent.version, agent.workflow_version_id)
    name: str = agent.workflow_name
    document: dict[str, JSON] = agent.to_dict()
    print(name, labels, dict(required or {}), created, message, numbers, json.dumps(document))
    for node in agent.nodes:
        configuration: Mapping[str, JSON] = node.configuration
        template: JSON = node.configuration.get("template")
        dependencies: list[str] = node.dependencies
        version_id: int | None = node.workflow_version_id
        output: bool = node.is_output_node
        print(node.id, node.name, node.node_type, dict(configuration), template, dependencies)
        print(version_id, output)
    for edge in agent.edges:
        is_and: bool = edge.is_and
        print(edge.id, edge.source_node_name, edge.target_node_name, is_and)
        for condition in edge.conditionals or []:
            position: int | None = condition.position
            operator: str | None = condition.operator
            left: JSON = condition.left_config
            right: JSON = condition.right_config
            print(position, operator, left, right, condition_text(condition))


def read_result(agents: Agents) -> None:
    started: RunStarted = agents.run("bot", version=2)
    warning: str | None = started.warning
    execution_id: int = started.execution_id
    result: ExecutionResult = agents.run_and_wait("bot", label="prod")
    output: JSON = result.output
    print(warning, execution_id, output, result.done, result.status, result.execution_id)
    nodes: Mapping[str, NodeState] = result.nodes
    for name, node in nodes.items():
        value: JSON = node.value
        error: str | None = node.error_message
        raw: str | None = node.raw_error_message
        status: str | None = node.status
        output_node: bool | None = node.is_output_node
        print(name, status, value, error, raw, output_node, is_final(node.status))
    failed: Mapping[str, NodeState] = result.failed_nodes
    print(failed, result.succeeded_outputs)
    again: ExecutionResult = agents.wait(execution_id, timeout=60)
    print(again.output, agents.get_results(execution_id).done)


async def read_async(agents: AsyncAgents) -> None:
    agent = await agents.get("bot", version=3)
    labels: list[str] | None = agent.release_labels
    started = await agents.run("bot", label="prod")
    result = await agents.run_and_wait("bot")
    output: JSON = result.output
    print(labels, started.execution_id, output)
