"""Starting a run: what the caller gets back, what is sent, and which metadata is refused."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

import promptlayer_agents as pa

from ..fakes import AGENT, Make, node, reply, started
from ..helpers import API_KEY

ACCEPTED = {
    "success": True,
    "message": "Workflow execution accepted; the result will be sent to the callback URL",
    "warning": None,
    "workflow_version_execution_id": 788,
}


def test_a_run_answered_202_is_accepted_for_callback(harness: Make) -> None:
    h = harness(reply(202, ACCEPTED), started(787))

    with_callback = h.run("bot", callback_url="https://example.com/cb")
    without = h.run("bot")

    assert with_callback.accepted_for_callback is True
    assert (with_callback.execution_id, with_callback.message) == (788, ACCEPTED["message"])
    assert without.accepted_for_callback is False
    assert (without.execution_id, without.message, without.warning) == (
        787,
        "Workflow execution created successfully",
        None,
    )


def test_every_request_carries_the_api_key_in_x_api_key(harness: Make) -> None:
    h = harness(
        started(787),
        reply(200, {"A": node("SUCCESS", 1, output=True)}),
        reply(200, AGENT),
    )

    h.run("bot")
    h.get_results(787)
    h.get("bot")

    assert [r.headers.get("X-API-KEY") for r in h.api.requests] == [API_KEY] * 3
    assert all("authorization" not in r.headers for r in h.api.requests)


@pytest.mark.parametrize(
    ("metadata", "match"),
    [
        ({"user": 42}, "metadata['user'] must be a string, not int; convert it first"),
        ({"user": "42", "flag": True}, "metadata['flag'] must be a string, not bool"),
        ({"user": None}, "metadata['user'] must be a string, not NoneType"),
        ({7: "seven"}, "metadata keys must be strings, not 7"),
        ({("a",): "b"}, "metadata keys must be strings, not ('a',)"),
        (["user", "42"], "metadata must be a mapping, not list"),
        ("user=42", "metadata must be a mapping, not str"),
    ],
)
def test_metadata_that_is_not_strings_is_refused_before_sending(
    harness: Make, metadata: Any, match: str
) -> None:
    h = harness()

    with pytest.raises(pa.InvalidInputError, match=re.escape(match)):
        h.run("bot", metadata=metadata)
    with pytest.raises(pa.InvalidInputError, match=re.escape(match)):
        h.run_and_wait("bot", metadata=metadata)

    assert h.api.requests == []


def test_string_metadata_is_sent_as_given(harness: Make) -> None:
    h = harness(started(), started())

    h.run("bot", metadata={"user": "42", "": "empty key", "team": ""})
    h.run("bot", metadata={})

    assert [body.get("metadata") for body in h.api.bodies()] == [
        {"user": "42", "": "empty key", "team": ""},
        {},
    ]


def test_a_run_answer_too_large_to_read_may_have_started_and_says_its_status(
    harness: Make,
) -> None:
    h = harness(reply(201, {"message": "x" * 200}), max_response_bytes=100)

    with pytest.raises(pa.ResponseValidationError) as caught:
        h.run("bot")

    assert caught.value.status_code == 201 and caught.value.may_have_started is True
    assert str(caught.value) == (
        "the answer is larger than max_response_bytes (100 bytes decoded) (HTTP 201): ''"
    )


def test_a_run_with_no_answer_in_time_says_so(harness: Make) -> None:
    h = harness(httpx.ReadTimeout("The read operation timed out"))

    with pytest.raises(pa.APITimeoutError) as caught:
        h.run("bot")

    assert str(caught.value) == "ReadTimeout: The read operation timed out"
    assert caught.value.may_have_started is True
    assert len(h.api.requests) == 1  # a run that may have started is never sent again


@pytest.mark.parametrize(
    ("after_the_run", "error_type"),
    [
        (reply(200, {"Answer": node("FAILED", output=True, error="name is required")}), "failed"),
        (reply(404, {"success": False, "message": "Execution not found"}), "not found"),
    ],
)
def test_run_and_wait_adds_the_runs_warning_to_the_error_that_follows(
    harness: Make, after_the_run: httpx.Response, error_type: str
) -> None:
    h = harness(started(787, warning="Unexpected input variables: nme"), after_the_run)

    with pytest.raises(pa.PromptLayerError) as caught:
        h.run_and_wait("bot", input_variables={"nme": "Ada"})

    assert caught.value.run_warning == "Unexpected input variables: nme"
    assert str(caught.value).endswith("(the run warned: Unexpected input variables: nme)")


def test_an_error_after_a_run_without_warning_says_nothing_more(harness: Make) -> None:
    failed = {"Answer": node("FAILED", output=True, error="boom")}
    h = harness(started(787), reply(200, failed))

    with pytest.raises(pa.ExecutionFailedError) as caught:
        h.run_and_wait("bot")

    assert caught.value.run_warning is None
    assert "warned" not in str(caught.value)
