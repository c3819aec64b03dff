"""The one place that touches the generated operations' internals.

The facade sends requests itself (to retry, bound the time taken and type every failure), so it
uses each generated operation's private `_get_kwargs` to build a request and `_parse_response` to
read an answer. Both are generated, not hand-written, but private: everything that depends on them
is here, pinned by `tests/unit/test_operations.py`, so that a generator upgrade that changes them
fails one named test.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx

from promptlayer_agents_api import Client
from promptlayer_agents_api.api.agents import get_agent, get_execution_results, run_agent
from promptlayer_agents_api.models import (
    AgentSummaryResponse,
    AgentVersion,
    NoOutputNodeError,
    RunAgentRequest,
    RunAgentResponse,
)
from promptlayer_agents_api.types import UNSET

from ._errors import ResponseValidationError, excerpt, status_error

T = TypeVar("T")
Call = dict[str, Any]
"""httpx request keyword arguments (method, url relative to the base URL, params, json, ...)."""

# The generated parsers take a client only to decide about undocumented statuses, which `_parse`
# has already turned into errors before parsing.
_PARSER = Client(base_url="", raise_on_unexpected_status=True)
# What the generated parsers raise on JSON that does not match the spec, or is not JSON at all (or
# not UTF-8: ValueError), or is nested too deeply for Python's decoder (RecursionError).
PARSE_ERRORS = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    OverflowError,
    RecursionError,
)


def run_call(agent: str, body: RunAgentRequest) -> Call:
    """POST /workflows/{agent}/run with this body (the name is percent-encoded)."""
    return run_agent._get_kwargs(agent, body=body)


def results_call(execution_id: int, return_all_outputs: bool) -> Call:
    """GET /workflow-version-execution-results for this execution."""
    return get_execution_results._get_kwargs(
        workflow_version_execution_id=execution_id, return_all_outputs=return_all_outputs
    )


def agent_call(agent: str, label: str | None, version: int | None) -> Call:
    """GET /workflows/{agent}, with the label or version asked for."""
    return get_agent._get_kwargs(
        agent,
        label=UNSET if label is None else label,
        version=UNSET if version is None else version,
    )


def parse_run(response: httpx.Response) -> RunAgentResponse:
    """A run answer (201, or 202 when a callback was asked for)."""
    return _expect(RunAgentResponse, _parse(run_agent, response, {201, 202}), response)


def parse_results(response: httpx.Response) -> NoOutputNodeError | Any:
    """A results answer: 200/202 (node map or main output), or the 400 of an agent with no
    output node (a NoOutputNodeError)."""
    return _parse(get_execution_results, response, {200, 202, 400})


def parse_agent(response: httpx.Response) -> AgentVersion:
    """A Get Agent answer; the older summary-only form is refused, since it has no definition."""
    parsed = _parse(get_agent, response, {200})
    if isinstance(parsed, AgentSummaryResponse):
        raise ResponseValidationError(
            "the API answered only the agent's summary (an older form of this endpoint), "
            "not its definition",
            status_code=response.status_code,
            excerpt=excerpt(response),
        )
    return _expect(AgentVersion, parsed, response)


def _parse(module: Any, response: httpx.Response, expected: set[int]) -> Any:
    """The generated parse of a response whose status is one of `expected`; an error status is
    raised as its typed error, anything unreadable as ResponseValidationError."""
    if response.status_code not in expected:
        if response.status_code >= 400:
            raise status_error(response)
        raise ResponseValidationError(
            "unexpected status", status_code=response.status_code, excerpt=excerpt(response)
        )
    try:
        return module._parse_response(client=_PARSER, response=response)
    except PARSE_ERRORS as error:
        raise ResponseValidationError(
            f"the answer does not match the API description ({type(error).__name__}: {error})",
            status_code=response.status_code,
            excerpt=excerpt(response),
        ) from error


def _expect(cls: type[T], parsed: object, response: httpx.Response) -> T:
    """`parsed` as the model the operation promises for this status."""
    if not isinstance(parsed, cls):
        raise ResponseValidationError(
            f"expected a {cls.__name__}",
            status_code=response.status_code,
            excerpt=excerpt(response),
        )
    return parsed
