"""promptlayer_agents: a typed client for PromptLayer's Agents API.

`Agents` (blocking) and `AsyncAgents` (asyncio) run an agent, wait for its results and read its
definition. The generated client underneath is the package `promptlayer_agents_api`;
`api_client()` gives one configured the same way.

Public modules besides this one: `promptlayer_agents.rules` (the API's rules, stated once),
`promptlayer_agents.definitions` (reading an agent definition), `promptlayer_agents.sandbox` (the
local server, with the `sandbox` extra). Modules whose names start with `_` are private.
"""

import logging as _logging
from importlib import metadata as _metadata

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
from .definitions import AgentDefinition, EdgeCondition, EdgeDefinition, NodeDefinition

try:
    __version__ = _metadata.version("promptlayer-agents")  # one source: the package metadata
except _metadata.PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

# A library logs and leaves the output to the application: without this, Python's last-resort
# handler would print the package's warnings to stderr on its own.
_logging.getLogger("promptlayer_agents").addHandler(_logging.NullHandler())

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
    "__version__",
    "api_client",
    "parse_callback",
]
