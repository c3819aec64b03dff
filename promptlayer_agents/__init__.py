"""promptlayer_agents: a typed client for PromptLayer's Agents API.

`Agents` (blocking) and `AsyncAgents` (asyncio) run an agent, wait for its results and read its
definition. The generated client underneath is the package `promptlayer_agents_api`;
`api_client()` gives one configured the same way.

Public modules besides this one: `promptlayer_agents.rules` (the API's rules, stated once),
`promptlayer_agents.definitions` (reading an agent definition), `promptlayer_agents.sandbox` (the
local server, with the `sandbox` extra). Modules whose names start with `_` are private.
"""

from __future__ import annotations

import logging as _logging
import os as _os
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from ._json import JSON
    from ._polling import PollPolicy
    from ._results import ExecutionResult, NodeState, RunStarted, parse_callback
    from ._webhooks import (
        WebhookDeduplicator,
        WebhookEvent,
        WebhookVerificationError,
        sign_webhook,
        verify_webhook,
        webhook_event_key,
    )
    from .definitions import AgentDefinition, EdgeCondition, EdgeDefinition, NodeDefinition

    __version__: str

# Each public name's module. Names load on first use (PEP 562), so that importing a submodule (the
# command line, whose --help needs neither httpx nor the generated models) does not load them all;
# `from promptlayer_agents import Agents` loads what Agents needs. Errors come from `_errors`.
_HOMES = {
    **dict.fromkeys(["Agents", "AsyncAgents", "api_client"], "promptlayer_agents._facade"),
    "JSON": "promptlayer_agents._json",
    "PollPolicy": "promptlayer_agents._polling",
    **dict.fromkeys(
        ["ExecutionResult", "NodeState", "RunStarted", "parse_callback"],
        "promptlayer_agents._results",
    ),
    **dict.fromkeys(
        ["AgentDefinition", "EdgeCondition", "EdgeDefinition", "NodeDefinition"],
        "promptlayer_agents.definitions",
    ),
    **dict.fromkeys(
        [
            "WebhookDeduplicator",
            "WebhookEvent",
            "WebhookVerificationError",
            "sign_webhook",
            "verify_webhook",
            "webhook_event_key",
        ],
        "promptlayer_agents._webhooks",
    ),
}

# A library logs and leaves the output to the application: without this, Python's last-resort
# handler would print the package's warnings to stderr on its own. PROMPTLAYER_LOG=debug|info
# prints them on stderr instead, with no code (`_logging.py`).
_logging.getLogger("promptlayer_agents").addHandler(_logging.NullHandler())
if _os.environ.get("PROMPTLAYER_LOG"):
    from ._logging import log_from_environment as _log_from_environment

    _log_from_environment()

__all__ = [  # noqa: RUF022 (plain sorted order, as the pin in test_public_surface.py)
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AgentDefinition",
    "Agents",
    "AsyncAgents",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "EdgeCondition",
    "EdgeDefinition",
    "ExecutionFailedError",
    "ExecutionResult",
    "InternalServerError",
    "InvalidInputError",
    "JSON",
    "NodeDefinition",
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
    "WebhookDeduplicator",
    "WebhookEvent",
    "WebhookVerificationError",
    "__version__",
    "api_client",
    "parse_callback",
    "sign_webhook",
    "verify_webhook",
    "webhook_event_key",
]


def _version() -> str:
    """The installed distribution's version: one source, the package metadata."""
    from importlib import metadata

    try:
        return metadata.version("promptlayer-agents")
    except metadata.PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    """A public name, loaded from its module on first use (then cached here)."""
    if name == "__version__":
        globals()[name] = _version()
        return globals()[name]
    home = _HOMES.get(name) or ("promptlayer_agents._errors" if name in __all__ else None)
    if home is None:
        raise AttributeError(f"module 'promptlayer_agents' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
