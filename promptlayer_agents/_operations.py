"""The one place that touches the generated operations' internals.

The facade sends requests itself (to retry, bound the time taken and type every failure), so it
uses each generated operation's private `_get_kwargs` to build a request and `_parse_response` to
read an answer. Both are generated, not hand-written, but private: everything that depends on them
is here, pinned by `tests/unit/test_operations.py`, so that a generator upgrade that changes them
fails one named test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from promptlayer_agents_api import Client
from promptlayer_agents_api.api.agents import get_agent, get_execution_results, run_agent
from promptlayer_agents_api.models import (
    AgentVersion,
    NoOutputNodeError,
    RunAgentRequest,
    RunAgentResponse,
)
from promptlayer_agents_api.types import UNSET

from ._errors import ResponseValidationError, excerpt, status_error
from ._results import NodeMap, nodes_from_json

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


def parse_run(response: httpx.Response) -> RunAgentResponse:
    """A run answer (201, or 202 when a callback was asked for). Its execution id must be a
    positive integer: any other would poll for a result that cannot exist. When the rest of the
    answer cannot be read but its id can, the error carries the id: the run started."""
    try:
        return _run_answer(response)
    except ResponseValidationError as error:
        error.execution_id = _started_id(response)
        raise


def _run_answer(response: httpx.Response) -> RunAgentResponse:
    parsed = _expect(RunAgentResponse, _parse(run_agent, response, {201, 202}), response)
    execution_id = parsed.workflow_version_execution_id
    if not _is_int(execution_id) or execution_id < 1:
        raise ResponseValidationError(
            f"workflow_version_execution_id is {execution_id!r}, not a positive integer",
            status_code=response.status_code,
            excerpt=excerpt(response),
        )
    if not isinstance(parsed.message, str):
        raise ResponseValidationError(
            "message is not a string", status_code=response.status_code, excerpt=excerpt(response)
        )
    return parsed


def _started_id(response: httpx.Response) -> int | None:
    """The positive execution id in a run answer that is otherwise unreadable, if it has one."""
    if response.status_code not in (201, 202):
        return None
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return None
    found = body.get("workflow_version_execution_id") if isinstance(body, dict) else None
    return found if type(found) is int and found > 0 else None


def parse_results(response: httpx.Response, *, all_outputs: bool) -> NoOutputNodeError | Any:
    """A results answer: 200/202 as node states (a NodeMap) or the bare main output (decided by
    `results_body`), or the 400 of an agent with no output node (a NoOutputNodeError). Any other
    400 (no body, not JSON, no node map in `output`) is a BadRequestError."""
    _check_status(response, {200, 202, 400})
    if response.status_code == 400:
        return _no_output_node(response)
    body = _json(response)
    try:
        return results_body(body, all_outputs=all_outputs)
    except ValueError as error:
        raise ResponseValidationError(
            f"the results do not match the API description: {error}",
            status_code=response.status_code,
            excerpt=excerpt(response),
        ) from error


NODE_RESULT_FIELDS = ("status", "value", "error_message", "raw_error_message", "is_output_node")
"""The fields of one node's result, all optional in PromptLayer's spec."""


def results_body(body: Any, *, all_outputs: bool) -> NodeMap | Any:
    """The one decision about a 200/202 results body: the node map, or the main output.

    Decided by what was asked and by shape, never by a single key:
    - asked for every node (`all_outputs`): the node map when the body is a JSON object whose
      every value is an object; a node may lack any field, `status` too. A field of the wrong
      type then raises ValueError naming the node and the field.
    - asked for the main output: the node map only when the body is a non-empty object whose
      every value is an object with all five node-result fields, of their documented types (as
      PromptLayer's own SDK decides: the API answers the node map instead of a value, for example
      when a node failed). Anything else, an object with a `status` inside too, is the main output.
    The node map is read straight into node states (`_results.nodes_from_json`).
    """
    if not isinstance(body, dict) or not all(isinstance(v, dict) for v in body.values()):
        return body
    if all_outputs:
        problem = _node_map_problem(body)
        if problem:
            raise ValueError(problem)
        return nodes_from_json(body)
    complete = all(set(NODE_RESULT_FIELDS) <= node.keys() for node in body.values())
    if body and complete and not _node_map_problem(body):
        return nodes_from_json(body)
    return body


def _node_map_problem(node_map: Mapping[str, Any]) -> str | None:
    """What is wrong with a node map whose values are objects, or None. `is_output_node` may be
    null (the official SDK's recorded answers have it so)."""
    checks: dict[str, Callable[[Any], bool]] = {
        "status": lambda v: isinstance(v, str),
        "error_message": _str_or_none,
        "raw_error_message": _str_or_none,
        "is_output_node": lambda v: v is None or isinstance(v, bool),
    }
    for name, node in node_map.items():
        if (  # the usual case, in one expression: a large map is checked on every poll
            isinstance(node.get("status", ""), str)
            and isinstance(node.get("error_message"), _STR_OR_NONE)
            and isinstance(node.get("raw_error_message"), _STR_OR_NONE)
            and isinstance(node.get("is_output_node"), _BOOL_OR_NONE)
        ):
            continue
        for field, check in checks.items():
            if field in node and not check(node[field]):
                return f"node {name!r}: {field} is {_kind(node[field])}, not {_WANTED[field]}"
    return None


_STR_OR_NONE = (str, type(None))
_BOOL_OR_NONE = (bool, type(None))
_WANTED = {
    "status": "a string",
    "error_message": "a string or null",
    "raw_error_message": "a string or null",
    "is_output_node": "a boolean",
}


def _no_output_node(response: httpx.Response) -> NoOutputNodeError:
    """The 400 of an agent with no output node, whose `output` is the node map; any other 400
    is raised as BadRequestError with the server's message."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise status_error(response) from None
    output = body.get("output") if isinstance(body, dict) else None
    if (
        not isinstance(output, dict)
        or not all(isinstance(node, dict) for node in output.values())
        or _node_map_problem(output)
    ):
        raise status_error(response)
    try:
        return NoOutputNodeError.from_dict(body)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise status_error(response) from None


def parse_agent(response: httpx.Response) -> AgentVersion:
    """A Get Agent answer. The older summary-only form is refused, since it has no definition;
    a definition that cannot be read is refused naming the field and what is wrong with it."""
    _check_status(response, {200})
    body = _json(response)
    if isinstance(body, dict) and "workflow" in body and "nodes" not in body:
        raise ResponseValidationError(
            "the API answered only the agent's summary (an older form of this endpoint), "
            "not its definition",
            status_code=response.status_code,
            excerpt=excerpt(response),
        )
    problem = agent_problem(body)
    if problem:
        raise ResponseValidationError(
            f"the agent definition cannot be read: {problem}",
            status_code=response.status_code,
            excerpt=excerpt(response),
        )
    try:
        return AgentVersion.from_dict(body)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ResponseValidationError(
            f"the agent definition cannot be read ({type(error).__name__}: {error})",
            status_code=response.status_code,
            excerpt=excerpt(response),
        ) from error


Check = Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _str_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


def _input_types(value: Any) -> bool:
    return value is None or (
        isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    )


# Each field: (check, required, what it must be). Conditionals are not checked beyond being
# objects: PromptLayer types them as free-form objects, and an odd one must not make the
# definition unreadable.
_AGENT: dict[str, tuple[Check, bool, str]] = {
    "success": (_is_bool, True, "a boolean"),
    "workflow_id": (_is_int, True, "an integer"),
    "workflow_name": (_is_str, True, "a string"),
    "version": (_is_int, True, "an integer"),
    "workflow_version_id": (_is_int, True, "an integer"),
    "nodes": (lambda v: isinstance(v, list), True, "a list"),
    "edges": (lambda v: isinstance(v, list), True, "a list"),
    "commit_message": (_str_or_none, False, "a string or null"),
    "required_input_variables": (_input_types, False, "an object of strings, or null"),
    "release_labels": (_strings, False, "a list of strings"),
    "created_at": (_str_or_none, False, "a string or null"),
}
_NODE: dict[str, tuple[Check, bool, str]] = {
    "id": (_is_str, True, "a string"),
    "name": (_is_str, True, "a string"),
    "node_type": (_is_str, True, "a string"),
    "is_output_node": (_is_bool, True, "a boolean"),
    "configuration": (_is_object, True, "an object"),
    "dependencies": (_strings, True, "a list of strings"),
    "workflow_version_id": (_is_int, False, "an integer"),
}
_EDGE: dict[str, tuple[Check, bool, str]] = {
    "id": (_is_str, True, "a string"),
    "source_node_name": (_is_str, True, "a string"),
    "target_node_name": (_is_str, True, "a string"),
    "is_and": (_is_bool, True, "a boolean"),
    "conditionals": (
        lambda v: isinstance(v, list) and all(isinstance(c, dict) for c in v),
        False,
        "a list of objects",
    ),
}


def agent_problem(body: Any) -> str | None:
    """What makes a Get Agent body unreadable, as `path: what is wrong`, or None. Checks what
    openapi.yaml requires of AgentVersion, its nodes and its edges (the generated parser does not
    check types, and names no path)."""
    problem = _fields_problem(body, _AGENT, "")
    if problem:
        return problem
    for key, fields in (("nodes", _NODE), ("edges", _EDGE)):
        for index, item in enumerate(body[key]):
            if key == "nodes" and _usual_node(item):
                continue
            problem = _fields_problem(item, fields, f"{key}[{index}]")
            if problem:
                return problem
    return None


def _usual_node(node: Any) -> bool:
    """Whether a node passes `_NODE`'s checks, in one expression: a large agent's nodes are
    checked on every `get`, and the table's general loop cost as much as parsing them. False
    sends the node through the table, which names what is wrong (a unit test pins that the two
    agree)."""
    return (
        isinstance(node, dict)
        and isinstance(node.get("id"), str)
        and isinstance(node.get("name"), str)
        and isinstance(node.get("node_type"), str)
        and isinstance(node.get("is_output_node"), bool)
        and isinstance(node.get("configuration"), dict)
        and _strings(node.get("dependencies"))
        and _is_int(node.get("workflow_version_id", 0))
    )


def _fields_problem(
    value: Any, fields: dict[str, tuple[Check, bool, str]], path: str
) -> str | None:
    """The first field of `value` that is missing or of the wrong type, as `path: problem`."""
    where = path or "the answer"
    if not isinstance(value, dict):
        return f"{where} is {_kind(value)}, not an object"
    for name, (check, required, wanted) in fields.items():
        field_path = f"{path}.{name}" if path else name
        if name not in value:
            if required:
                return f"{field_path} is missing"
        elif not check(value[name]):
            return f"{field_path} is {_kind(value[name])}, not {wanted}"
    return None


def _kind(value: Any) -> str:
    """A JSON value's kind, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


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


def _parse(module: Any, response: httpx.Response, expected: set[int]) -> Any:
    """The generated parse of a response whose status is one of `expected`; an error status is
    raised as its typed error, anything unreadable as ResponseValidationError."""
    _check_status(response, expected)
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
