"""`ExecutionResult`: what an execution has produced so far, in every form the API answers.

The generated client parses the JSON, except a results answer's node map, which is read here
straight into node states (`nodes_from_json`: a large map is read on every poll); this module
states the rules: when a result is final, what its overall status is, which value is the main
output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from promptlayer_agents_api.models import ExecutionCallback, ExecutionNodeMap, NodeResult
from promptlayer_agents_api.types import Unset

from ._errors import InvalidInputError
from ._json import JSON
from .rules import (
    ExecutionStatus,
    execution_status,
    failed_nodes,
    is_final,
    is_pending,
    node_status,
)
from .rules import succeeded_outputs as _succeeded_outputs


@dataclass(frozen=True)
class RunStarted:
    """A started execution: its id for `wait`/`get_results`, and the API's warning, if any
    (missing or unexpected input variables; the run started anyway)."""

    execution_id: int
    warning: str | None
    message: str
    accepted_for_callback: bool


@dataclass(frozen=True)
class NodeState:
    """One node of an execution. `status` is QUEUED, RUNNING, SUCCESS, FAILED or SKIPPED; FAILURE
    (as PromptLayer's callback docs once wrote it) is read as FAILED; any other status is kept as
    it came; None when the API gave the node no status (PromptLayer's spec leaves it optional).
    A node whose status is missing or unknown is neither final, failed nor succeeded."""

    name: str
    status: str | None
    value: JSON
    error_message: str | None
    raw_error_message: str | None
    is_output_node: bool

    @property
    def final(self) -> bool:
        """Whether the node will not change any more."""
        return is_final(self.status)

    @classmethod
    def from_model(cls, name: str, node: NodeResult) -> NodeState:
        """A node from the generated model, with absent fields as None/False."""
        return cls(
            name=name,
            status=None if isinstance(node.status, Unset) else node_status(str(node.status)),
            value=None if isinstance(node.value, Unset) else node.value,
            error_message=_present(node.error_message),
            raw_error_message=_present(node.raw_error_message),
            is_output_node=node.is_output_node is True,
        )


def _present(value: str | None | Unset) -> str | None:
    return None if isinstance(value, Unset) else value


class NodeMap(dict[str, NodeState]):
    """A results body that is the node map, read straight from its JSON into node states, in the
    API's order. A type of its own, so that a main output that happens to be an object is never
    taken for one."""


def nodes_from_json(node_map: Mapping[str, Mapping[str, Any]]) -> NodeMap:
    """Node states from a decoded node map whose fields `_operations.results_body` has checked,
    with absent fields as None/False, as `NodeState.from_model` reads them. One pass, no
    generated model: building the model and then copying it cost most of a large map's parse."""
    nodes = NodeMap()
    for name, node in node_map.items():
        get = node.get  # positional arguments and a bound `get`: this loop runs once per node
        nodes[name] = NodeState(
            name,
            node_status(get("status")),
            get("value"),
            get("error_message"),
            get("raw_error_message"),
            get("is_output_node") is True,
        )
    return nodes


@dataclass(frozen=True)
class ExecutionResult:
    """An execution's state. `done` is the API's word that every node is final.

    `output` is the main output: the value of the first output node to succeed (None until then).
    `nodes` maps node names to their state; it is empty when only the main output was asked for.
    """

    execution_id: int
    done: bool
    output: JSON = None
    nodes: Mapping[str, NodeState] = field(default_factory=dict)

    @property
    def failed_nodes(self) -> tuple[NodeState, ...]:
        """The nodes whose status is FAILED."""
        return failed_nodes(self.nodes.values())

    @property
    def succeeded_outputs(self) -> tuple[NodeState, ...]:
        """The output nodes whose status is SUCCESS, in the API's order."""
        return _succeeded_outputs(self.nodes.values())

    @property
    def status(self) -> ExecutionStatus:
        """RUNNING until done. Then SUCCESS when an output node succeeded; otherwise FAILED when a
        node failed or when a node's status is missing or unknown (the client cannot tell that it
        succeeded, so it does not say so); else SUCCESS (a bare main output, or every node known
        and none failed)."""
        return execution_status(self.done, self.nodes.values())


def nodes_from_map(node_map: ExecutionNodeMap) -> dict[str, NodeState]:
    """Node states from the generated node map, in the API's order."""
    return {
        name: NodeState.from_model(name, node)
        for name, node in node_map.additional_properties.items()
    }


def from_node_map(
    execution_id: int, node_map: ExecutionNodeMap | NodeMap, *, done: bool
) -> ExecutionResult:
    """A result from a node map. The main output is the first successful output node's value
    in the API's order; `main_output_from` corrects it when several output nodes succeeded."""
    nodes = node_map if isinstance(node_map, NodeMap) else nodes_from_map(node_map)
    outputs = _succeeded_outputs(nodes.values())
    return ExecutionResult(
        execution_id=execution_id,
        done=done,
        output=outputs[0].value if outputs else None,
        nodes=nodes,
    )


def from_results_body(execution_id: int, parsed: Any, *, done: bool) -> ExecutionResult:
    """A result from a parsed 200/202 body: the node map (asked for, or answered anyway) or the
    bare main output, as `_operations.results_body` decided."""
    if isinstance(parsed, NodeMap):
        return from_node_map(execution_id, parsed, done=done)
    return ExecutionResult(execution_id=execution_id, done=done, output=parsed)


def from_no_output_node(execution_id: int, node_map: ExecutionNodeMap) -> ExecutionResult:
    """A result from the 400 an agent without an output node answers; done once no node is
    QUEUED or RUNNING (a node whose status is missing or unknown does not hold it back)."""
    nodes = nodes_from_map(node_map)
    done = not any(is_pending(node.status) for node in nodes.values())
    return ExecutionResult(execution_id=execution_id, done=done, output=None, nodes=nodes)


def parse_callback(body: bytes | str | Mapping[str, Any]) -> ExecutionResult:
    """The final result that PromptLayer POSTs to a run's `callback_url`, as an ExecutionResult.

    `body` is the request body as received (bytes or text) or already decoded JSON.
    """
    try:
        data = json.loads(body) if isinstance(body, bytes | str) else body
        callback = ExecutionCallback.from_dict(data)
        execution_id = callback.workflow_version_execution_id
        if type(execution_id) is not int or execution_id < 1:
            raise ValueError(f"workflow_version_execution_id {execution_id!r} is not an id")
        return from_node_map(execution_id, callback.final_output, done=True)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:
        raise InvalidInputError(f"not a PromptLayer callback body: {error!r}") from None


def result_json(result: ExecutionResult) -> dict[str, JSON]:
    """A result as JSON data, in the one shape the command line prints for `run --json` and
    `results --json` (docs/result.schema.json): execution_id, done, status, output, and nodes by
    name, each with every field of NodeState. `nodes` is empty when only the main output was
    read."""
    nodes: dict[str, JSON] = {
        name: {
            "name": node.name,
            "status": node.status,
            "value": node.value,
            "error_message": node.error_message,
            "raw_error_message": node.raw_error_message,
            "is_output_node": node.is_output_node,
        }
        for name, node in result.nodes.items()
    }
    return {
        "execution_id": result.execution_id,
        "done": result.done,
        "status": result.status,
        "output": result.output,
        "nodes": nodes,
    }
