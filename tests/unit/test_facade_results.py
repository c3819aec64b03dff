"""ExecutionResult copes with every form of results answer, and with callback bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import promptlayer_agents as pa
from promptlayer_agents import (
    BadRequestError,
    ExecutionFailedError,
    InvalidInputError,
    ResponseValidationError,
    parse_callback,
)
from promptlayer_agents.rules import is_final

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
    assert (only.status, only.value, only.is_output_node) == ("SUCCESS", "AAA", True)
    assert (only.error_message, only.raw_error_message) == (None, None)
    assert result.failed_nodes == {}


def test_node_map_answered_where_the_main_output_was_asked(harness: Make) -> None:
    body = {
        "Lookup": node("FAILED", error="Variable 'question' not found"),
        "Answer": node("SKIPPED", output=True),
    }
    h = harness(reply(200, body))

    result = h.get_results(787, return_all_outputs=False)

    assert result.status == "FAILED"
    assert result.output is None
    assert list(result.failed_nodes) == ["Lookup"]
    assert result.failed_nodes["Lookup"].error_message == "Variable 'question' not found"


def test_still_running(harness: Make) -> None:
    body = {"A": node("SUCCESS", "x"), "B": node("RUNNING", output=True)}
    h = harness(reply(202, body))

    result = h.get_results(787, return_all_outputs=True)

    assert (result.done, result.status, result.output) == (False, "RUNNING", None)
    assert [is_final(n.status) for n in result.nodes.values()] == [True, False]


def test_unknown_node_status_is_kept(harness: Make) -> None:
    h = harness(reply(202, {"A": node("PAUSED", output=True)}))

    result = h.get_results(787, return_all_outputs=True)

    assert result.nodes["A"].status == "PAUSED"
    assert not is_final(result.nodes["A"].status)


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
    assert list(result.failed_nodes) == ["Draft"]


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


@pytest.mark.parametrize(
    "output",
    [
        {"status": "ok", "value": 1},
        {"result": {"status": "done", "value": 2}},
        {"a": {"status": "SUCCESS", "value": 1, "error_message": None}},
        {},
    ],
)
def test_a_main_output_shaped_like_nodes_stays_the_main_output(harness: Make, output: Any) -> None:
    """Asked for the main output, an object is the node map only when every value carries all
    five node-result fields; an object with a `status` inside is still the value."""
    h = harness(reply(200, output))

    result = h.get_results(787, return_all_outputs=False)

    assert (result.output, result.nodes, result.status) == (output, {}, "SUCCESS")


@pytest.mark.parametrize("missing", ["status", "value", "is_output_node"])
def test_the_node_map_is_read_when_asked_even_with_fields_missing(
    harness: Make, missing: str
) -> None:
    answer = node("SUCCESS", "AAA", output=True)
    del answer[missing]
    h = harness(reply(200, {"Node 1": answer, "Other": {}}))

    result = h.get_results(787, return_all_outputs=True)

    assert list(result.nodes) == ["Node 1", "Other"]
    assert result.nodes["Other"].status is None
    assert not is_final(result.nodes["Other"].status)


def test_a_bare_value_answered_where_the_node_map_was_asked_is_the_main_output(
    harness: Make,
) -> None:
    h = harness(reply(200, "AAA"), reply(200, {"a": 1}))

    assert h.get_results(787, return_all_outputs=True).output == "AAA"
    assert h.get_results(787, return_all_outputs=True).output == {"a": 1}


def test_a_node_field_of_the_wrong_type_names_the_node_and_field(harness: Make) -> None:
    h = harness(reply(200, {"Answer": {"status": 5}}))

    with pytest.raises(ResponseValidationError, match=r"^Answer\.status: expected a string, got 5"):
        h.get_results(787, return_all_outputs=True)


def test_failure_is_read_as_failed(harness: Make) -> None:
    body = {"A": node("FAILURE", error="boom"), "B": node("SKIPPED", output=True)}
    h = harness(reply(200, body), reply(200, body))

    result = h.get_results(787, return_all_outputs=True)

    assert result.nodes["A"].status == "FAILURE"  # kept as it came; the rules read it as FAILED
    assert is_final(result.nodes["A"].status)
    assert (result.status, list(result.failed_nodes)) == ("FAILED", ["A"])
    with pytest.raises(ExecutionFailedError, match="A: boom"):
        h.wait(787)


@pytest.mark.parametrize("status", ["PAUSED", None])
def test_unknown_or_missing_statuses_are_never_reported_success(
    harness: Make, status: str | None
) -> None:
    """Done, nothing FAILED, but no output succeeded and a node's status is not one the client
    knows: the client cannot tell it succeeded, so the result is FAILED and wait raises."""
    odd = node("SKIPPED", output=True)
    if status is None:
        del odd["status"]
    else:
        odd["status"] = status
    body = {"A": node("SUCCESS", "x"), "B": odd}
    h = harness(reply(200, body), reply(200, body))

    assert h.get_results(787, return_all_outputs=True).status == "FAILED"
    with pytest.raises(ExecutionFailedError, match=r"B: (unknown status 'PAUSED'|no status)"):
        h.wait(787)


def test_an_unknown_status_beside_a_succeeded_output_is_success(harness: Make) -> None:
    body = {"A": node("PAUSED"), "B": node("SUCCESS", "out", output=True)}
    h = harness(reply(200, body))

    result = h.get_results(787, return_all_outputs=True)

    assert (result.status, result.output, result.nodes["A"].status) == ("SUCCESS", "out", "PAUSED")


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(400),
        httpx.Response(400, text="Bad Request"),
        httpx.Response(400, text="<html>oops"),
        reply(400, {"success": False, "message": "No output node found", "output": "AAA"}),
        reply(400, {"success": False, "message": "No output node found", "output": {"A": 1}}),
        reply(400, {"message": "No output node found", "output": {"A": {"status": 5}}}),
        reply(400, ["not", "an", "object"]),
    ],
)
def test_a_results_400_without_a_node_map_is_a_bad_request(
    harness: Make, response: httpx.Response
) -> None:
    h = harness(response)

    with pytest.raises(BadRequestError) as caught:
        h.get_results(787)

    assert caught.value.status_code == 400
    text = response.content.decode()
    expected = "No output node found" if "No output node" in text else (text or "Bad Request")
    assert caught.value.message == expected


def test_a_no_output_node_400_with_unknown_statuses_is_final(harness: Make) -> None:
    body = {"message": "No output node found", "output": {"A": {"status": "PAUSED"}}}
    h = harness(reply(400, body))

    # Final at once (no node is QUEUED or RUNNING), and not a success: nothing says it succeeded.
    with pytest.raises(ExecutionFailedError) as caught:
        h.wait(787)

    assert (caught.value.result.done, caught.value.result.nodes["A"].status) == (True, "PAUSED")
    assert len(h.api.requests) == 1


def test_results_filtered_to_one_node(harness: Make) -> None:
    h = harness(reply(200, {"Answer": node("SUCCESS", "hi", output=True)}))

    result = h.get_results(787, return_all_outputs=True, node_name="Answer", node_id="n-1")

    assert list(result.nodes) == ["Answer"]
    assert dict(h.api.requests[0].url.params) == {
        "workflow_version_execution_id": "787",
        "return_all_outputs": "true",
        "workflow_node_id": "n-1",
        "workflow_node_name": "Answer",
    }


def test_a_node_filter_reads_the_node_map_even_when_not_asked_for(harness: Make) -> None:
    h = harness(reply(200, {"Answer": node("SUCCESS", "hi", output=True)}))

    result = h.get_results(787, node_name="Answer")

    assert (list(result.nodes), result.output) == (["Answer"], "hi")
    assert h.api.requests[0].url.params["return_all_outputs"] == "true"


@pytest.mark.parametrize(("option", "value"), [("node_name", ""), ("node_id", 5)])
def test_a_bad_node_filter_is_refused_before_sending(
    harness: Make, option: str, value: object
) -> None:
    h = harness()

    with pytest.raises(InvalidInputError, match=option):
        h.get_results(787, **{option: value})


def test_a_callback_of_execution_1_is_read() -> None:
    body = {"workflow_version_execution_id": 1, "final_output": {"A": node("SUCCESS", "x")}}

    assert parse_callback(body).execution_id == 1


@pytest.mark.parametrize(
    ("execution_id", "reason"),
    [
        (0, "ValueError('workflow_version_execution_id 0 is not an id')"),
        (-5, "ValueError('workflow_version_execution_id -5 is not an id')"),
        (True, "workflow_version_execution_id: expected an integer, got true"),
        ("787", 'workflow_version_execution_id: expected an integer, got "787"'),
    ],
)
def test_a_callback_without_a_positive_integer_id_says_so(
    execution_id: object, reason: str
) -> None:
    body = {"workflow_version_execution_id": execution_id, "final_output": {}}

    with pytest.raises(InvalidInputError) as caught:
        parse_callback(body)

    assert str(caught.value) == f"not a PromptLayer callback body: {reason}"


def test_a_callback_keeps_every_field_of_each_node_and_none_for_those_absent() -> None:
    failed = {
        "status": "FAILED",
        "value": "partial",
        "error_message": "boom",
        "raw_error_message": "Traceback: boom",
        "is_output_node": False,
    }
    body = {"workflow_version_execution_id": 9, "final_output": {"A": failed, "B": {}}}

    result = parse_callback(body)

    assert result.nodes == {
        "A": pa.NodeState("FAILED", "partial", "boom", "Traceback: boom", False),
        "B": pa.NodeState(None, None, None, None, None),
    }
    assert {name: node.to_dict() for name, node in result.nodes.items()} == body["final_output"]
