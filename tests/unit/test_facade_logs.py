"""What the client logs to the `promptlayer_agents` logger: each retry at INFO, the run's warning
at WARNING, in words an operator can act on."""

from __future__ import annotations

import httpx
import pytest

from ..fakes import AGENT, Make, reply, started


def test_each_retry_is_logged_with_the_request_the_pause_and_the_reason(
    harness: Make, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness(reply(503), httpx.ReadTimeout("slow"), reply(200, AGENT))

    with caplog.at_level("INFO", logger="promptlayer_agents"):
        h.get("bot")

    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("promptlayer_agents", "INFO", "retrying GET /workflows/bot in 0.38s after HTTP 503"),
        ("promptlayer_agents", "INFO", "retrying GET /workflows/bot in 0.75s after ReadTimeout"),
    ]


def test_the_run_warning_is_logged_naming_the_agent(
    harness: Make, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness(started(warning="Missing input variables: question"))

    with caplog.at_level("WARNING", logger="promptlayer_agents"):
        h.run("support bot")

    assert [r.getMessage() for r in caplog.records] == [
        "run of 'support bot': Missing input variables: question"
    ]


def test_a_run_answer_without_a_warning_has_none_and_logs_nothing(
    harness: Make, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"success": True, "message": "ok", "workflow_version_execution_id": 5}
    h = harness(reply(201, body))

    with caplog.at_level("INFO", logger="promptlayer_agents"):
        run = h.run("bot")

    assert (run.execution_id, run.warning, run.message) == (5, None, "ok")
    assert caplog.records == []
