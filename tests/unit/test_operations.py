"""What the facade relies on of the generated operations' private internals (`_operations`).

A generator upgrade that changes `_get_kwargs` or `_parse_response` fails here, by name.
"""

from __future__ import annotations

import httpx
import pytest

from promptlayer_agents import NotFoundError, ResponseValidationError
from promptlayer_agents._operations import (
    agent_call,
    parse_agent,
    parse_results,
    parse_run,
    results_call,
    run_call,
)
from promptlayer_agents_api.models import (
    ExecutionNodeMap,
    InputVariables,
    NodeResult,
    NoOutputNodeError,
    RunAgentRequest,
)

from ..fakes import AGENT, node, reply, started


def test_run_call_is_a_relative_post_with_a_json_body() -> None:
    body = RunAgentRequest(input_variables=InputVariables.from_dict({"q": "hi"}))
    call = run_call("a b/c?d#é", body)
    assert set(call) == {"method", "url", "json", "headers"}
    assert call["method"] == "post"
    assert call["url"] == "/workflows/a%20b%2Fc%3Fd%23%C3%A9/run"
    assert call["json"] == {"input_variables": {"q": "hi"}, "return_all_outputs": False}
    assert call["headers"] == {"Content-Type": "application/json"}


def test_results_call_sends_the_id_and_the_flag() -> None:
    call = results_call(787, True)
    assert set(call) == {"method", "url", "params"}
    assert (call["method"], call["url"]) == ("get", "/workflow-version-execution-results")
    assert call["params"] == {"workflow_version_execution_id": 787, "return_all_outputs": True}


@pytest.mark.parametrize(
    ("label", "version", "params"),
    [(None, None, {}), ("prod", None, {"label": "prod"}), (None, 3, {"version": 3})],
)
def test_agent_call_sends_only_what_was_chosen(
    label: str | None, version: int | None, params: dict[str, object]
) -> None:
    call = agent_call("my agent", label, version)
    assert (call["method"], call["url"]) == ("get", "/workflows/my%20agent")
    assert call["params"] == params


def test_parse_run_reads_201_and_202() -> None:
    assert parse_run(started(5)).workflow_version_execution_id == 5
    accepted = started(6)
    accepted.status_code = 202
    assert parse_run(accepted).workflow_version_execution_id == 6


def test_parse_results_per_status() -> None:
    node_map = {"A": node("SUCCESS", 1, output=True)}
    states = {"A": NodeResult("SUCCESS", 1, None, None, True)}
    for status in (200, 202):
        parsed = parse_results(reply(status, node_map), all_outputs=True)
        assert isinstance(parsed, ExecutionNodeMap)
        assert parsed == states
        assert parsed.to_dict() == node_map
    assert parse_results(reply(200, "plain"), all_outputs=False) == "plain"
    no_output = parse_results(
        reply(400, {"message": "No output node", "output": node_map}), all_outputs=False
    )
    assert isinstance(no_output, NoOutputNodeError)
    with pytest.raises(NotFoundError):
        parse_results(reply(404, {"message": "gone"}), all_outputs=False)


def test_parse_agent_reads_a_definition_and_refuses_the_summary_form() -> None:
    assert parse_agent(reply(200, AGENT)).workflow_name == "bot"
    summary = {"success": True, "workflow": {"id": 1, "name": "bot"}}
    with pytest.raises(ResponseValidationError, match="summary"):
        parse_agent(reply(200, summary))


def test_an_undocumented_success_status_is_a_validation_error() -> None:
    with pytest.raises(ResponseValidationError, match="unexpected status"):
        parse_run(httpx.Response(204))


@pytest.mark.parametrize("status", [200, 203, 206])
def test_a_run_answer_with_another_2xx_status_keeps_its_id(status: int) -> None:
    """The run started: whatever the 2xx status, a positive id in the answer is never lost."""
    answer = started(41)
    answer.status_code = status
    with pytest.raises(ResponseValidationError, match="unexpected status") as raised:
        parse_run(answer)
    assert raised.value.execution_id == 41


def test_a_definition_that_cannot_be_read_names_the_path() -> None:
    good = {
        "id": "n-1",
        "name": "answer",
        "node_type": "VARIABLE",
        "is_output_node": True,
        "configuration": {"value": 1},
        "dependencies": ["question"],
    }
    nodes = [good, good, {**good, "id": 3}]
    with pytest.raises(ResponseValidationError) as raised:
        parse_agent(reply(200, {**AGENT, "nodes": nodes}))
    assert str(raised.value).startswith("nodes[2].id: expected a string, got 3 (HTTP 200)")


def test_a_node_map_that_cannot_be_read_names_the_node_and_field() -> None:
    node_map = {"A": node("SUCCESS", 1, output=True), "Node 2": {"error_message": 5}}
    with pytest.raises(ResponseValidationError) as raised:
        parse_results(reply(202, node_map), all_outputs=True)
    assert str(raised.value).startswith('["Node 2"].error_message: expected a string, got 5 (')
