"""The one place that touches the generated operations' internals.

The facade sends requests itself (to retry, bound the time taken and type every failure), so it
uses each generated operation's private `_get_kwargs` to build a request: generated, not
hand-written, but private, so everything that depends on it is here, pinned by
`tests/unit/test_operations.py`, so that a generator upgrade that changes it fails one named test.
Answers are read by the generated models' `from_dict`, which checks every field and names the
JSON path of what is wrong; this module decides only which model an answer is, by its status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import httpx

from promptlayer_agents_api.api.agents import get_agent, get_execution_results, run_agent
from promptlayer_agents_api.models import (
    AgentVersion,
    ExecutionNodeMap,
    NodeResult,
    NoOutputNodeError,
    RunAgentRequest,
)
from promptlayer_agents_api.types import UNSET, ModelError

from ._errors import ResponseValidationError, excerpt, request_id, status_error
from ._results import RunStarted

M = TypeVar("M")
Call = dict[str, Any]
"""httpx request keyword arguments (method, url relative to the base URL, params, json, ...)."""


def run_call(agent: str, body: RunAgentRequest) -> Call:
    """POST /workflows/{agent}/run with this body (the name is percent-encoded)."""
    return run_agent._get_kwargs(agent, body=body)


def results_call(
    execution_id: int,
    return_all_outputs: bool,
    node_id: str | None = None,
    node_name: str | None = None,
) -> Call:
    """GET /workflow-version-execution-results for this execution, optionally for one node."""
    return get_execution_results._get_kwargs(
        workflow_version_execution_id=execution_id,
        return_all_outputs=return_all_outputs,
        workflow_node_id=UNSET if node_id is None else node_id,
        workflow_node_name=UNSET if node_name is None else node_name,
    )


def agent_call(agent: str, label: str | None, version: int | None) -> Call:
    """GET /workflows/{agent}, with the label or version asked for."""
    return get_agent._get_kwargs(
        agent,
        label=UNSET if label is None else label,
        version=UNSET if version is None else version,
    )


def parse_run(response: httpx.Response) -> RunStarted:
    """A run answer (201, or 202 when a callback was asked for). Its execution id must be a
    positive integer: any other would poll for a result that cannot exist. When the answer
    cannot be read, or its status is another 2xx, but its id can, the error carries the id: the
    run started."""
    try:
        return _run_answer(response)
    except ResponseValidationError as error:
        error.execution_id = _started_id(response)
        raise


def _run_answer(response: httpx.Response) -> RunStarted:
    _check_status(response, {201, 202})
    started = _read(RunStarted.from_dict, _json(response), response)
    # Not in the JSON: the status and the headers say these.
    object.__setattr__(started, "accepted_for_callback", response.status_code == 202)
    object.__setattr__(started, "request_id", request_id(response))
    return started


def _started_id(response: httpx.Response) -> int | None:
    """The positive execution id in a 2xx run answer that is otherwise unreadable or has an
    unexpected status, if it has one."""
    if not 200 <= response.status_code < 300:
        return None
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return None
    found = body.get("workflow_version_execution_id") if isinstance(body, dict) else None
    return found if type(found) is int and found > 0 else None


def parse_results(
    response: httpx.Response, *, all_outputs: bool
) -> ExecutionNodeMap | NoOutputNodeError | Any:
    """A results answer: 200/202 as the node map (an ExecutionNodeMap) or the bare main output
    (decided by `results_body`), or the 400 of an agent with no output node (a
    NoOutputNodeError with its node map). Any other 400 (no body, not JSON, no node map in
    `output`) is a BadRequestError."""
    _check_status(response, {200, 202, 400})
    if response.status_code == 400:
        return _no_output_node(response)
    return results_body(_json(response), all_outputs=all_outputs, response=response)


def results_body(body: Any, *, all_outputs: bool, response: httpx.Response) -> Any:
    """The one decision about a 200/202 results body: the node map, or the main output.

    Decided by what was asked and by shape, never by a single key:
    - asked for every node (`all_outputs`): the node map when the body is a JSON object whose
      every value is an object; a node may lack any field, `status` too. A field of the wrong
      type raises ResponseValidationError naming its path.
    - asked for the main output: the node map only when the body is a non-empty object whose
      every value is an object with every field of `NodeResult`, of its type (as PromptLayer's
      own SDK decides: the API answers the node map instead of a value, for example when a node
      failed). Anything else, an object with a `status` inside too, is the main output.
    """
    if not isinstance(body, dict) or not all(isinstance(v, dict) for v in body.values()):
        return body
    if all_outputs:
        return _read(ExecutionNodeMap.from_dict, body, response)
    if not body or not all(node.keys() >= _NODE_RESULT_KEYS for node in body.values()):
        return body
    try:
        return ExecutionNodeMap.from_dict(body)
    except ModelError:
        return body


_NODE_RESULT_KEYS = frozenset(
    attribute.name for attribute in attrs.fields(NodeResult) if attribute.init
)
"""The JSON keys of a node result, from the generated model (its fields keep the JSON names)."""


def _no_output_node(response: httpx.Response) -> NoOutputNodeError:
    """The 400 of an agent with no output node, whose `output` is the node map; any other 400
    is raised as BadRequestError with the server's message."""
    try:
        body = response.json()
        parsed = NoOutputNodeError.from_dict(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # ModelError is a ValueError
        raise status_error(response) from None
    if parsed.output is None:
        raise status_error(response)
    return parsed


def parse_agent(response: httpx.Response) -> AgentVersion:
    """A Get Agent answer. The older summary-only form is refused, since it has no definition;
    a definition that cannot be read is refused naming the path and what is wrong with it."""
    _check_status(response, {200})
    body = _json(response)
    if isinstance(body, dict) and "workflow" in body and "nodes" not in body:
        raise ResponseValidationError(
            "the API answered only the agent's summary (an older form of this endpoint), "
            "not its definition",
            status_code=response.status_code,
            excerpt=excerpt(response),
        )
    return _read(AgentVersion.from_dict, body, response)


def _read(read: Callable[[Any], M], body: Any, response: httpx.Response) -> M:
    """The generated model of a decoded body; ResponseValidationError naming the JSON path of
    what is wrong, e.g. `nodes[2].id: expected a string, got 3`."""
    try:
        return read(body)
    except ModelError as error:
        message = str(error) if error.path else f"the answer: {error.problem}"
        raise ResponseValidationError(
            message, status_code=response.status_code, excerpt=excerpt(response)
        ) from None


def _check_status(response: httpx.Response, expected: set[int]) -> None:
    """Raise the typed error for an error status, ResponseValidationError for any other status
    not in `expected`."""
    if response.status_code not in expected:
        if response.status_code >= 400:
            raise status_error(response)
        raise ResponseValidationError(
            "unexpected status", status_code=response.status_code, excerpt=excerpt(response)
        )


def _json(response: httpx.Response) -> Any:
    """The decoded JSON body; ResponseValidationError when it is not JSON."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ResponseValidationError(
            f"the answer is not JSON ({type(error).__name__})",
            status_code=response.status_code,
            excerpt=excerpt(response),
        ) from error
