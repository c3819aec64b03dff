"""Issue case 5 against the real sandbox: with a short or common key (`test`, `1`, `true`), what
an agent answers comes back as it was (`Hello, test-user!`, never `Hello, ***-user!`), from the
client and from the command line, and a run that started keeps its execution id."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import promptlayer_agents as pa
from promptlayer_agents.cli import main
from promptlayer_agents.sandbox import Sandbox

SHORT_KEYS = ["test", "1", "true", "pl_x"]


@pytest.mark.parametrize("key", SHORT_KEYS)
def test_a_short_key_never_changes_what_an_agent_answers(
    sandbox_factory: Callable[..., Sandbox], key: str
) -> None:
    sandbox = sandbox_factory(api_key=key)

    with pa.Agents(api_key=key, base_url=sandbox.url) as agents:
        started = agents.run("greeter", input_variables={"name": f"{key}-user"})
        result = agents.wait(started.execution_id, timeout=30)
        again = agents.get_results(started.execution_id, return_all_outputs=True)

    assert isinstance(started.execution_id, int)
    assert result.output == f"Hello, {key}-user!"
    assert again.nodes["Name"].value == f"{key}-user"


@pytest.mark.parametrize("key", SHORT_KEYS)
def test_a_short_key_never_changes_what_the_command_prints(
    sandbox_factory: Callable[..., Sandbox],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
) -> None:
    sandbox = sandbox_factory(api_key=key)
    monkeypatch.setenv("PROMPTLAYER_API_KEY", key)

    code = main(["-q", "run", "greeter", "-i", f"name={key}-user", "--base-url", sandbox.url])

    assert (code, capsys.readouterr().out) == (0, f"Hello, {key}-user!\n")
