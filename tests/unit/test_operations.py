"""What the facade relies on of the generated operations' private internals (`_operations`).

A generator upgrade that changes `_get_kwargs` or `_parse_response` fails here, by name.
"""

from __future__ import annotations

import httpx
import pytest

from promptlayer_agents import NotFoundError, ResponseValidationError
from promptlayer_agents._operations import (
    _NODE,
    _fields_problem,
    agent_call,
    agent_problem,
    parse_agent,
    parse_results,
    parse_run,
    results_call,
    run_call,
)
from promptlayer_agents._results import NodeMap, NodeState
from promptlayer_agents_api.models import (
    InputVariables,
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
    states = {"A": NodeState("A", "SUCCESS", 1, None, None, True)}
    for status in (200, 202):
        parsed = parse_results(reply(status, node_map), all_outputs=True)
        assert isinstance(parsed, NodeMap)
        assert parsed == states
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


GOOD_NODE = {
    "id": "n-1",
    "name": "answer",
    "node_type": "VARIABLE",
    "is_output_node": True,
    "configuration": {"value": 1},
    "dependencies": ["question"],
    "workflow_version_id": 7,
}
ANY_JSON: list[object] = [None, True, 0, 1.5, "x", [], ["a"], [1], {}, {"a": "b"}]


def test_every_node_is_judged_as_the_field_table_says() -> None:
    """`agent_problem` checks nodes with a fast path; whatever a node's fields hold, it must
    accept, or name the problem, exactly as the table of node fields does."""
    variants: list[object] = [GOOD_NODE, "not an object", None]
    for name in _NODE:
        variants.append({k: v for k, v in GOOD_NODE.items() if k != name})
        variants += [{**GOOD_NODE, name: value} for value in ANY_JSON]
    for variant in variants:
        body = {**AGENT, "nodes": [GOOD_NODE, variant]}
        assert agent_problem(body) == _fields_problem(variant, _NODE, "nodes[1]"), variant
    assert agent_problem({**AGENT, "nodes": [GOOD_NODE]}) is None
    assert agent_problem({**AGENT, "nodes": [{**GOOD_NODE, "name": 3}]}) == (
        "nodes[0].name is a number, not a string"
    )
