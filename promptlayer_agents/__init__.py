"""promptlayer_agents: a typed client for PromptLayer's Agents API.

`Agents` (blocking) and `AsyncAgents` (asyncio) run an agent, wait for its results and read its
definition. The generated client underneath is the package `promptlayer_agents_api`;
`api_client()` gives one configured the same way.

Public modules besides this one: `promptlayer_agents.rules` (the API's rules, stated once),
`promptlayer_agents.definitions` (reading an agent definition), `promptlayer_agents.sandbox` (the
local server, with the `sandbox` extra). Modules whose names start with `_` are private.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from promptlayer_agents_api.models import AgentEdge, AgentNode, AgentVersion

    from ._errors import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        ExecutionFailedError,
        InternalServerError,
        InvalidInputError,
        NotFoundError,
        PermissionDeniedError,
        PromptLayerError,
        RateLimitError,
        ResponseValidationError,
        UnprocessableEntityError,
        WaitTimeoutError,
    )
    from ._facade import Agents, AsyncAgents, api_client
    from ._polling import PollPolicy
    from ._results import ExecutionResult, NodeState, RunStarted, parse_callback

# Each public name's module. Names load on first use (PEP 562), so that importing a submodule (the
# command line, whose --help needs neither httpx nor the generated models) does not load them all;
# `from promptlayer_agents import Agents` loads what Agents needs. Errors come from `_errors`.
_HOMES = {
    **dict.fromkeys(["AgentEdge", "AgentNode", "AgentVersion"], "promptlayer_agents_api.models"),
    **dict.fromkeys(["Agents", "AsyncAgents", "api_client"], "promptlayer_agents._facade"),
    "PollPolicy": "promptlayer_agents._polling",
    **dict.fromkeys(
        ["ExecutionResult", "NodeState", "RunStarted", "parse_callback"],
        "promptlayer_agents._results",
    ),
}

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AgentEdge",
    "AgentNode",
    "AgentVersion",
    "Agents",
    "AsyncAgents",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ExecutionFailedError",
    "ExecutionResult",
    "InternalServerError",
    "InvalidInputError",
    "NodeState",
    "NotFoundError",
    "PermissionDeniedError",
    "PollPolicy",
    "PromptLayerError",
    "RateLimitError",
    "ResponseValidationError",
    "RunStarted",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "__version__",
    "api_client",
    "parse_callback",
]


def __getattr__(name: str) -> Any:
    """A public name, loaded from its module on first use (then cached here)."""
    home = _HOMES.get(name) or ("promptlayer_agents._errors" if name in __all__ else None)
    if home is None:
        raise AttributeError(f"module 'promptlayer_agents' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
