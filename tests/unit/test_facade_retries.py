"""What is retried, how long it waits first, and that a run is never started twice."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest

import promptlayer_agents as pa
from promptlayer_agents._config import BACKOFF_MAX, RETRY_AFTER_MAX
from promptlayer_agents._retries import backoff, may_retry, retry_after

from ..fakes import AGENT, FakeClock, Make, reply, started


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_gets_retry_transient_statuses(status: int) -> None:
    assert may_retry(httpx.Response(status), idempotent=True)


@pytest.mark.parametrize("status", [200, 202, 400, 401, 403, 404, 409, 422, 501])
def test_gets_do_not_retry_other_statuses(status: int) -> None:
    assert not may_retry(httpx.Response(status), idempotent=True)


@pytest.mark.parametrize(
    ("outcome", "retry"),
    [
        (httpx.Response(429), True),
        (httpx.ConnectError("refused"), True),
        (httpx.ConnectTimeout("connect"), True),
        (httpx.PoolTimeout("pool"), True),
        (httpx.Response(500), False),
        (httpx.Response(502), False),
        (httpx.Response(503), False),
        (httpx.Response(408), False),
        (httpx.ReadTimeout("read"), False),
        (httpx.WriteTimeout("write"), False),
        (httpx.ReadError("reset"), False),
        (httpx.RemoteProtocolError("dropped"), False),
    ],
)
def test_run_post_retries_only_what_certainly_did_not_start(
    outcome: httpx.Response | httpx.TransportError, retry: bool
) -> None:
    assert may_retry(outcome, idempotent=False) is retry


def test_retry_after_in_seconds_and_as_a_date() -> None:
    now = 1_800_000_000.0

    def after(value: str) -> float | None:
        return retry_after(httpx.Response(429, headers={"Retry-After": value}), now=now)

    assert after("7") == 7.0
    assert after("0.5") == 0.5
    assert after(formatdate(now + 30, usegmt=True)) == pytest.approx(30.0)
    assert after(formatdate(now - 30, usegmt=True)) == 0.0
    assert after("86400") == RETRY_AFTER_MAX
    assert after("soon") is None
    assert after("nan") is None
    assert retry_after(httpx.Response(429), now=now) is None


def test_backoff_grows_with_jitter_up_to_a_cap() -> None:
    assert [backoff(n, random=0.999999) for n in range(3)] == pytest.approx([0.5, 1.0, 2.0])
    assert [backoff(n, random=0.0) for n in range(3)] == pytest.approx([0.25, 0.5, 1.0])
    assert backoff(50, random=0.999999) == pytest.approx(BACKOFF_MAX)
    assert backoff(10_000, random=0.5) <= BACKOFF_MAX


def test_get_is_retried_then_succeeds(harness: Make, clock: FakeClock) -> None:
    h = harness(reply(503), httpx.ReadTimeout("slow"), reply(200, AGENT))

    agent = h.get("bot")

    assert agent.workflow_name == "bot"
    assert len(h.api.requests) == 3
    assert clock.sleeps == [0.375, 0.75]  # backoff 0.5 then 1.0, jitter fixed at 0.5


def test_get_gives_up_after_max_retries(harness: Make) -> None:
    h = harness(default=reply(503, {"message": "overloaded"}), max_retries=2)

    with pytest.raises(pa.InternalServerError, match="overloaded"):
        h.get("bot")

    assert len(h.api.requests) == 3


def test_max_retries_zero_sends_once(harness: Make) -> None:
    h = harness(default=reply(503), max_retries=0)

    with pytest.raises(pa.InternalServerError):
        h.get("bot")

    assert len(h.api.requests) == 1


def test_retry_after_is_honoured(harness: Make, clock: FakeClock) -> None:
    h = harness(reply(429, headers={"Retry-After": "4"}), reply(200, AGENT))

    h.get("bot")

    assert clock.sleeps == [4.0]


@pytest.mark.parametrize(
    "failure",
    [
        reply(500),
        reply(502),
        reply(503),
        reply(504),
        httpx.ReadTimeout("no answer in time"),
        httpx.RemoteProtocolError("server closed the connection"),
    ],
)
def test_run_is_never_sent_twice_when_it_may_have_started(
    harness: Make, failure: httpx.Response | Exception
) -> None:
    h = harness(failure, started())

    with pytest.raises(pa.PromptLayerError):
        h.run("bot")

    assert len(h.api.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        reply(429, headers={"Retry-After": "1"}),
        httpx.ConnectError("Connection refused"),
        httpx.ConnectTimeout("connect timed out"),
    ],
)
def test_run_is_retried_when_it_certainly_did_not_start(
    harness: Make, failure: httpx.Response | Exception
) -> None:
    h = harness(failure, started(788))

    run = h.run("bot")

    assert run.execution_id == 788
    assert len(h.api.requests) == 2
    assert h.api.bodies()[0] == h.api.bodies()[1]


@pytest.mark.parametrize(("retry_after", "retried"), [("10", True), ("10.5", False)])
def test_a_single_call_waits_at_most_its_budget_for_a_retry(
    harness: Make, clock: FakeClock, retry_after: str, retried: bool
) -> None:
    # One request of 1 s, one retry: the call's budget is 2 x 1 s + one backoff ceiling (8 s).
    h = harness(
        reply(503, headers={"Retry-After": retry_after}),
        reply(200, AGENT),
        timeout=1.0,
        max_retries=1,
    )

    if retried:
        h.get("bot")
        assert clock.sleeps == [10.0]
    else:
        with pytest.raises(pa.InternalServerError):
            h.get("bot")
        assert clock.sleeps == []
