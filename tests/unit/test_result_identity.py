"""What identifies an answer and a result for a person reading it: the server's request id on
run answers and results (as on errors), a repr that leads with the status, and `to_dict()`."""

from __future__ import annotations

import httpx
import pytest

import promptlayer_agents as pa

from ..fakes import Make, node, reply, started

FINISHED = {"Answer": node("SUCCESS", "42", output=True)}


def with_id(response: httpx.Response, request_id: str) -> httpx.Response:
    response.headers["X-Request-Id"] = request_id
    return response


def test_run_answers_and_results_carry_the_request_id(harness: Make) -> None:
    h = harness(
        with_id(started(787), "req-run"),
        with_id(reply(202, {"Answer": node("RUNNING", output=True)}), "req-poll-1"),
        with_id(reply(200, FINISHED), "req-poll-2"),
        reply(200, FINISHED),
    )
    assert h.run("bot").request_id == "req-run"
    assert h.get_results(787, return_all_outputs=True).request_id == "req-poll-1"
    assert h.wait(787).request_id == "req-poll-2"  # the answer the final result was read from
    assert h.get_results(787).request_id is None  # no header, no id


def test_the_main_output_asked_again_keeps_its_own_request_id(harness: Make) -> None:
    two = {
        "A": node("SUCCESS", "a", output=True),
        "B": node("SUCCESS", "b", output=True),
    }
    h = harness(with_id(reply(200, two), "req-map"), with_id(reply(200, "b"), "req-main"))
    result = h.wait(787)
    assert (result.output, result.request_id) == ("b", "req-main")


@pytest.mark.parametrize(
    ("result", "status"),
    [
        (pa.ExecutionResult(7, done=False), "RUNNING"),
        (pa.ExecutionResult(7, done=True, output="x"), "SUCCESS"),
        (
            pa.ExecutionResult(7, done=True, nodes={"A": pa.NodeState(status="FAILED")}),
            "FAILED",
        ),
    ],
)
def test_the_repr_leads_with_the_status(result: pa.ExecutionResult, status: str) -> None:
    assert repr(result).startswith(f"ExecutionResult(execution_id=7, status='{status}', ")


def test_the_repr_of_a_large_output_stays_short() -> None:
    result = pa.ExecutionResult(7, done=True, output="x" * 100_000)
    assert len(repr(result)) < 200


def test_to_dict_gives_each_node_as_the_api_sent_it() -> None:
    result = pa.ExecutionResult(
        7,
        done=True,
        output="42",
        nodes={"Answer": pa.NodeState.from_dict({"status": "SUCCESS", "value": "42", "x": 1})},
    )
    assert result.to_dict() == {
        "execution_id": 7,
        "done": True,
        "status": "SUCCESS",
        "output": "42",
        "nodes": {"Answer": {"status": "SUCCESS", "value": "42", "x": 1}},
    }
