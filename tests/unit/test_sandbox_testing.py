"""What the promptlayer_sandbox fixture's object refuses, and why, before anything runs."""

from __future__ import annotations

from typing import Any

import pytest

from promptlayer_agents.sandbox import PromptLayerSandbox

AGENT: dict[str, Any] = {
    "workflow_name": "bot",
    "version": 2,
    "release_labels": ["prod"],
    "nodes": [{"name": "Reply", "node_type": "PROMPT_TEMPLATE", "is_output_node": True}],
}


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
