"""What the promptlayer_sandbox fixture's object refuses, and why, before anything runs."""

from __future__ import annotations

import asyncio
import random
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from promptlayer_agents.sandbox import Faults, PromptLayerSandbox, _testing
from promptlayer_agents.sandbox._cassette import dump
from promptlayer_agents.sandbox._nodes import Script
from promptlayer_agents.sandbox._record_modes import Cassettes
from promptlayer_agents.sandbox._recorder import Recorder
from promptlayer_agents.sandbox._replayer import Replayer

from .sandbox_calls import Reply, call, share_tls

AGENT: dict[str, Any] = {
    "workflow_name": "bot",
    "version": 2,
    "release_labels": ["prod"],
    "nodes": [{"name": "Reply", "node_type": "PROMPT_TEMPLATE", "is_output_node": True}],
}


def answer_of(sandbox: PromptLayerSandbox, method: str, path: str, **options: Any) -> Reply:
    """What the sandbox answers a request (in this process, not over a socket)."""
    return call(sandbox.sandbox.app, method, path, **options)


@pytest.fixture
def controls() -> PromptLayerSandbox:
    """Not started: these checks need no server."""
    made = PromptLayerSandbox()
    made.add_agent(AGENT)
    return made


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda s: s.script("ghost", "Reply", value=1), "no agent named 'ghost'"),
        (lambda s: s.script("bot", "Ghost", value=1), "has no node named 'Ghost'"),
        (lambda s: s.script("bot", "Reply", value=1, error="x"), "a value or an error, not both"),
        (lambda s: s.script("bot", "Reply"), "a value, an error or a duration"),
        (lambda s: s.script("bot", "Reply", duration=-1), "duration is a number of seconds"),
        (lambda s: s.add_agent({**AGENT, "nodes": "x"}), "add_agent: "),
        (lambda s: s.add_agent(AGENT), "version numbers must be unique"),
        (lambda s: s.script("bot", "Reply", value=float("nan")), "JSON the API can answer"),
        (lambda s: s.script("bot", "Reply", value={1, 2}), "JSON the API can answer"),
        (lambda s: s.script("bot", "Reply", duration=float("inf")), "and finite"),
        (lambda s: s.add_agent({**AGENT, "version": 3, "commit_message": "\ud800"}), "JSON"),
        (lambda s: s.configure(polls_per_node=-1), "polls_per_node"),
        (lambda s: s.configure(callable_timeout=0), "callable_timeout is a number of seconds"),
        (lambda s: s.configure(callable_timeout=True), "callable_timeout is a number of seconds"),
        (lambda s: s.configure(latncy=1), "unknown sandbox setting"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(
    controls: PromptLayerSandbox, call: Any, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        call(controls)


def test_reset_forgets_added_agents_scripts_and_settings(controls: PromptLayerSandbox) -> None:
    controls.script("bot", "Reply", value="hi")
    controls.configure(polls_per_node=2, latency=0.5)

    controls.reset()

    state = controls.sandbox.state
    assert state.catalog.names == []
    assert state.executions.scripts == {}
    assert state.executions.polls_per_node is None
    assert state.faults.latency == 0


def test_add_agent_takes_what_agents_get_returns(controls: PromptLayerSandbox) -> None:
    """The definition a test read with `Agents.get` (an AgentDefinition) serves as it is."""
    view = controls.sandbox.state.catalog.find("bot").versions[0]  # type: ignore[union-attr]
    elsewhere = PromptLayerSandbox()

    added = elsewhere.add_agent(view)

    assert added.to_dict() == view.to_dict()
    with pytest.raises(TypeError, match="AgentDefinition"):
        elsewhere.add_agent(["not", "a", "definition"])  # type: ignore[arg-type]


def test_a_new_sandbox_serves_no_agents_and_replays_nothing() -> None:
    made = PromptLayerSandbox(api_key="pl_mine")

    assert made.api_key == "pl_mine"
    assert made.sandbox.state.catalog.names == []
    assert made.cassettes == Cassettes()
    with pytest.raises(RuntimeError, match="the sandbox is not running"):
        made.url  # noqa: B018


def test_add_agent_returns_the_version_as_get_answers_it(controls: PromptLayerSandbox) -> None:
    added = controls.add_agent({**AGENT, "version": 3, "release_labels": []})

    assert added.to_dict()["version"] == 3
    assert added.to_dict()["workflow_name"] == "bot"
    assert answer_of(controls, "GET", "/workflows/bot", params={"version": "3"}).status == 200
    with pytest.raises(TypeError, match=r"an AgentVersion, not list$"):
        controls.add_agent(["x"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "scripted"),
    [
        ({"value": "hi"}, Script(value="hi", has_value=True)),
        ({"value": None}, Script(value=None, has_value=True)),
        ({"value": len}, Script(value=len, has_value=True)),
        ({"error": "boom", "duration": 2}, Script(error="boom", duration=2.0)),
        ({"duration": 0}, Script(duration=0.0)),
    ],
)
def test_script_keeps_what_the_node_produces(
    controls: PromptLayerSandbox, options: dict[str, Any], scripted: Script
) -> None:
    controls.script("1", "Reply", **options)  # the agent by its id, kept under its name

    kept = controls.sandbox.state.executions.scripts["bot"]["Reply"]
    assert kept == scripted
    assert type(kept.duration) is type(scripted.duration)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"error": 3}, "script: error is the node's error message, a string"),
        ({"duration": True}, "script: duration is a number of seconds >= 0, and finite"),
        ({"duration": "1"}, "script: duration is a number of seconds >= 0, and finite"),
        ({"value": 1, "error": "x"}, "script: give a value or an error, not both"),
        ({}, "script: give a value, an error or a duration"),
        ({"value": float("inf")}, "script: the value must be JSON the API can answer: "),
    ],
)
def test_script_refuses_exactly_with_the_reason(
    controls: PromptLayerSandbox, options: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(match)):
        controls.script("bot", "Reply", **options)
    assert controls.sandbox.state.executions.scripts == {}


