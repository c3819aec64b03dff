"""What each error says and which exact class it is: callers print the message and catch the
narrowest class that applies."""

from __future__ import annotations

import pickle
import sys

import httpx
import pytest

import promptlayer_agents as pa

from ..fakes import Make, reply
from ..helpers import API_KEY


@pytest.mark.parametrize("status", [402, 405, 410, 418, 451])
def test_an_unnamed_client_error_is_a_plain_status_error(harness: Make, status: int) -> None:
    h = harness(reply(status, {"message": "nope"}), max_retries=0)

    with pytest.raises(pa.APIStatusError) as caught:
        h.get("bot")

    assert type(caught.value) is pa.APIStatusError
    assert caught.value.status_code == status


@pytest.mark.parametrize("status", [500, 501, 503, 599])
def test_a_server_error_is_an_internal_server_error(harness: Make, status: int) -> None:
    h = harness(reply(status, {"message": "down"}), max_retries=0)

    with pytest.raises(pa.InternalServerError):
        h.get("bot")


def test_the_message_has_the_request_id_only_when_there_is_one(harness: Make) -> None:
    h = harness(
        reply(404, {"message": "Workflow not found"}),
        reply(404, {"message": "Workflow not found"}, {"x-request-id": "req-9"}),
        reply(404, {"message": "Workflow not found"}, {"request-id": "req-10"}),
    )

    messages = []
    for _ in range(3):
        with pytest.raises(pa.NotFoundError) as caught:
            h.get("bot")
        messages.append(str(caught.value))

    assert messages == [
        "HTTP 404: Workflow not found",
        "HTTP 404: Workflow not found [request id req-9]",
        "HTTP 404: Workflow not found [request id req-10]",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"message": "", "error": "the real reason"}, "the real reason"),
        ({"message": None, "error": "", "detail": "in detail"}, "in detail"),
        (
            {
                "detail": [
                    {"loc": ["body", "input_variables"], "msg": "not a dict", "type": "x"},
                    {"loc": ["query", 0], "msg": "bad", "type": "y"},
                ]
            },
            "body.input_variables: not a dict; query.0: bad",
        ),
    ],
)
def test_the_server_message_skips_empty_fields_and_joins_problems(
    harness: Make, body: object, message: str
) -> None:
    h = harness(reply(400, body))

    with pytest.raises(pa.BadRequestError) as caught:
        h.get("bot")

    assert caught.value.message == message


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("Connection refused"), httpx.ReadError("Connection reset by peer")],
)
def test_no_answer_is_a_connection_error_naming_the_failure(
    harness: Make, failure: httpx.TransportError
) -> None:
    h = harness(failure, max_retries=0)

    with pytest.raises(pa.APIConnectionError) as caught:
        h.get("bot")

    assert type(caught.value) is pa.APIConnectionError
    assert str(caught.value) == f"{type(failure).__name__}: {failure}"


def test_a_timeout_is_an_api_timeout_error_naming_the_failure(harness: Make) -> None:
    h = harness(httpx.ReadTimeout("The read operation timed out"), max_retries=0)

    with pytest.raises(pa.APITimeoutError) as caught:
        h.get("bot")

    assert str(caught.value) == "ReadTimeout: The read operation timed out"


def test_a_failure_without_a_message_says_there_was_no_answer(harness: Make) -> None:
    h = harness(httpx.RemoteProtocolError(""), max_retries=0)

    with pytest.raises(pa.APIConnectionError) as caught:
        h.get("bot")

    assert str(caught.value) == "RemoteProtocolError: no answer"


def test_an_execution_failed_error_says_what_failed() -> None:
    failed = pa.NodeState("FAILED", None, "boom", "Traceback: boom", False)
    result = pa.ExecutionResult(787, True, None, {"Lookup": failed})

    assert str(pa.ExecutionFailedError(result)) == "execution 787 failed: Lookup: boom"
    assert str(pa.ExecutionFailedError(pa.ExecutionResult(788, True))) == (
        "execution 788 failed: no output"
    )


