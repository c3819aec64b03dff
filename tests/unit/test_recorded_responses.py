"""Responses recorded from the live API parse with the generated client, and nothing is lost."""

from __future__ import annotations

import copy

from promptlayer_agents_api.api.agents import get_agent, get_execution_results, run_agent
from promptlayer_agents_api.models import (
    AgentSummaryResponse,
    ExecutionCallback,
    ExecutionNodeMap,
    NoOutputNodeError,
    RunAgentRequest,
    RunAgentResponse,
)

from ..helpers import answering, recorded


def test_run_created_parses() -> None:
    status, body = recorded("run_created")

    parsed = run_agent.sync("support-bot", client=answering(status, body), body=RunAgentRequest())

    assert isinstance(parsed, RunAgentResponse)
    assert parsed.workflow_version_execution_id == 787
    assert parsed.success is True
    assert parsed.warning is None
    assert parsed.to_dict() == body


def test_results_node_map_parses() -> None:
    status, body = recorded("results_all_outputs")

    parsed = get_execution_results.sync(
        client=answering(status, body), workflow_version_execution_id=787, return_all_outputs=True
    )

    assert isinstance(parsed, ExecutionNodeMap)
    node = parsed["Node 1"]
    assert (node.status, node.value, node.is_output_node) == ("SUCCESS", "AAA", True)
    assert node.error_message is None
    assert parsed.to_dict() == body


def test_results_bare_main_output_parses_as_the_value_itself() -> None:
    status, body = recorded("results_main_output")

    parsed = get_execution_results.sync(
        client=answering(status, body), workflow_version_execution_id=787
    )

    assert parsed == "AAA"


def test_older_get_agent_form_parses_as_a_summary() -> None:
    status, body = recorded("get_agent_summary")

    parsed = get_agent.sync("analyze_1", client=answering(status, body))

    assert isinstance(parsed, AgentSummaryResponse)
    assert (parsed.workflow.id, parsed.workflow.name) == (3, "analyze_1")
    assert parsed.to_dict() == body


def test_unknown_node_status_and_fields_are_kept() -> None:
    _, body = recorded("results_all_outputs")
    body = copy.deepcopy(body)
    body["Node 1"]["status"] = "PAUSED"
    body["Node 1"]["started_at"] = "2026-11-01T10:00:00Z"

    parsed = get_execution_results.sync(
        client=answering(202, body), workflow_version_execution_id=787, return_all_outputs=True
    )

    assert isinstance(parsed, ExecutionNodeMap)
    assert parsed["Node 1"].status == "PAUSED"
    assert parsed["Node 1"].to_dict()["started_at"] == "2026-11-01T10:00:00Z"
    assert parsed.to_dict() == body


def test_no_output_node_answer_keeps_the_node_states() -> None:
    _, nodes = recorded("results_all_outputs")
    body = {"success": False, "message": "No output node found", "output": nodes}

    parsed = get_execution_results.sync(
        client=answering(400, body), workflow_version_execution_id=787
    )

    assert isinstance(parsed, NoOutputNodeError)
    assert parsed.message == "No output node found"
    assert isinstance(parsed.output, ExecutionNodeMap)
    assert parsed.output["Node 1"].value == "AAA"


def test_callback_body_parses() -> None:
    _, nodes = recorded("results_all_outputs")
    body = {"workflow_version_execution_id": 787, "final_output": nodes}

    parsed = ExecutionCallback.from_dict(body)

    assert parsed.workflow_version_execution_id == 787
    assert parsed.final_output["Node 1"].status == "SUCCESS"
    assert parsed.to_dict() == body
