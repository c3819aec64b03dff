"""promptlayer_agents: a typed client for PromptLayer's Agents API.

`Agents` (blocking) and `AsyncAgents` (asyncio) run an agent, wait for its results and read its
definition. The generated client underneath is the package `promptlayer_agents_api`;
`api_client()` gives one configured the same way.

Public modules besides this one: `promptlayer_agents.rules` (the API's rules, stated once),
`promptlayer_agents.definitions` (reading an agent definition), `promptlayer_agents.sandbox` (the
local server, with the `sandbox` extra). Modules whose names start with `_` are private.
"""

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
