"""Every field of a result, whichever form the answer took: absent fields are None, never a
placeholder, and every result names its execution."""

from __future__ import annotations

import pytest

import promptlayer_agents as pa
from promptlayer_agents.rules import is_final

from ..fakes import Make, node, reply


def test_a_node_with_only_a_status_has_none_for_the_rest(harness: Make) -> None:
    h = harness(reply(202, {"Step": {"status": "QUEUED"}}))

    result = h.get_results(787, return_all_outputs=True)

    step = result.nodes["Step"]
    assert (step.status, step.value) == ("QUEUED", None)
    assert (step.error_message, step.raw_error_message, step.is_output_node) == (None, None, None)
    assert (is_final(step.status), result.done, result.status) == (False, False, "RUNNING")
    assert step.to_dict() == {"status": "QUEUED"}


def test_a_failed_node_keeps_both_error_messages(harness: Make) -> None:
    failed = {
        "status": "FAILED",
        "value": None,
        "error_message": "Variable 'q' not found",
        "raw_error_message": "KeyError: 'q'",
        "is_output_node": True,
    }
    h = harness(reply(200, {"Lookup": failed}))

    result = h.get_results(787, return_all_outputs=True)

    lookup = result.nodes["Lookup"]
    assert (lookup.error_message, lookup.raw_error_message) == (
        "Variable 'q' not found",
        "KeyError: 'q'",
    )
    assert (is_final(lookup.status), lookup.is_output_node) == (True, True)


@pytest.mark.parametrize(("status", "done"), [(200, True), (202, False)])
def test_a_bare_main_output_names_its_execution(harness: Make, status: int, done: bool) -> None:
    h = harness(reply(status, {"answer": 42}))

    result = h.get_results(787)

    assert (result.execution_id, result.done, result.output, result.nodes) == (
        787,
        done,
        {"answer": 42},
        {},
    )


def test_an_agent_without_an_output_node_gives_its_node_states(harness: Make) -> None:
    body = {
        "success": False,
        "message": "No output node found",
        "output": {"A": node("SUCCESS", 1), "B": node("RUNNING")},
    }
    h = harness(reply(400, body), reply(400, {**body, "output": {"A": node("SUCCESS", 1)}}))

    running = h.get_results(787)
    finished = h.get_results(787)

    assert (running.execution_id, running.done, running.output) == (787, False, None)
    assert (finished.execution_id, finished.done, finished.output) == (787, True, None)
    assert finished.nodes["A"].value == 1


def test_a_400_without_node_states_is_a_bad_request(harness: Make) -> None:
    h = harness(reply(400, {"success": False, "message": "bad execution id"}))

    with pytest.raises(pa.BadRequestError, match="bad execution id"):
        h.get_results(787)


def test_a_results_repr_is_short_and_names_each_nodes_status(harness: Make) -> None:
    """What a debugger or a log shows: the output and the node map cut by reprlib, so a large
    result prints as one short line."""
    answer = {"Out": node("SUCCESS", "x" * 1000, output=True), "Draft": node("SUCCESS", "y")}
    h = harness(reply(200, answer))

    result = h.get_results(787, return_all_outputs=True)

    assert repr(result) == (
        "ExecutionResult(execution_id=787, status='SUCCESS', done=True, "
        "output='xxxxxxxxxxxx...xxxxxxxxxxxxx', nodes={'Draft': 'SUCCESS', 'Out': 'SUCCESS'})"
    )