def test_script_needs_the_agent_served_first(controls: PromptLayerSandbox) -> None:
    with pytest.raises(ValueError) as caught:
        controls.script("ghost", "Reply", value=1)

    assert str(caught.value) == "script: no agent named 'ghost' is served (add_agent it first)"


def test_configure_sets_progress_timeout_and_faults(controls: PromptLayerSandbox) -> None:
    controls.configure(polls_per_node=0, callable_timeout=2, rate_limit=0.5, seed=4)

    state = controls.sandbox.state
    assert state.executions.polls_per_node == 0
    assert (state.executions.callable_timeout, type(state.executions.callable_timeout)) == (
        2.0,
        float,
    )
    assert state.faults == Faults(rate_limit=0.5, seed=4)
    assert state.random.random() == random.Random(4).random()


def test_configure_by_default_is_progress_by_the_clock_and_no_faults(
    controls: PromptLayerSandbox,
) -> None:
    controls.configure(polls_per_node=3, callable_timeout=1, drop=1.0)

    controls.configure()

    state = controls.sandbox.state
    assert state.executions.polls_per_node is None
    assert state.executions.callable_timeout == 10.0
    assert state.faults == Faults()


@pytest.mark.parametrize("polls", [True, 1.0, "2", -1])
def test_polls_per_node_is_a_whole_number_of_polls(
    controls: PromptLayerSandbox, polls: Any
) -> None:
    with pytest.raises(ValueError, match="polls_per_node is a whole number of polls >= 0"):
        controls.configure(polls_per_node=polls)


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), "1", False])
def test_callable_timeout_is_a_finite_number_of_seconds(
    controls: PromptLayerSandbox, timeout: Any
) -> None:
    with pytest.raises(ValueError, match="callable_timeout is a number of seconds > 0, and finite"):
        controls.configure(callable_timeout=timeout)


def test_an_unknown_setting_is_refused_naming_every_known_one(
    controls: PromptLayerSandbox,
) -> None:
    with pytest.raises(ValueError) as caught:
        controls.configure(latncy=1, zeal=2)

    assert str(caught.value) == (
        "unknown sandbox setting(s) latncy, zeal; known: polls_per_node, callable_timeout, "
        "latency, rate_limit, unavailable, drop, retry_after, seed"
    )


def test_runs_are_the_executions_started_since_the_reset(controls: PromptLayerSandbox) -> None:
    controls.script("bot", "Reply", value="hi")
    started = answer_of(controls, "POST", "/workflows/bot/run", body={"input_variables": {}})

    [run] = controls.runs
    assert (run.agent, run.execution_id) == ("bot", started.json()["workflow_version_execution_id"])
    assert controls.blocked_scripts() == []

    controls.reset()
    assert controls.runs == []


def test_reset_forgets_the_cassette_and_the_requests_seen(
    controls: PromptLayerSandbox, tmp_path: Path
) -> None:
    cassette = tmp_path / "c.yaml"
    cassette.write_text(dump([]), encoding="utf-8")
    controls.cassettes = Cassettes(directory=tmp_path)
    assert controls.replay("c.yaml", speed=2, fallback="execute") == cassette
    tape = controls.sandbox.state.tape
    assert isinstance(tape, Replayer) and (tape.speed, tape.fallback) == (2.0, True)
    answer_of(controls, "GET", "/workflows/bot")

    controls.reset()

    state = controls.sandbox.state
    assert state.tape is None
    assert state.requests == {}
    assert answer_of(controls, "GET", "/workflows/bot").status == 404  # served: the initial agents