def test_an_execution_failed_error_names_the_execution_to_look_at() -> None:
    failed = pa.NodeState("FAILED", None, "boom", "Traceback: boom", False)

    error = pa.ExecutionFailedError(pa.ExecutionResult(787, True, None, {"Lookup": failed}))

    assert error.execution_id == 787
    assert error.failed_nodes == {"Lookup": failed}


@pytest.mark.parametrize(
    ("length", "shown"),
    [(500, "x" * 500), (501, "x" * 500 + "... (1 more characters)")],
)
def test_a_message_is_cut_only_past_500_characters(harness: Make, length: int, shown: str) -> None:
    h = harness(reply(400, {"message": "x" * (length - len("HTTP 400: "))}), max_retries=0)

    with pytest.raises(pa.BadRequestError) as caught:
        h.get("bot")

    assert str(caught.value) == shown.replace("x" * 10, "HTTP 400: ", 1)


def test_a_problem_that_is_not_text_keeps_its_characters(harness: Make) -> None:
    h = harness(reply(422, {"detail": [{"champ": "prénom", "niveau": "élevé"}]}))

    with pytest.raises(pa.UnprocessableEntityError) as caught:
        h.get("bot")

    assert caught.value.message == '{"champ":"prénom","niveau":"élevé"}'


def test_the_key_in_a_failure_text_is_shown_as_stars(harness: Make) -> None:
    h = harness(httpx.ConnectError(f"refused for {API_KEY} at 127.0.0.1"), max_retries=0)

    with pytest.raises(pa.APIConnectionError) as caught:
        h.get("bot")

    assert str(caught.value) == "ConnectError: refused for *** at 127.0.0.1"


def test_an_answer_too_large_to_read_says_its_status_and_shows_no_excerpt(harness: Make) -> None:
    h = harness(reply(200, {"A": "x" * 200}), max_response_bytes=100)

    with pytest.raises(pa.ResponseValidationError) as caught:
        h.get_results(1)

    assert (caught.value.status_code, caught.value.excerpt) == (200, "")
    assert str(caught.value) == (
        "the answer is larger than max_response_bytes (100 bytes decoded) (HTTP 200): ''"
    )


def test_a_problem_nested_too_deeply_to_write_again_is_still_shown(harness: Make) -> None:
    """A `detail` nested about as deep as Python's recursion limit: at some depth it can be
    read yet no longer written back as JSON. Whatever the depth, the message shows the nesting
    (as the problem, or as the body's text when even reading it failed), never a stand-in."""
    limit = sys.getrecursionlimit()
    depths = range(limit - 300, limit + 10)  # the window lies below the limit, by the stack used
    bodies = ['{"detail": [' + "[" * depth + "]" * depth + "]}" for depth in depths]
    h = harness(*(httpx.Response(400, content=body) for body in bodies), max_retries=0)

    for depth in depths:
        with pytest.raises(pa.BadRequestError) as caught:
            h.get("bot")
        shown = caught.value.message.removeprefix('{"detail": [')
        assert shown.startswith("[" * 100), (depth, caught.value.message[:40])


def test_the_runs_warning_ends_the_message_it_follows() -> None:
    error = pa.BadRequestError("bad", status_code=400, body=None, request_id=None)
    error.run_warning = "Unexpected input variables: nme"

    assert str(error) == "HTTP 400: bad (the run warned: Unexpected input variables: nme)"


@pytest.mark.parametrize(
    "error",
    [
        pa.NotFoundError("gone", status_code=404, body={"a": 1}, request_id="r-1"),
        pa.WaitTimeoutError(7, waited=2.5, last_result=None),
        pa.InvalidInputError("bad label", argument="label", problem="bad"),
    ],
    ids=type,
)
def test_an_error_crosses_a_process_boundary_whole(error: pa.PromptLayerError) -> None:
    """Pickled (a ProcessPoolExecutor, multiprocessing) and back: same class, message and
    attributes. tests/adversarial/test_typed_errors_secrecy.py covers every class."""
    error.run_warning = "w"

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert (str(copy), copy.args, vars(copy)) == (str(error), error.args, vars(error))
