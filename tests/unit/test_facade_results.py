"""ExecutionResult copes with every form of results answer, and with callback bodies."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from promptlayer_agents import BadRequestError, InvalidInputError, parse_callback

from ..fakes import Make, node, reply
from ..helpers import recorded


def test_bare_main_output(harness: Make) -> None:
    h = harness(reply(*recorded("results_main_output")))

    result = h.get_results(787)

    assert (result.done, result.status, result.output) == (True, "SUCCESS", "AAA")
    assert result.nodes == {}
    assert dict(h.api.requests[0].url.params) == {
        "workflow_version_execution_id": "787",
        "return_all_outputs": "false",
    }


def test_node_map(harness: Make) -> None:
    h = harness(reply(*recorded("results_all_outputs")))

    result = h.get_results(787, return_all_outputs=True)

    assert (result.done, result.status, result.output) == (True, "SUCCESS", "AAA")
    only = result.nodes["Node 1"]
    assert (only.name, only.status, only.value, only.is_output_node) == (
        "Node 1",
        "SUCCESS",
        "AAA",
        True,
    )
    assert (only.error_message, only.raw_error_message) == (None, None)
    assert result.failed_nodes == ()


def test_node_map_answered_where_the_main_output_was_asked(harness: Make) -> None:
    body = {
        "Lookup": node("FAILED", error="Variable 'question' not found"),
        "Answer": node("SKIPPED", output=True),
    }
    h = harness(reply(200, body))

    result = h.get_results(787, return_all_outputs=False)

    assert result.status == "FAILED"
    assert result.output is None
    assert [n.name for n in result.failed_nodes] == ["Lookup"]
    assert result.failed_nodes[0].error_message == "Variable 'question' not found"


def test_still_running(harness: Make) -> None:
    body = {"A": node("SUCCESS", "x"), "B": node("RUNNING", output=True)}
    h = harness(reply(202, body))

    result = h.get_results(787, return_all_outputs=True)

    assert (result.done, result.status, result.output) == (False, "RUNNING", None)
    assert [n.final for n in result.nodes.values()] == [True, False]


def test_unknown_node_status_is_kept(harness: Make) -> None:
    h = harness(reply(202, {"A": node("PAUSED", output=True)}))

    result = h.get_results(787, return_all_outputs=True)

    assert result.nodes["A"].status == "PAUSED"
    assert not result.nodes["A"].final


def test_main_output_is_the_first_successful_output_node(harness: Make) -> None:
    body = {
        "Draft": node("FAILED", output=True, error="boom"),
        "Fallback": node("SUCCESS", "from fallback", output=True),
        "Extra": node("SUCCESS", "later", output=True),
    }
    h = harness(reply(200, body))

    result = h.get_results(787, return_all_outputs=True)

    assert result.output == "from fallback"
    assert result.status == "SUCCESS"
    assert [n.name for n in result.failed_nodes] == ["Draft"]


def test_agent_without_output_node(harness: Make) -> None:
    body = {
        "success": False,
        "message": "No output node found for this workflow version execution",
        "output": {"Node 1": node("SUCCESS", "AAA")},
    }
    h = harness(reply(400, body))

    result = h.get_results(787)

    assert (result.done, result.status, result.output) == (True, "SUCCESS", None)
    assert result.nodes["Node 1"].value == "AAA"


def test_a_400_without_node_states_is_an_error(harness: Make) -> None:
    h = harness(reply(400, {"success": False, "message": "bad execution"}))

    with pytest.raises(BadRequestError, match="bad execution"):
        h.get_results(787)


def test_failed_execution_is_returned_not_raised_by_get_results(harness: Make) -> None:
    h = harness(reply(200, {"A": node("FAILED", output=True, error="boom")}))

    result = h.get_results(787, return_all_outputs=True)

    assert result.status == "FAILED"


@pytest.mark.parametrize("encode", [lambda d: d, json.dumps, lambda d: json.dumps(d).encode()])
def test_parse_callback(encode: Callable[[object], object]) -> None:
    _, nodes = recorded("results_all_outputs")
    body = {"workflow_version_execution_id": 787, "final_output": nodes}

    result = parse_callback(encode(body))  # type: ignore[arg-type]

    assert (result.execution_id, result.done, result.status, result.output) == (
        787,
        True,
        "SUCCESS",
        "AAA",
    )
    assert result.nodes["Node 1"].is_output_node


@pytest.mark.parametrize("body", ['{"final_output": {}}', "not json", b"\xff", {"x": 1}])
def test_parse_callback_refuses_other_bodies(body: object) -> None:
    with pytest.raises(InvalidInputError, match="not a PromptLayer callback body"):
        parse_callback(body)  # type: ignore[arg-type]