def test_reset_keeps_the_agents_the_sandbox_started_with() -> None:
    made = PromptLayerSandbox({"agents": [{"workflow_name": "kept", "versions": [{"nodes": []}]}]})
    made.add_agent(AGENT)

    made.reset()

    assert made.sandbox.state.catalog.names == ["kept"]


def test_reset_stops_running_executions_or_says_it_could_not(
    controls: PromptLayerSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    executions = controls.sandbox.state.executions
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    stopped: list[bool] = []
    try:
        executions.loop = loop

        async def stop() -> None:
            stopped.append(True)

        monkeypatch.setattr(executions, "stop", stop)
        controls.reset()
        assert stopped == [True]

        async def stuck() -> None:
            await asyncio.Event().wait()

        monkeypatch.setattr(executions, "stop", stuck)
        monkeypatch.setattr(_testing, "RESET_TIMEOUT", 0.05)
        with pytest.raises(RuntimeError, match=r"did not stop its executions within 0\.05 s$"):
            controls.reset()
    finally:
        for _ in range(2):  # the stuck stop's cancellation runs before the loop stops
            asyncio.run_coroutine_threadsafe(asyncio.sleep(0), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda s: s.configure(polls_per_node=-1),
            "polls_per_node is a whole number of polls >= 0",
        ),
        (
            lambda s: s.configure(callable_timeout=0),
            "callable_timeout is a number of seconds > 0, and finite",
        ),
        (
            lambda s: s.add_agent(3),
            "add_agent takes a Get Agent definition: a mapping, an AgentDefinition (what "
            "Agents.get returns) or an AgentVersion, not int",
        ),
        (
            lambda s: s.script("bot", "Ghost", value=1),
            "script: agent 'bot' has no node named 'Ghost'",
        ),
        (
            lambda s: s.script("bot", "Reply", value=1, error="x"),
            "script: give a value or an error, not both",
        ),
        (lambda s: s.script("bot", "Reply"), "script: give a value, an error or a duration"),
        (
            lambda s: s.script("bot", "Reply", error=1),
            "script: error is the node's error message, a string",
        ),
        (
            lambda s: s.script("bot", "Reply", duration=-1),
            "script: duration is a number of seconds >= 0, and finite",
        ),
    ],
)
def test_each_refusal_says_exactly_what_is_wrong(
    controls: PromptLayerSandbox, call: Any, message: str
) -> None:
    with pytest.raises((ValueError, TypeError)) as caught:
        call(controls)

    assert str(caught.value) == message


def test_a_value_json_cannot_carry_is_refused_naming_the_problem(
    controls: PromptLayerSandbox,
) -> None:
    with pytest.raises(ValueError) as caught:
        controls.script("bot", "Reply", value=float("nan"))

    assert str(caught.value).startswith("script: the value must be JSON the API can answer: ")
    assert len(str(caught.value)) > len("script: the value must be JSON the API can answer: ")


@pytest.mark.parametrize("timeout", [0.5, 10**6])
def test_any_finite_callable_timeout_above_0_is_taken(
    controls: PromptLayerSandbox, timeout: float
) -> None:
    controls.configure(callable_timeout=timeout)

    assert controls.sandbox.state.executions.callable_timeout == timeout


def test_replay_records_at_the_record_modes_say_with_the_inputs_to_redact(
    controls: PromptLayerSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share_tls(monkeypatch)
    keys: list[str] = []
    controls.cassettes = Cassettes(
        mode="all",
        directory=tmp_path,
        default_name="mod/test.yaml",
        api_key="pl_live",
        use_key=keys.append,
    )

    path = controls.replay(redact_inputs=["token"])

    tape = controls.sandbox.state.tape
    assert path == tmp_path / "cassettes" / "mod" / "test.yaml"
    assert isinstance(tape, Recorder) and tape.redact_inputs == {"token"}
    assert keys == ["pl_live"]


def test_replay_plays_at_the_recorded_speed_by_default(
    controls: PromptLayerSandbox, tmp_path: Path
) -> None:
    (tmp_path / "c.yaml").write_text(dump([]), encoding="utf-8")
    controls.cassettes = Cassettes(directory=tmp_path)

    controls.replay("c.yaml")

    tape = controls.sandbox.state.tape
    assert isinstance(tape, Replayer) and (tape.speed, tape.fallback) == (1.0, False)
