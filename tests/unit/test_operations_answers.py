"""How each answer is read (`_operations`): which status is which result or error, what a run
answer that cannot be read still tells (its id), and when a results body is the node map or the
main output."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from promptlayer_agents import BadRequestError, InternalServerError, ResponseValidationError
from promptlayer_agents._operations import (
    parse_agent,
    parse_results,
    parse_run,
    results_body,
    results_call,
)
from promptlayer_agents_api.models import ExecutionNodeMap, NoOutputNodeError

from ..fakes import AGENT, node, reply, started


def test_results_call_asks_for_one_node_by_id_or_name() -> None:
    assert results_call(5, False, node_id="n-1")["params"] == {
        "workflow_version_execution_id": 5,
        "return_all_outputs": False,
        "workflow_node_id": "n-1",
    }
    assert results_call(5, True, node_name="answer")["params"] == {
        "workflow_version_execution_id": 5,
        "return_all_outputs": True,
        "workflow_node_name": "answer",
    }


@pytest.mark.parametrize(("status", "accepted"), [(201, False), (202, True)])
def test_a_run_answer_says_whether_a_callback_will_come_and_its_request_id(
    status: int, accepted: bool
) -> None:
    answer = started(9)
    answer.status_code = status
    answer.headers["X-Request-Id"] = "req-77"

    run = parse_run(answer)

    assert (run.workflow_version_execution_id, run.accepted_for_callback) == (9, accepted)
    assert run.request_id == "req-77"


def _unreadable_run(status: int, body: bytes) -> ResponseValidationError:
    with pytest.raises(ResponseValidationError) as raised:
        parse_run(httpx.Response(status, content=body))
    return raised.value


@pytest.mark.parametrize(
    ("status", "body", "execution_id"),
    [
        (200, b'{"workflow_version_execution_id": 41}', 41),
        (299, b'{"workflow_version_execution_id": 41}', 41),
        (200, b'{"workflow_version_execution_id": 1}', 1),
        (201, b'{"workflow_version_execution_id": 41, "success": "yes"}', 41),
        (201, b'{"workflow_version_execution_id": 41, "message": 3}', 41),
        (300, b'{"workflow_version_execution_id": 41}', None),
        (199, b'{"workflow_version_execution_id": 41}', None),
        (200, b"not json", None),
        (200, b"[41]", None),
        (200, b'{"workflow_version_execution_id": 0}', None),
        (200, b'{"workflow_version_execution_id": -3}', None),
        (200, b'{"workflow_version_execution_id": true}', None),
        (200, b'{"workflow_version_execution_id": 41.0}', None),
        (200, b'{"workflow_version_execution_id": "41"}', None),
        (200, b"[" * 100_000 + b"]" * 100_000, None),
    ],
)
def test_an_unreadable_run_answer_carries_its_id_only_when_the_run_certainly_started(
    status: int, body: bytes, execution_id: int | None
) -> None:
    """A 2xx answer with a positive integer id started an execution, even when the rest of it
    cannot be read: the id is kept so that nothing is run twice. Any other id is no id."""
    assert _unreadable_run(status, body).execution_id == execution_id


def test_a_run_answer_that_is_not_json_says_so() -> None:
    error = _unreadable_run(201, b"<html>busy</html>")

    assert str(error) == "the answer is not JSON (JSONDecodeError) (HTTP 201): '<html>busy</html>'"
    assert (error.status_code, error.excerpt) == (201, "<html>busy</html>")


def test_an_error_status_is_its_typed_error_and_a_redirect_is_unexpected() -> None:
    with pytest.raises(InternalServerError):
        parse_run(reply(500, {"message": "down"}))
    with pytest.raises(BadRequestError, match="HTTP 400: no"):
        parse_run(reply(400, {"message": "no"}))
    with pytest.raises(ResponseValidationError) as raised:
        parse_run(reply(399, {"workflow_version_execution_id": 1}))
    assert str(raised.value).startswith("unexpected status (HTTP 399)")
    assert raised.value.status_code == 399
    assert raised.value.excerpt == '{"workflow_version_execution_id": 1}'


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.Response(400, content=b"not json"), "HTTP 400: not json"),
        (reply(400, {"message": "bad thing", "output": None}), "HTTP 400: bad thing"),
        (reply(400, {"message": "bad thing"}), "HTTP 400: bad thing"),
        (reply(400, {"message": "bad", "output": "not a node map"}), "HTTP 400: bad"),
        (reply(400, [1, 2]), "HTTP 400"),
    ],
)
def test_a_400_without_a_node_map_is_a_bad_request(answer: httpx.Response, message: str) -> None:
    with pytest.raises(BadRequestError) as raised:
        parse_results(answer, all_outputs=False)
    assert str(raised.value).startswith(message)
    assert raised.value.status_code == 400


def test_the_400_of_an_agent_without_output_node_keeps_its_node_map() -> None:
    nodes = {"A": node("FAILURE", error="boom")}

    parsed = parse_results(
        reply(400, {"message": "No output node", "output": nodes}), all_outputs=True
    )

    assert isinstance(parsed, NoOutputNodeError)
    assert parsed.output is not None and parsed.output.to_dict() == nodes


def test_a_results_answer_that_is_not_json_says_so() -> None:
    with pytest.raises(
        ResponseValidationError, match=r"^the answer is not JSON \(JSONDecodeError\)"
    ):
        parse_results(httpx.Response(200, content=b"{"), all_outputs=False)
    with pytest.raises(
        ResponseValidationError, match=r"^the answer is not JSON \(UnicodeDecodeError"
    ):
        parse_results(
            httpx.Response(
                200, content=b"\xff\xfe\x00", headers={"Content-Type": "text/x; charset=utf-8"}
            ),
            all_outputs=False,
        )


FULL = node("SUCCESS", 1, output=True)


def _read(body: Any, *, all_outputs: bool) -> Any:
    return results_body(body, all_outputs=all_outputs, response=reply(200, body))


@pytest.mark.parametrize(
    "body",
    [
        {"A": FULL},
        {"A": FULL, "B": node("RUNNING")},
        {"A": {**FULL, "extra": 1}},
    ],
)
def test_the_node_map_is_read_when_every_value_is_a_whole_node(body: Any) -> None:
    """Asked for the main output, a body is the node map only when it has the shape of one."""
    for all_outputs in (False, True):
        parsed = _read(body, all_outputs=all_outputs)
        assert isinstance(parsed, ExecutionNodeMap)
        assert set(parsed) == set(body)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"A": {k: v for k, v in FULL.items() if k != "status"}},
        {"A": FULL, "B": {"status": "SUCCESS"}},
        {"A": {**FULL, "status": 5}},
        {"A": FULL, "n": 1},
        [FULL],
        "text",
        None,
    ],
)
def test_anything_else_is_the_main_output_as_it_is(body: Any) -> None:
    assert _read(body, all_outputs=False) == body


def test_asked_for_every_node_a_partial_node_is_read_and_a_wrong_field_named() -> None:
    parsed = _read({"A": {"value": 1}}, all_outputs=True)
    assert isinstance(parsed, ExecutionNodeMap) and parsed["A"].value == 1
    assert _read({}, all_outputs=True) == ExecutionNodeMap.from_dict({})
    assert _read({"A": FULL, "n": 1}, all_outputs=True) == {"A": FULL, "n": 1}
    with pytest.raises(
        ResponseValidationError, match=r"^A\.status: expected a string, got 5 \(HTTP 200\)"
    ):
        _read({"A": {**FULL, "status": 5}}, all_outputs=True)


def test_a_definition_with_nodes_is_read_even_beside_a_summary() -> None:
    """Only the summary-only form (a `workflow`, no `nodes`) is refused."""
    assert parse_agent(reply(200, {**AGENT, "workflow": {"id": 1}})).workflow_name == "bot"
    with pytest.raises(ResponseValidationError) as raised:
        parse_agent(reply(200, {"success": True, "workflow": {"id": 1}}))
    assert str(raised.value).startswith(
        "the API answered only the agent's summary (an older form of this endpoint), not its "
        "definition (HTTP 200): '{"
    )
    assert raised.value.status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([AGENT], "the answer: expected an object, got a list (HTTP 200): '[{"),
        ("workflow", 'the answer: expected an object, got "workflow" (HTTP 200)'),
        ({k: v for k, v in AGENT.items() if k != "nodes"}, "nodes: "),
    ],
)
def test_a_definition_that_is_not_one_is_refused_naming_what_is_wrong(
    body: Any, message: str
) -> None:
    with pytest.raises(ResponseValidationError) as raised:
        parse_agent(reply(200, body))
    assert str(raised.value).startswith(message)
    assert raised.value.status_code == 200 and raised.value.excerpt


def test_a_definition_with_another_status_is_refused() -> None:
    with pytest.raises(ResponseValidationError, match=r"^unexpected status \(HTTP 201\)"):
        parse_agent(reply(201, AGENT))
