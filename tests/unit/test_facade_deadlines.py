"""A wait's deadline bounds everything in it: retries, the last look, the main-output request;
and a WaitTimeoutError says what a caller needs to resume."""

from __future__ import annotations

import logging
from email.utils import formatdate

import httpx
import pytest

import promptlayer_agents as pa
from promptlayer_agents._config import POLL_INITIAL

from ..fakes import AGENT, FakeClock, Make, node, reply, started

RUNNING = {"Answer": node("RUNNING", output=True)}
FINISHED = {"Answer": node("SUCCESS", "42", output=True)}


def test_a_retry_that_would_end_past_the_deadline_is_not_waited_for(
    harness: Make, clock: FakeClock
) -> None:
    h = harness(reply(503, {"message": "busy"}, {"Retry-After": "30"}), reply(200, FINISHED))

    with pytest.raises(pa.WaitTimeoutError) as caught:
        h.wait(787, timeout=5.0)

    assert clock.sleeps == []
    assert len(h.api.requests) == 1
    assert isinstance(caught.value.__cause__, pa.InternalServerError)
    assert caught.value.last_result is None
    assert caught.value.execution_id == 787


def test_a_retry_that_ends_exactly_at_the_deadline_gets_its_last_look(
    harness: Make, clock: FakeClock
) -> None:
    h = harness(reply(503, headers={"Retry-After": "5"}), reply(200, FINISHED))

    result = h.wait(787, timeout=5.0)

    assert result.output == "42"
    assert clock.sleeps == [5.0]


def test_a_wait_timeout_after_polls_keeps_the_last_result(harness: Make, clock: FakeClock) -> None:
    clock.now = 1_000.0  # a monotonic clock does not start at zero
    h = harness(reply(202, RUNNING), reply(429, headers={"Retry-After": "60"}))

    with pytest.raises(pa.WaitTimeoutError) as caught:
        h.wait(787, timeout=10.0)

    error = caught.value
    assert error.execution_id == 787
    assert error.waited == pytest.approx(POLL_INITIAL)  # the one pause before the second poll
    assert error.last_result is not None
    assert error.last_result.nodes["Answer"].status == "RUNNING"
    assert isinstance(error.__cause__, pa.RateLimitError)
    assert not getattr(error, "__notes__", None)  # its message says how to resume already


def test_the_time_waited_is_measured_from_the_start_of_the_wait(
    harness: Make, clock: FakeClock
) -> None:
    clock.now = 1_000.0
    h = harness(default=reply(202, RUNNING))

    with pytest.raises(pa.WaitTimeoutError) as caught:
        h.wait(787, timeout=4.0)

    assert caught.value.waited == pytest.approx(4.0)
    assert "after 4.0s" in str(caught.value)


def test_a_retry_after_date_is_honoured(harness: Make, clock: FakeClock) -> None:
    in_six_seconds = formatdate(clock.time() + 6, usegmt=True)
    h = harness(
        reply(503, headers={"Retry-After": in_six_seconds}),
        reply(200, AGENT),
        reply(202, RUNNING, {"Retry-After": formatdate(clock.time() + 6 + 4, usegmt=True)}),
        reply(200, FINISHED),
    )

    h.get("bot")
    h.wait(787)

    assert clock.sleeps == pytest.approx([6.0, 4.0])


def test_the_main_output_request_is_bounded_by_the_deadline_too(
    harness: Make, clock: FakeClock
) -> None:
    both = {
        "Fast": node("SUCCESS", "fast", output=True),
        "Slow": node("SUCCESS", "slow", output=True),
    }
    h = harness(reply(200, both), reply(200, "slow"), timeout=30.0)

    result = h.wait(787, timeout=3.0)

    assert (result.execution_id, result.done, result.status, result.output) == (
        787,
        True,
        "SUCCESS",
        "slow",
    )
    timeouts = [r.extensions["timeout"]["read"] for r in h.api.requests]
    assert timeouts == pytest.approx([3.0, 3.0])
    assert [dict(r.url.params) for r in h.api.requests] == [
        {"workflow_version_execution_id": "787", "return_all_outputs": "true"},
        {"workflow_version_execution_id": "787", "return_all_outputs": "false"},
    ]


def test_a_main_output_request_that_cannot_finish_in_time_is_a_wait_timeout(
    harness: Make, clock: FakeClock
) -> None:
    both = {
        "Fast": node("SUCCESS", "fast", output=True),
        "Slow": node("SUCCESS", "slow", output=True),
    }
    h = harness(reply(200, both), reply(503, headers={"Retry-After": "30"}), reply(200, "slow"))

    with pytest.raises(pa.WaitTimeoutError) as caught:
        h.wait(787, timeout=10.0)

    assert clock.sleeps == []
    assert isinstance(caught.value.__cause__, pa.InternalServerError)
    final = caught.value.last_result
    assert final is not None and final.done and set(final.nodes) == {"Fast", "Slow"}


def test_run_and_wait_uses_the_poll_interval_and_reports_progress(
    harness: Make, clock: FakeClock
) -> None:
    h = harness(started(901), reply(202, RUNNING), reply(202, RUNNING), reply(200, FINISHED))
    seen: list[pa.ExecutionResult] = []

    result = h.run_and_wait(
        "bot", metadata={"user": "42"}, poll_interval=2.0, on_progress=seen.append
    )

    assert result.output == "42"
    assert clock.sleeps == [2.0, 2.0]
    assert [r.execution_id for r in seen] == [901, 901]
    assert h.api.bodies()[0]["metadata"] == {"user": "42"}


def test_a_wait_timeout_after_requests_that_timed_out_says_so(
    harness: Make, clock: FakeClock
) -> None:
    def too_slow(request: httpx.Request) -> httpx.Response:
        clock.now += 4.9
        raise httpx.ReadTimeout("The read operation timed out")

    h = harness(too_slow)

    with pytest.raises(pa.WaitTimeoutError) as caught:
        h.wait(787, timeout=5.0)

    cause = caught.value.__cause__
    assert isinstance(cause, pa.APITimeoutError)
    assert str(cause) == "ReadTimeout: The read operation timed out"
    assert clock.sleeps == []


def test_a_retry_given_up_for_the_deadline_is_logged_with_its_pause(
    harness: Make, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness(reply(503, {"message": "busy"}, {"Retry-After": "30"}))

    with (
        caplog.at_level(logging.INFO, logger="promptlayer_agents"),
        pytest.raises(pa.WaitTimeoutError),
    ):
        h.wait(787, timeout=5.0)

    assert [record.getMessage() for record in caplog.records] == [
        "not retrying /workflow-version-execution-results: a 30.00s pause ends past the deadline"
    ]
