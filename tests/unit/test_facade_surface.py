"""The public surface: Agents and AsyncAgents match, and every documented name is importable."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import promptlayer_agents
from promptlayer_agents import Agents, AsyncAgents

PUBLIC = ["run", "get_results", "wait", "run_and_wait", "get", "close"]
SHARED = ["with_options"]  # the same method on both, not awaited: it sends nothing


def _public_methods(cls: type) -> set[str]:
    """Its public methods (not the copies mutation testing adds, named `xǁClassǁmethod...`)."""
    return {
        name
        for name, _ in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and "ǁ" not in name
    }


def test_both_clients_have_the_same_methods() -> None:
    assert _public_methods(Agents) == _public_methods(AsyncAgents) == set(PUBLIC + SHARED)
    assert all(getattr(Agents, name) is getattr(AsyncAgents, name) for name in SHARED)


def test_same_parameters_and_return_types() -> None:
    for name in PUBLIC:
        sync, asynchronous = getattr(Agents, name), getattr(AsyncAgents, name)
        assert inspect.signature(sync) == inspect.signature(asynchronous), name
        assert inspect.iscoroutinefunction(asynchronous), name
        assert not inspect.iscoroutinefunction(sync), name


def test_constructors_take_the_same_options() -> None:
    def options(init: Callable[..., None]) -> list[tuple[str, object]]:
        return [(p.name, p.default) for p in inspect.signature(init).parameters.values()]

    assert options(Agents.__init__) == options(AsyncAgents.__init__)
    assert [name for name, _ in options(Agents.__init__)] == [
        "self",
        "api_key",
        "base_url",
        "timeout",
        "max_retries",
        "max_response_bytes",
        "default_headers",
        "http_client",
    ]


def test_context_managers() -> None:
    assert hasattr(Agents, "__enter__") and hasattr(Agents, "__exit__")
    assert inspect.iscoroutinefunction(AsyncAgents.__aenter__)
    assert inspect.iscoroutinefunction(AsyncAgents.__aexit__)


def test_everything_in_all_is_importable() -> None:
    for name in promptlayer_agents.__all__:
        assert getattr(promptlayer_agents, name) is not None, name
    for error in ["PromptLayerError", "APIStatusError", "WaitTimeoutError", "ExecutionFailedError"]:
        assert issubclass(getattr(promptlayer_agents, error), Exception)
